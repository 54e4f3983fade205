"""Resumable, verified downloads against mock file hosts that misbehave on purpose."""

from __future__ import annotations

import gzip
import hashlib
import re
import tracemalloc
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kie_core.errors import (
    DownloadError,
    DownloadInProgressError,
    InvalidRequestError,
    RateLimitError,
    ServerError,
)
from kie_core.files import (
    DownloadResult,
    adownload_file,
    default_backoff,
    download_file,
    filename_from_url,
    public_url,
)

KEY = "kie-secret-0123456789abcdef0123456789abcdef"
URL = "https://tempfile.aiquickdraw.com/v/task-1_1749711595.mp4"
FRESH = "https://tempfile.example/fresh/task-1_1749711595.mp4?token=abc"


def payload(size: int, seed: int = 1) -> bytes:
    """Deterministic, non-repeating bytes."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:size])


def no_wait(_: int) -> float:
    return 0.0


class Body(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body that may stop early, with an error or cleanly, and counts what it sent."""

    def __init__(
        self, data: bytes, server: FileServer, *, stop_after: int | None, error: bool, piece: int
    ) -> None:
        self.data = data
        self.server = server
        self.stop_after = stop_after
        self.error = error
        self.piece = piece

    def _pieces(self) -> Iterator[bytes]:
        limit = len(self.data) if self.stop_after is None else min(self.stop_after, len(self.data))
        for start in range(0, limit, self.piece):
            chunk = self.data[start : min(start + self.piece, limit)]
            self.server.sent += len(chunk)
            yield chunk
        if self.stop_after is not None and self.stop_after < len(self.data) and self.error:
            raise httpx.ReadError("connection reset by peer")

    def __iter__(self) -> Iterator[bytes]:
        yield from self._pieces()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._pieces():
            yield chunk


@dataclass
class FileServer:
    """A file host. Each request may get a planned behaviour; ``sent`` counts body bytes."""

    data: bytes
    etag: str | None = '"v1"'
    honour_range: bool = True
    honour_if_range: bool = True
    drops: list[int] = field(default_factory=list)  # per request: stop after this many bytes
    drop_with_error: bool = True
    expired_urls: set[str] = field(default_factory=set)
    statuses: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    announce_length: int | None = None  # a lie about Content-Length
    piece: int = 64 * 1024
    sent: int = 0
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if str(request.url) in self.expired_urls or str(request.url).split("?")[0] in {
            u.split("?")[0] for u in self.expired_urls if "?" not in u
        }:
            return httpx.Response(410, text="gone")
        if self.statuses:
            status, headers = self.statuses.pop(0)
            return httpx.Response(status, headers=headers, text="try later")
        stop = self.drops.pop(0) if self.drops else None
        headers: dict[str, str] = {"Accept-Ranges": "bytes"}
        if self.etag:
            headers["ETag"] = self.etag
        total = len(self.data)
        start = 0
        range_header = request.headers.get("Range")
        if_range = request.headers.get("If-Range")
        if (
            range_header
            and self.honour_range
            and (not if_range or not self.honour_if_range or if_range == self.etag)
        ):
            match = re.fullmatch(r"bytes=(\d+)-", range_header)
            assert match, range_header
            start = int(match[1])
            if start >= total:
                return httpx.Response(416, headers={"Content-Range": f"bytes */{total}"})
            body = self.data[start:]
            headers["Content-Range"] = f"bytes {start}-{total - 1}/{total}"
            headers["Content-Length"] = str(len(body))
            status = 206
        else:
            body = self.data
            headers["Content-Length"] = str(self.announce_length or total)
            status = 200
        stream = Body(body, self, stop_after=stop, error=self.drop_with_error, piece=self.piece)
        return httpx.Response(status, headers=headers, stream=stream)

    def ranges(self) -> list[str | None]:
        return [r.headers.get("Range") for r in self.requests]


