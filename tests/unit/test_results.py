"""Video.download / adownload hand the work to the client that made the video, sync or async."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kie_core.results import ProgressCallback, Video
from kie_core.status import TaskHandle, TaskState, TaskStatus

HANDLE = TaskHandle(task_id="t1", model="m", provider="p", family="market")
DONE = TaskStatus(task_id="t1", state=TaskState.SUCCEEDED, result_urls=("https://x/v.mp4",))


class SyncDownloader:
    def __init__(self) -> None:
        self.calls: list[tuple[Video, str, str | None]] = []

    def download(
        self,
        target: Video,
        dest_dir: str | os.PathLike[str] = ".",
        *,
        filename: str | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> Path:
        self.calls.append((target, str(dest_dir), filename))
        return Path(dest_dir) / (filename or "t1.mp4")


class AsyncDownloader:
    async def download(
        self,
        target: Video,
        dest_dir: str | os.PathLike[str] = ".",
        *,
        filename: str | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> Path:
        return Path(dest_dir) / (filename or "t1.mp4")


def test_download_goes_through_the_sync_client_that_made_the_video() -> None:
    client = SyncDownloader()
    video = Video(HANDLE, DONE, client)
    assert video.download("out", filename="fox.mp4") == Path("out/fox.mp4")
    assert client.calls == [(video, "out", "fox.mp4")]


async def test_adownload_goes_through_the_async_client_that_made_the_video() -> None:
    video = Video(HANDLE, DONE, AsyncDownloader())
    assert await video.adownload("out") == Path("out/t1.mp4")
    with pytest.raises(TypeError, match="adownload"):
        video.download("out")


async def test_a_video_without_the_matching_client_refuses_to_download() -> None:
    with pytest.raises(TypeError, match=r"video\.download"):
        await Video(HANDLE, DONE, SyncDownloader()).adownload("out")
    with pytest.raises(TypeError, match="no sync Client"):
        Video(HANDLE, DONE).download("out")
    with pytest.raises(TypeError, match="no AsyncClient"):
        await Video(HANDLE, DONE).adownload("out")
