"""Downloads against the KIE emulator: dropped connections, expired links, download-url."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from kie_emulator.pytest_plugin import EmulatorHandle

from kie_core.errors import DownloadError
from kie_core.files import adownload_file, download_file

CREATE = "/api/v1/jobs/createTask"
RECORD = "/api/v1/jobs/recordInfo"
DOWNLOAD_URL = "/api/v1/common/download-url"
SIZE = 600_000

pytestmark = pytest.mark.kie_emulator(result_bytes=SIZE)


class Counting(httpx.BaseTransport):
    """A real HTTP transport that counts the body bytes it receives and keeps the requests."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.received = 0
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response = self.inner.handle_request(request)
        counter = self
        upstream = response.stream
        assert isinstance(upstream, httpx.SyncByteStream)

        class Stream(httpx.SyncByteStream):
            def __iter__(self) -> Iterator[bytes]:
                for chunk in upstream:
                    counter.received += len(chunk)
                    yield chunk

            def close(self) -> None:
                upstream.close()

        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=Stream(),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self.inner.close()

    def ranges(self) -> list[str | None]:
        return [r.headers.get("Range") for r in self.requests]


class AsyncCounting(httpx.AsyncBaseTransport):
    """The async twin of :class:`Counting`."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.received = 0
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response = await self.inner.handle_async_request(request)
        counter = self
        upstream = response.stream
        assert isinstance(upstream, httpx.AsyncByteStream)

        class Stream(httpx.AsyncByteStream):
            async def __aiter__(self) -> AsyncIterator[bytes]:
                async for chunk in upstream:
                    counter.received += len(chunk)
                    yield chunk

            async def aclose(self) -> None:
                await upstream.aclose()

        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=Stream(),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


def no_wait(_: int) -> float:
    return 0.0


@pytest.fixture
def api(kie_emulator: EmulatorHandle) -> Iterator[httpx.Client]:
    """An API client (it carries the key; files are never fetched with it)."""
    with kie_emulator.client() as client:
        yield client


def finished_task(api: httpx.Client, kie_emulator: EmulatorHandle) -> tuple[str, str]:
    """Create a Market task, let it finish, return (task id, result URL)."""
    body = {"model": "kling/v2-5-turbo-text-to-video-pro", "input": {"prompt": "a fox"}}
    answer = api.post(CREATE, json=body).json()
    assert answer["code"] == 200, answer
    task_id = answer["data"]["taskId"]
    kie_emulator.advance(5)
    record = api.get(RECORD, params={"taskId": task_id}).json()["data"]
    assert record["state"] == "success", record
    return task_id, json.loads(record["resultJson"])["resultUrls"][0]


def reference(api: httpx.Client, url: str) -> bytes:
    """The file's bytes, fetched in one plain request."""
    return api.get(url).content


def refresher(api: httpx.Client, asked: list[str]) -> Any:
    def refresh(url: str) -> str:
        asked.append(url)
        answer = api.post(DOWNLOAD_URL, json={"url": url}).json()
        assert answer["code"] == 200, answer
        fresh = answer["data"]
        assert isinstance(fresh, str)
        return fresh

    return refresh