def client_for(server: Callable[[httpx.Request], httpx.Response], **kwargs: Any) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(server), **kwargs)


def aclient_for(
    server: Callable[[httpx.Request], httpx.Response], **kwargs: Any
) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(server), **kwargs)


def only_file(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- the plain case ---------------------------------------------------------------------------


def test_fresh_download(tmp_path: Path) -> None:
    data = payload(300_000)
    server = FileServer(data)
    progress: list[tuple[int, int | None]] = []
    with client_for(server) as http:
        result = download_file(
            http, URL, tmp_path, on_progress=lambda done, total: progress.append((done, total))
        )
    assert result == DownloadResult(
        path=tmp_path / "task-1_1749711595.mp4",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        resumed_from=0,
        attempts=1,
        refreshed=False,
    )
    assert result.path.read_bytes() == data
    assert only_file(tmp_path) == ["task-1_1749711595.mp4"]
    assert server.sent == len(data)
    assert server.ranges() == [None]
    assert server.requests[0].headers["Accept-Encoding"] == "identity"
    assert progress[-1] == (len(data), len(data))
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)


def test_chosen_filename_and_nested_dest_dir(tmp_path: Path) -> None:
    server = FileServer(payload(10))
    with client_for(server) as http:
        result = download_file(http, URL, tmp_path / "a" / "b", filename="task-1.mp4")
    assert result.path == tmp_path / "a" / "b" / "task-1.mp4"


def test_empty_file(tmp_path: Path) -> None:
    server = FileServer(b"")
    with client_for(server) as http:
        result = download_file(http, URL, tmp_path)
    assert result.size == 0
    assert result.path.read_bytes() == b""


def test_body_without_length_is_accepted_when_it_ends_cleanly(tmp_path: Path) -> None:
    data = payload(5000)

    def server(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=iter([data[:2000], data[2000:]]))

    with client_for(server) as http:
        result = download_file(http, URL, tmp_path)
    assert result.path.read_bytes() == data


def test_gzip_encoded_body_is_saved_decoded(tmp_path: Path) -> None:
    data = payload(20_000)

    def server(request: httpx.Request) -> httpx.Response:
        packed = gzip.compress(data)
        return httpx.Response(
            200,
            headers={"Content-Encoding": "gzip", "Content-Length": str(len(packed))},
            content=packed,
        )

    with client_for(server) as http:
        result = download_file(http, URL, tmp_path)
    assert result.path.read_bytes() == data
    assert result.sha256 == hashlib.sha256(data).hexdigest()


# --- the key never goes to a file host --------------------------------------------------------


class BearerAuth(httpx.Auth):
    def auth_flow(self, request: httpx.Request) -> Iterator[httpx.Request]:
        request.headers["Authorization"] = f"Bearer {KEY}"
        yield request


def test_api_key_is_never_sent_to_the_file_host(tmp_path: Path) -> None:
    server = FileServer(payload(1000), drops=[300])
    with client_for(server, headers={"Authorization": f"Bearer {KEY}"}) as http:
        download_file(http, URL, tmp_path, backoff=no_wait)
    with client_for(server, auth=BearerAuth()) as http:
        download_file(http, URL, tmp_path / "again", backoff=no_wait)
    assert len(server.requests) == 3
    for request in server.requests:
        assert "Authorization" not in request.headers
        assert KEY not in str(request.headers)


def test_redirects_are_followed_without_auth(tmp_path: Path) -> None:
    data = payload(4000)
    files = FileServer(data)

    def server(request: httpx.Request) -> httpx.Response:
        if request.url.host == "tempfile.aiquickdraw.com":
            return httpx.Response(302, headers={"Location": "https://cdn.example/f.mp4"})
        return files(request)

    with client_for(server, headers={"Authorization": f"Bearer {KEY}"}) as http:
        result = download_file(http, URL, tmp_path)
    assert result.path.read_bytes() == data
    assert files.requests[0].url.host == "cdn.example"
    assert "Authorization" not in files.requests[0].headers


