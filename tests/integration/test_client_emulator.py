"""Client and AsyncClient against the offline KIE.ai emulator (real HTTP, no fakes)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import kie_emulator
import pytest
from kie_emulator.pytest_plugin import EmulatorHandle

from kie_core import AsyncClient, Client, Video
from kie_core.errors import AmbiguousCreateError, InsufficientCreditsError
from kie_core.journal import Journal, JournalState
from kie_core.request import VideoRequest
from kie_core.status import TaskState

from .client_fakes import emulator_settings

T2V = "kling/v2-5-turbo-text-to-video-pro"
I2V = "kling/v2-5-turbo-image-to-video-pro"
SAMPLE_PNG = Path(kie_emulator.__file__).parent / "data" / "sample.png"
REQUEST = VideoRequest(model="kling-2.5-turbo", prompt="a fox runs through snow", duration=5)


settings = emulator_settings


@pytest.fixture
def client(kie_emulator: EmulatorHandle) -> Iterator[Client]:
    with Client(kie_emulator.api_key, **settings(kie_emulator)) as client:
        yield client


def charges(kie_emulator: EmulatorHandle) -> list[str | None]:
    return [entry.task_id for entry in kie_emulator.ledger if entry.kind == "charge"]


def test_generate_and_download(
    client: Client, kie_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    before = kie_emulator.credits
    seen: list[TaskState] = []
    video = client.generate(REQUEST, on_update=lambda status: seen.append(status.state))
    assert video.status.succeeded
    assert seen[-1] is TaskState.SUCCEEDED
    assert charges(kie_emulator) == [video.task_id]
    assert client.credits() == kie_emulator.credits < before
    path = video.download(tmp_path)
    assert path == tmp_path / f"{video.task_id}.mp4"
    with httpx.Client() as plain:
        assert path.read_bytes() == plain.get(video.url).content
    assert kie_emulator.create_count(T2V) == 1


async def test_async_generate_and_download(kie_emulator: EmulatorHandle, tmp_path: Path) -> None:
    async with AsyncClient(kie_emulator.api_key, **settings(kie_emulator)) as client:
        video = await client.generate(REQUEST)
        path = await video.adownload(tmp_path)
        credits = await client.credits()
    assert path.stat().st_size > 0
    assert credits == kie_emulator.credits
    assert kie_emulator.create_count(T2V) == 1


def test_a_local_image_is_uploaded_and_used(client: Client, kie_emulator: EmulatorHandle) -> None:
    request = VideoRequest(
        model="kling-2.5-turbo", prompt="the fox turns its head", first_frame=str(SAMPLE_PNG)
    )
    video = client.generate(request)
    assert video.handle.kie_model == I2V
    image_url = kie_emulator.tasks[video.task_id].body["input"]["image_url"]
    assert image_url.startswith(kie_emulator.base_url)
    with httpx.Client() as plain:
        assert plain.get(image_url).content == SAMPLE_PNG.read_bytes()


def test_upload_and_fresh_download_links(client: Client, kie_emulator: EmulatorHandle) -> None:
    url = client.upload(SAMPLE_PNG, upload_path="tests/frames")
    assert url.startswith(kie_emulator.base_url)
    video = client.generate(REQUEST)
    fresh = client.download_url(video.url)
    with httpx.Client() as plain:
        assert plain.get(url).content == SAMPLE_PNG.read_bytes()
        assert plain.get(fresh).content == plain.get(video.url).content


def test_status_and_wait_by_task_id(client: Client) -> None:
    handle = client.submit(REQUEST)
    first = client.status(handle.task_id)
    assert first.task_id == handle.task_id
    final = client.wait(handle.task_id)
    assert final.succeeded
    assert final.result_urls


def test_a_refused_create_costs_nothing(client: Client, kie_emulator: EmulatorHandle) -> None:
    kie_emulator.credits = 1
    with pytest.raises(InsufficientCreditsError) as caught:
        client.submit(REQUEST)
    assert caught.value.code == 402
    assert kie_emulator.create_count(T2V) == 0


def test_the_journal_follows_a_task_from_submit_to_download(
    kie_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    journal = Journal(tmp_path / "journal.sqlite3")
    with Client(kie_emulator.api_key, **settings(kie_emulator, journal=journal)) as client:
        handle = client.submit(REQUEST)
        entry = journal.get(handle.task_id)
        assert entry is not None
        assert entry.state is JournalState.CREATED
        assert entry.payload == {
            "model": T2V,
            "input": {
                "prompt": "a fox runs through snow",
                "duration": "5",
                "aspect_ratio": "16:9",
            },
        }
        assert entry.endpoint == "POST /api/v1/jobs/createTask"
        assert entry.estimated_credits == 42
        # The same request again follows the running task instead of paying twice.
        assert client.submit(REQUEST).task_id == handle.task_id
        status = client.wait(handle)
        succeeded = journal.get(handle.task_id)
        assert succeeded is not None
        assert succeeded.state is JournalState.SUCCEEDED
        path = client.download(status, tmp_path / "out")
    done = journal.get(handle.task_id)
    assert done is not None
    assert done.state is JournalState.DOWNLOADED
    assert done.output_path == str(path)
    assert done.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert done.size == path.stat().st_size
    assert kie_emulator.create_count(T2V) == 1
    journal.close()


def test_an_ambiguous_journal_entry_blocks_an_identical_request(
    kie_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    journal = Journal(tmp_path / "journal.sqlite3")
    kie_emulator.set_fault("lost-create-response", 1.0, times=1, paths=["/api/v1/jobs/createTask"])
    with Client(kie_emulator.api_key, **settings(kie_emulator, journal=journal)) as client:
        with pytest.raises(AmbiguousCreateError, match=r"journal entry #1"):
            client.submit(REQUEST)
        entry = journal.get_entry(1)
        assert entry is not None
        assert entry.state is JournalState.AMBIGUOUS
        with pytest.raises(AmbiguousCreateError, match=r"journal entry #1.*again=True"):
            client.submit(REQUEST)
        assert kie_emulator.create_count(T2V) == 1
        handle = client.submit(REQUEST, again=True)
    assert kie_emulator.create_count(T2V) == 2
    assert journal.get(handle.task_id) is not None
    journal.close()


async def test_a_batch_runs_under_the_rate_limits(kie_emulator: EmulatorHandle) -> None:
    requests = [
        VideoRequest(model="kling-2.5-turbo", prompt=f"fox number {n}", duration=5)
        for n in range(8)
    ]
    async with AsyncClient(kie_emulator.api_key, **settings(kie_emulator)) as client:
        results = await client.generate_many(requests, concurrency=8)
    assert all(isinstance(result, Video) for result in results)
    prompts = [
        kie_emulator.tasks[result.task_id].body["input"]["prompt"]
        for result in results
        if isinstance(result, Video)
    ]
    assert prompts == [f"fox number {n}" for n in range(8)]
    assert len(set(prompts)) == 8
    assert kie_emulator.create_count(T2V) == 8