def test_plain_download_matches_the_file(
    api: httpx.Client, kie_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    task_id, url = finished_task(api, kie_emulator)
    transport = Counting()
    with httpx.Client(transport=transport) as files:
        result = download_file(files, url, tmp_path, filename=f"{task_id}.mp4")
    expected = reference(api, url)
    assert len(expected) == SIZE
    assert result.path == tmp_path / f"{task_id}.mp4"
    assert result.path.read_bytes() == expected
    assert result.sha256 == hashlib.sha256(expected).hexdigest()
    assert (result.size, result.attempts, result.resumed_from) == (SIZE, 1, 0)
    assert transport.received == SIZE
    assert all("Authorization" not in r.headers for r in transport.requests)


def test_dropped_connections_resume_where_they_stopped(
    api: httpx.Client, kie_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    _, url = finished_task(api, kie_emulator)
    expected = reference(api, url)
    # The emulator cuts each of the next two file answers after half of what it announced.
    kie_emulator.set_fault("drop-connection", 1.0, times=2, paths=["/files/"])
    transport = Counting()
    with httpx.Client(transport=transport) as files:
        result = download_file(files, url, tmp_path, backoff=no_wait)
    assert result.path.read_bytes() == expected
    assert result.attempts == 3
    first = SIZE // 2
    second = first + (SIZE - first) // 2
    assert transport.ranges() == [None, f"bytes={first}-", f"bytes={second}-"]
    assert result.resumed_from == second
    # 600 000 bytes moved in all: each resume fetched only what was missing.
    assert transport.received == SIZE
    assert [p.name for p in tmp_path.iterdir()] == [result.path.name]


def test_too_many_drops_leave_only_a_part_file(
    api: httpx.Client, kie_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    _, url = finished_task(api, kie_emulator)
    expected = reference(api, url)
    kie_emulator.set_fault("drop-connection", 1.0, times=2, paths=["/files/"])
    with httpx.Client() as files:
        with pytest.raises(DownloadError) as caught:
            download_file(files, url, tmp_path, backoff=no_wait, max_attempts=2)
        assert caught.value.retryable
        names = [p.name for p in tmp_path.iterdir()]
        assert len(names) == 1 and names[0].endswith(".part")
        # A later call (another process, `kie resume`) finishes from the part file.
        result = download_file(files, url, tmp_path)
    assert result.path.read_bytes() == expected
    assert result.resumed_from == SIZE // 2 + SIZE // 4


def test_expired_link_is_refreshed_through_download_url(
    api: httpx.Client, kie_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    kie_emulator.set_fault("expired-link", 1.0, times=1, paths=[CREATE])
    _, url = finished_task(api, kie_emulator)
    with httpx.Client() as files:
        assert files.get(url).status_code == 403
        with pytest.raises(DownloadError) as caught:
            download_file(files, url, tmp_path)
        assert caught.value.code == 403
        asked: list[str] = []
        result = download_file(files, url, tmp_path, refresh=refresher(api, asked))
    assert asked == [url]
    assert result.refreshed
    assert result.attempts == 1
    assert result.size == SIZE
    assert result.path.name == url.rsplit("/", 1)[-1]


def test_fresh_link_expired_too_is_refreshed_again(
    api: httpx.Client, kie_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    kie_emulator.set_fault("expired-link", 1.0, times=1, paths=[CREATE])
    _, url = finished_task(api, kie_emulator)
    kie_emulator.set_fault("expired-link", 1.0, times=1, paths=[DOWNLOAD_URL])
    asked: list[str] = []
    with httpx.Client() as files:
        result = download_file(files, url, tmp_path, refresh=refresher(api, asked), backoff=no_wait)
    assert asked == [url, url]
    assert result.attempts == 2
    assert result.size == SIZE


def test_drop_then_expiry_resumes_on_the_fresh_link(
    api: httpx.Client, kie_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    _, url = finished_task(api, kie_emulator)
    expected = reference(api, url)
    kie_emulator.set_fault("drop-connection", 1.0, times=1, paths=["/files/"])
    transport = Counting()
    asked: list[str] = []

    def wait_long(attempt: int) -> float:
        # While the client waits to retry, the emulated clock passes the link's lifetime.
        kie_emulator.advance(7200)
        return 0.0

    with httpx.Client(transport=transport) as files:
        result = download_file(
            files, url, tmp_path, refresh=refresher(api, asked), backoff=wait_long
        )
    assert result.path.read_bytes() == expected
    assert result.refreshed
    half = SIZE // 2
    assert transport.ranges() == [None, f"bytes={half}-", f"bytes={half}-"]
    assert str(transport.requests[2].url) != url
    assert result.resumed_from == half
    assert transport.received == SIZE


async def test_async_download_resumes_after_drops(
    api: httpx.Client, kie_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    _, url = finished_task(api, kie_emulator)
    expected = reference(api, url)
    kie_emulator.set_fault("drop-connection", 1.0, times=1, paths=["/files/"])
    transport = AsyncCounting()
    async with httpx.AsyncClient(transport=transport) as files:
        result = await adownload_file(files, url, tmp_path, backoff=no_wait)
    assert result.path.read_bytes() == expected
    assert result.resumed_from == SIZE // 2
    assert transport.received == SIZE