# --- resume -----------------------------------------------------------------------------------


def test_dropped_connection_resumes_with_range(tmp_path: Path) -> None:
    data = payload(1_000_000)
    server = FileServer(data, drops=[400_000])
    with client_for(server) as http:
        result = download_file(http, URL, tmp_path, backoff=no_wait, chunk_size=64 * 1024)
    assert result.path.read_bytes() == data
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.attempts == 2
    assert result.resumed_from == 400_000
    assert server.ranges() == [None, "bytes=400000-"]
    assert server.requests[1].headers["If-Range"] == '"v1"'
    # Resume fetched only the missing bytes: 1.0x the file, not 1.4x.
    assert server.sent == len(data)
    assert only_file(tmp_path) == ["task-1_1749711595.mp4"]


def test_clean_short_body_is_treated_as_a_drop(tmp_path: Path) -> None:
    data = payload(200_000)
    server = FileServer(data, drops=[50_000, 120_000], drop_with_error=False)
    with client_for(server) as http:
        result = download_file(http, URL, tmp_path, backoff=no_wait)
    assert result.path.read_bytes() == data
    assert server.ranges() == [None, "bytes=50000-", "bytes=170000-"]
    assert server.sent == len(data)
    assert result.attempts == 3


def test_weak_etag_is_not_used_for_if_range(tmp_path: Path) -> None:
    data = payload(100_000)
    server = FileServer(data, etag='W/"weak"', drops=[10_000])
    with client_for(server) as http:
        download_file(http, URL, tmp_path, backoff=no_wait)
    assert "If-Range" not in server.requests[1].headers
    assert server.ranges()[1] == "bytes=10000-"


def test_server_ignoring_range_restarts_cleanly(tmp_path: Path) -> None:
    data = payload(300_000)
    server = FileServer(data, honour_range=False, drops=[120_000])
    with client_for(server) as http:
        result = download_file(http, URL, tmp_path, backoff=no_wait)
    assert result.path.read_bytes() == data
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert server.ranges() == [None, "bytes=120000-"]
    assert server.sent == 120_000 + len(data)


def test_changed_file_with_if_range_restarts_from_the_new_body(tmp_path: Path) -> None:
    old, new = payload(200_000, seed=1), payload(150_000, seed=2)
    server = FileServer(old, drops=[60_000])

    # The first attempt drops; then the host gets a new version of the file.
    def swap_after_first(request: httpx.Request) -> httpx.Response:
        if len(server.requests) == 1:
            server.data, server.etag = new, '"v2"'
        return server(request)

    with client_for(swap_after_first) as http:
        result = download_file(http, URL, tmp_path, backoff=no_wait)
    assert result.path.read_bytes() == new
    assert server.requests[1].headers["If-Range"] == '"v1"'
    assert result.size == len(new)


def test_changed_etag_on_206_discards_the_part(tmp_path: Path) -> None:
    old, new = payload(200_000, seed=1), payload(200_000, seed=2)
    server = FileServer(old, drops=[60_000], honour_if_range=False)

    def swap_after_first(request: httpx.Request) -> httpx.Response:
        if len(server.requests) == 1:
            server.data, server.etag = new, '"v2"'
        return server(request)

    with client_for(swap_after_first) as http:
        result = download_file(http, URL, tmp_path, backoff=no_wait)
    content = result.path.read_bytes()
    assert content == new
    assert content[:60_000] != old[:60_000]
    assert server.ranges() == [None, "bytes=60000-", None]
    assert result.attempts == 3


def test_part_left_by_an_earlier_run_is_resumed(tmp_path: Path) -> None:
    data = payload(100_000)
    (tmp_path / ".task-1_1749711595.mp4.part").write_bytes(data[:30_000])
    server = FileServer(data)
    with client_for(server) as http:
        result = download_file(http, URL, tmp_path)
    assert result.path.read_bytes() == data
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.resumed_from == 30_000
    assert server.ranges() == ["bytes=30000-"]
    assert "If-Range" not in server.requests[0].headers
    assert server.sent == 70_000


def test_complete_part_is_finished_on_416(tmp_path: Path) -> None:
    data = payload(10_000)
    (tmp_path / ".task-1_1749711595.mp4.part").write_bytes(data)
    server = FileServer(data)
    with client_for(server) as http:
        result = download_file(http, URL, tmp_path)
    assert result.path.read_bytes() == data
    assert result.resumed_from == len(data)
    assert server.sent == 0


def test_oversized_part_is_discarded_on_416(tmp_path: Path) -> None:
    data = payload(10_000)
    (tmp_path / ".task-1_1749711595.mp4.part").write_bytes(payload(12_000, seed=9))
    server = FileServer(data)
    with client_for(server) as http:
        result = download_file(http, URL, tmp_path, backoff=no_wait)
    assert result.path.read_bytes() == data
    assert server.ranges() == ["bytes=12000-", None]


def test_wrong_range_start_is_not_appended(tmp_path: Path) -> None:
    data = payload(50_000)
    server = FileServer(data, drops=[20_000])

    def shifted(request: httpx.Request) -> httpx.Response:
        response = server(request)
        if response.status_code == 206 and len(server.requests) == 2:
            return httpx.Response(
                206,
                headers={"Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}", "ETag": '"v1"'},
                content=data,
            )
        return response

    with client_for(shifted) as http:
        result = download_file(http, URL, tmp_path, backoff=no_wait)
    assert result.path.read_bytes() == data
    assert server.ranges() == [None, "bytes=20000-", None]


# --- hosts that lie ---------------------------------------------------------------------------


def test_host_announcing_more_than_it_has_never_yields_a_final_file(tmp_path: Path) -> None:
    data = payload(8000)
    # Says 10 000 bytes, sends 8 000 and closes; on resume it says the file has 8 000 bytes.
    server = FileServer(data, announce_length=10_000, drop_with_error=False)
    with client_for(server) as http, pytest.raises(DownloadError) as caught:
        download_file(http, URL, tmp_path, backoff=no_wait, max_attempts=4)
    assert caught.value.retryable
    assert "4 attempt" in str(caught.value)
    assert not (tmp_path / "task-1_1749711595.mp4").exists()
    assert len(server.requests) == 4


def test_host_sending_more_than_announced_never_yields_a_final_file(tmp_path: Path) -> None:
    data = payload(8000)
    server = FileServer(data, announce_length=5000, honour_range=False)
    with client_for(server) as http, pytest.raises(DownloadError, match="more than"):
        download_file(http, URL, tmp_path, backoff=no_wait, max_attempts=3)
    assert only_file(tmp_path) == []


def test_206_with_mismatched_content_length_is_retried(tmp_path: Path) -> None:
    data = payload(9000)
    calls = {"n": 0}

    def server(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            return httpx.Response(
                206,
                headers={"Content-Range": "bytes 0-8999/9000", "Content-Length": "100"},
                content=data,
            )
        return httpx.Response(200, content=data)

    with client_for(server) as http:
        result = download_file(http, URL, tmp_path, backoff=no_wait)
    assert result.path.read_bytes() == data
    assert result.attempts == 2


def test_changed_total_length_starts_over(tmp_path: Path) -> None:
    data = payload(9000)
    calls = {"n": 0}

    def server(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            return httpx.Response(
                200,
                headers={"Content-Length": "9000"},
                stream=Body(data, FileServer(data), stop_after=4000, error=True, piece=1000),
            )
        if calls["n"] == 2:
            return httpx.Response(206, headers={"Content-Range": "bytes 4000-9999/10000"})
        return httpx.Response(200, content=data)

    with client_for(server) as http:
        result = download_file(http, URL, tmp_path, backoff=no_wait)
    assert result.path.read_bytes() == data
    assert result.attempts == 3


def test_206_without_content_range_is_not_trusted(tmp_path: Path) -> None:
    data = payload(3000)
    answers = [httpx.Response(206, content=data), httpx.Response(200, content=data)]
    with client_for(lambda request: answers.pop(0)) as http:
        result = download_file(http, URL, tmp_path, backoff=no_wait)
    assert result.attempts == 2
    assert result.path.read_bytes() == data


# --- expired links ----------------------------------------------------------------------------


def test_expired_link_is_refreshed_once_and_download_continues(tmp_path: Path) -> None:
    data = payload(50_000)
    server = FileServer(data, expired_urls={URL})
    asked: list[str] = []

    def refresh(url: str) -> str:
        asked.append(url)
        return FRESH

    with client_for(server) as http:
        result = download_file(http, URL, tmp_path, refresh=refresh)
    assert result.refreshed
    assert result.attempts == 1
    assert asked == [URL]
    assert [str(r.url) for r in server.requests] == [URL, FRESH]
    assert result.path.read_bytes() == data
    assert result.path.name == "task-1_1749711595.mp4"


def test_link_expiring_mid_download_resumes_on_the_fresh_link(tmp_path: Path) -> None:
    data = payload(80_000)
    server = FileServer(data, drops=[30_000])

    def expire_after_first(request: httpx.Request) -> httpx.Response:
        if len(server.requests) == 1:
            server.expired_urls.add(URL)
        return server(request)

    with client_for(expire_after_first) as http:
        result = download_file(http, URL, tmp_path, refresh=lambda url: FRESH, backoff=no_wait)
    assert result.path.read_bytes() == data
    assert [str(r.url) for r in server.requests] == [URL, URL, FRESH]
    assert server.ranges() == [None, "bytes=30000-", "bytes=30000-"]
    assert server.sent == len(data)
    assert result.refreshed and result.resumed_from == 30_000


@pytest.mark.parametrize("status", [403, 404, 410])
def test_expired_link_without_refresh_fails_at_once(tmp_path: Path, status: int) -> None:
    def server(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status)

    with client_for(server) as http, pytest.raises(DownloadError) as caught:
        download_file(http, URL + "?token=secret-token", tmp_path)
    assert caught.value.code == status
    assert not caught.value.retryable
    assert "secret-token" not in str(caught.value)
    assert only_file(tmp_path) == []


def test_fresh_link_refused_too_is_retried_with_another_refresh(tmp_path: Path) -> None:
    data = payload(1000)
    server = FileServer(data, expired_urls={URL, FRESH})
    links = iter([FRESH, "https://tempfile.example/third.mp4"])
    asked: list[str] = []

    def refresh(url: str) -> str:
        asked.append(url)
        return next(links)

    with client_for(server) as http:
        result = download_file(http, URL, tmp_path, refresh=refresh, backoff=no_wait)
    assert asked == [URL, URL]
    assert result.attempts == 2
    assert result.path.read_bytes() == data


def test_refresh_failure_that_cannot_be_retried_stops(tmp_path: Path) -> None:
    server = FileServer(b"x", expired_urls={URL})

    def refresh(url: str) -> str:
        raise ServerError("boom", code=422, retryable=False)

    with client_for(server) as http, pytest.raises(DownloadError, match="fresh link") as caught:
        download_file(http, URL, tmp_path, refresh=refresh)
    assert caught.value.code == 422


def test_refresh_failure_that_can_be_retried_is_retried(tmp_path: Path) -> None:
    data = payload(100)
    server = FileServer(data, expired_urls={URL})
    outcomes: list[Any] = [RateLimitError("slow down", code=429), FRESH]

    def refresh(url: str) -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return str(outcome)

    with client_for(server) as http:
        result = download_file(http, URL, tmp_path, refresh=refresh, backoff=no_wait)
    assert result.attempts == 2
    assert result.refreshed


# --- retry policy -----------------------------------------------------------------------------


def test_server_errors_are_retried_honouring_retry_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr("kie_core.files.time.sleep", slept.append)
    data = payload(500)
    server = FileServer(
        data, statuses=[(503, {"Retry-After": "7"}), (429, {"Retry-After": "1"}), (500, {})]
    )
    with client_for(server) as http:
        result = download_file(http, URL, tmp_path, backoff=lambda n: 0.25 * n)
    assert result.attempts == 4
    assert slept == [7.0, 1.0, 0.75]  # max(backoff, Retry-After)


def test_a_retry_after_over_the_policy_maximum_ends_the_retries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same rule as for API calls (RetryPolicy.max_retry_after, 120 s here): no hour-long
    # sleep inside a download; the part file stays for a later call.
    slept: list[float] = []
    monkeypatch.setattr("kie_core.files.time.sleep", slept.append)
    server = FileServer(b"abc", statuses=[(503, {"Retry-After": "99999"})])
    with client_for(server) as http, pytest.raises(DownloadError, match="after 1 attempt"):
        download_file(http, URL, tmp_path, backoff=no_wait)
    assert slept == []
    with client_for(server) as http:
        assert download_file(http, URL, tmp_path).path.read_bytes() == b"abc"


def test_other_client_errors_fail_at_once(tmp_path: Path) -> None:
    with (
        client_for(lambda request: httpx.Response(400)) as http,
        pytest.raises(DownloadError) as caught,
    ):
        download_file(http, URL, tmp_path)
    assert caught.value.code == 400
    assert not caught.value.retryable


def test_network_errors_are_retried(tmp_path: Path) -> None:
    data = payload(100)
    calls = {"n": 0}

    def server(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] < 3:
            raise httpx.ConnectError("refused")
        return httpx.Response(200, content=data)

    with client_for(server) as http:
        result = download_file(http, URL, tmp_path, backoff=no_wait)
    assert result.attempts == 3


def test_giving_up_keeps_the_part_for_a_later_resume(tmp_path: Path) -> None:
    data = payload(100_000)
    server = FileServer(data, drops=[10_000, 10_000, 10_000])
    with client_for(server) as http, pytest.raises(DownloadError, match="3 attempt"):
        download_file(http, URL, tmp_path, backoff=no_wait, max_attempts=3)
    part = tmp_path / ".task-1_1749711595.mp4.part"
    assert part.read_bytes() == data[:30_000]
    assert not (tmp_path / "task-1_1749711595.mp4").exists()
    with client_for(server) as http:
        result = download_file(http, URL, tmp_path)
    assert result.path.read_bytes() == data
    assert result.resumed_from == 30_000
    assert server.sent == len(data)
    assert not part.exists()


def test_default_backoff_is_bounded_full_jitter() -> None:
    for attempt in range(1, 20):
        delay = default_backoff(attempt)
        assert 0.0 <= delay <= min(30.0, 0.5 * 2 ** (attempt - 1))


def test_another_download_of_the_same_file_is_refused(tmp_path: Path) -> None:
    fcntl = pytest.importorskip("fcntl")
    part = tmp_path / ".task-1_1749711595.mp4.part"
    with part.open("a+b") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        with client_for(FileServer(b"abc")) as http, pytest.raises(DownloadError, match="another"):
            download_file(http, URL, tmp_path)
    assert part.exists()


def test_a_part_renamed_by_another_download_before_the_lock_is_not_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another download finished (renamed its part to the final name) between this one's open
    # and its lock: the locked file is no longer the part, so it must not be written or moved.
    fcntl = pytest.importorskip("fcntl")
    data = payload(1000)
    part = tmp_path / ".task-1_1749711595.mp4.part"
    final = tmp_path / "task-1_1749711595.mp4"
    part.write_bytes(data)
    real_flock = fcntl.flock

    def finished_meanwhile(fd: int, operation: int) -> None:
        if part.exists():
            part.replace(final)
        real_flock(fd, operation)

    monkeypatch.setattr("kie_core.files.fcntl.flock", finished_meanwhile)
    with client_for(FileServer(data)) as http, pytest.raises(DownloadInProgressError):
        download_file(http, URL, tmp_path)
    assert final.read_bytes() == data


def test_the_part_is_renamed_while_still_locked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fcntl = pytest.importorskip("fcntl")
    locked_at_rename: list[bool] = []
    real_replace = Path.replace

    def replace(self: Path, target: Any) -> Path:
        with self.open("rb") as other:  # a second open file, as another download would have
            try:
                fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                locked_at_rename.append(True)
            else:
                locked_at_rename.append(False)
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", replace)
    with client_for(FileServer(payload(5000))) as http:
        result = download_file(http, URL, tmp_path)
    assert locked_at_rename == [True]
    assert result.path.read_bytes() == payload(5000)


# --- arguments --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "name"),
    [
        (URL, "task-1_1749711595.mp4"),
        ("https://h/v/a%20b.mp4?x=1#y", "a_b.mp4"),
        ("https://h/v/..", "download"),
        ("https://h/", "download"),
        ("https://h/v/.hidden.mp4", "hidden.mp4"),
        ("https://h/v/%2e%2e%2fetc%2fpasswd", "etc_passwd"),
    ],
)
def test_filename_from_url(url: str, name: str) -> None:
    assert filename_from_url(url) == name


@given(st.text(max_size=80))
def test_filename_from_url_is_always_safe(segment: str) -> None:
    name = filename_from_url("https://h/v/" + segment)
    assert name
    assert "/" not in name and "\\" not in name
    assert not name.startswith(".")
    assert re.fullmatch(r"[A-Za-z0-9._-]+", name)


def test_public_url_drops_query() -> None:
    assert public_url("https://h/a/b.mp4?token=x#f") == "https://h/a/b.mp4"


@pytest.mark.parametrize("bad", ["", " ", ".", "..", "a/b.mp4", "..\\x", "a\x00b"])
def test_bad_filename_is_refused(tmp_path: Path, bad: str) -> None:
    with client_for(FileServer(b"x")) as http, pytest.raises(InvalidRequestError) as caught:
        download_file(http, URL, tmp_path, filename=bad)
    assert caught.value.field == "filename"


def test_dest_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    with client_for(FileServer(b"x")) as http, pytest.raises(InvalidRequestError) as caught:
        download_file(http, URL, target)
    assert caught.value.field == "dest_dir"


@pytest.mark.parametrize(("name", "value"), [("max_attempts", 0), ("chunk_size", 0)])
def test_limits_are_checked(tmp_path: Path, name: str, value: int) -> None:
    with client_for(FileServer(b"x")) as http, pytest.raises(InvalidRequestError) as caught:
        download_file(http, URL, tmp_path, **{name: value})
    assert caught.value.field == name


# --- memory -----------------------------------------------------------------------------------


def test_memory_stays_constant_for_a_large_file(tmp_path: Path) -> None:
    size = 48 * 1024 * 1024
    block = payload(1024 * 1024)

    class Generated(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            for _ in range(size // len(block)):
                yield block

    def server(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Length": str(size)}, stream=Generated())

    chunk = 256 * 1024
    largest = {"step": 0, "last": 0}

    def progress(done: int, total: int | None) -> None:
        largest["step"] = max(largest["step"], done - largest["last"])
        largest["last"] = done

    tracemalloc.start()
    try:
        with client_for(server) as http:
            result = download_file(http, URL, tmp_path, chunk_size=chunk, on_progress=progress)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.size == size
    assert largest["step"] <= chunk
    # 48 MiB went through; Python allocations peaked at a few chunks' worth.
    assert peak < 8 * 1024 * 1024


# --- property: any drop points ----------------------------------------------------------------


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    size=st.integers(1, 40_000),
    cuts=st.lists(st.floats(0, 1, exclude_max=True), max_size=4),
    chunk=st.sampled_from([1000, 4096, 1 << 20]),
    clean=st.booleans(),
)
def test_any_drop_points_resume_exactly(
    tmp_path_factory: pytest.TempPathFactory,
    size: int,
    cuts: list[float],
    chunk: int,
    clean: bool,
) -> None:
    folder = tmp_path_factory.mktemp("drops")
    data = payload(size)
    # Each request stops after a fraction of what it has left to send.
    drops: list[int] = []
    done = 0
    for cut in cuts:
        sent = int((size - done) * cut)
        drops.append(sent)
        done += sent
    server = FileServer(data, drops=list(drops), drop_with_error=not clean, piece=777)
    with client_for(server) as http:
        result = download_file(
            http, URL, folder, backoff=no_wait, chunk_size=chunk, max_attempts=len(cuts) + 1
        )
    assert result.path.read_bytes() == data
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert server.sent == size
    assert result.attempts == len(cuts) + 1
    offsets = [sum(drops[:n]) for n in range(len(drops) + 1)]
    assert server.ranges() == [f"bytes={o}-" if o else None for o in offsets]
    assert result.resumed_from == offsets[-1]


# --- async ------------------------------------------------------------------------------------


async def test_async_dropped_connection_resumes(tmp_path: Path) -> None:
    data = payload(500_000)
    server = FileServer(data, drops=[123_456])
    async with aclient_for(server, headers={"Authorization": f"Bearer {KEY}"}) as http:
        result = await adownload_file(http, URL, tmp_path, backoff=no_wait)
    assert result.path.read_bytes() == data
    assert result.resumed_from == 123_456
    assert server.ranges() == [None, "bytes=123456-"]
    assert server.sent == len(data)
    assert all("Authorization" not in r.headers for r in server.requests)


async def test_async_expired_link_is_refreshed(tmp_path: Path) -> None:
    data = payload(5000)
    server = FileServer(data, expired_urls={URL})

    async def refresh(url: str) -> str:
        return FRESH

    async with aclient_for(server) as http:
        result = await adownload_file(http, URL, tmp_path, refresh=refresh)
    assert result.refreshed
    assert result.path.read_bytes() == data


async def test_async_gives_up_and_keeps_nothing_under_the_final_name(tmp_path: Path) -> None:
    server = FileServer(payload(1000), statuses=[(500, {})] * 3)
    async with aclient_for(server) as http:
        with pytest.raises(DownloadError, match="HTTP 500"):
            await adownload_file(http, URL, tmp_path, backoff=no_wait, max_attempts=3)
    assert only_file(tmp_path) == []


async def test_async_expired_without_refresh(tmp_path: Path) -> None:
    async with aclient_for(lambda request: httpx.Response(410)) as http:
        with pytest.raises(DownloadError) as caught:
            await adownload_file(http, URL, tmp_path)
    assert caught.value.code == 410


async def test_async_refresh_failure_and_gzip(tmp_path: Path) -> None:
    data = payload(3000)
    packed = gzip.compress(data)

    def server(request: httpx.Request) -> httpx.Response:
        if str(request.url) == URL:
            return httpx.Response(403)
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=packed)

    async def broken(url: str) -> str:
        raise ServerError("nope", code=500, retryable=False)

    async def good(url: str) -> str:
        return FRESH

    async with aclient_for(server) as http:
        with pytest.raises(DownloadError, match="fresh link"):
            await adownload_file(http, URL, tmp_path, refresh=broken)
        result = await adownload_file(http, URL, tmp_path, refresh=good)
    assert result.path.read_bytes() == data
