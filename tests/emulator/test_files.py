"""Result files: the MP4 itself, Range/ETag/416 handling, padding, link expiry and refresh."""

from __future__ import annotations

import asyncio
import json
import struct

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kie_emulator.media import PaddedVideo, sample_video
from kie_emulator.pytest_plugin import EmulatorHandle

from .conftest import create, ok_data

CREATE = "/api/v1/jobs/createTask"
RECORD = "/api/v1/jobs/recordInfo"
SAMPLE = sample_video()
SIZE = len(SAMPLE)


def result_url(client: httpx.Client, kie_emulator: EmulatorHandle) -> str:
    body = {"model": "kling/v2-5-turbo-text-to-video-pro", "input": {"prompt": "p"}}
    task_id = create(client, CREATE, body)
    kie_emulator.advance(1)
    record = ok_data(client.get(RECORD, params={"taskId": task_id}))
    url = json.loads(record["resultJson"])["resultUrls"][0]
    assert isinstance(url, str)
    return url


@pytest.fixture
def url(client: httpx.Client, kie_emulator: EmulatorHandle) -> str:
    return result_url(client, kie_emulator)


def boxes(data: bytes) -> list[tuple[bytes, int]]:
    """Top-level ISO-BMFF boxes as (type, size)."""
    found = []
    pos = 0
    while pos < len(data):
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
        found.append((kind, size))
        pos += size
    assert pos == len(data)
    return found


def test_sample_is_a_small_faststart_h264_mp4() -> None:
    assert SAMPLE[4:8] == b"ftyp"
    kinds = [k for k, _ in boxes(SAMPLE)]
    assert kinds.index(b"moov") < kinds.index(b"mdat")
    assert b"avc1" in SAMPLE
    assert 1000 < SIZE < 100_000


def test_full_download_headers(url: str, http: httpx.Client) -> None:
    response = http.get(url)
    assert response.status_code == 200
    assert response.content == SAMPLE
    assert response.headers["content-type"] == "video/mp4"
    assert response.headers["content-length"] == str(SIZE)
    assert response.headers["accept-ranges"] == "bytes"
    etag = response.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    head = http.head(url)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(SIZE)
    assert head.headers["etag"] == etag


def test_single_ranges(url: str, http: httpx.Client) -> None:
    cases = {
        "bytes=0-7": (0, 7),
        "bytes=100-": (100, SIZE - 1),
        "bytes=-10": (SIZE - 10, SIZE - 1),
        f"bytes=10-{SIZE + 50}": (10, SIZE - 1),
        f"bytes=-{SIZE * 2}": (0, SIZE - 1),
    }
    for header, (start, end) in cases.items():
        response = http.get(url, headers={"Range": header})
        assert response.status_code == 206, header
        assert response.headers["content-range"] == f"bytes {start}-{end}/{SIZE}"
        assert response.content == SAMPLE[start : end + 1]


def test_unsatisfiable_and_ignored_ranges(url: str, http: httpx.Client) -> None:
    for header in (f"bytes={SIZE}-", f"bytes={SIZE + 10}-{SIZE + 20}", "bytes=-0"):
        response = http.get(url, headers={"Range": header})
        assert response.status_code == 416, header
        assert response.headers["content-range"] == f"bytes */{SIZE}"
        assert response.content == b""
    for header in ("bytes=5-2", "items=0-5", "bytes=0-1,4-5", "bytes=x-y"):
        response = http.get(url, headers={"Range": header})
        assert response.status_code == 200, header
        assert response.content == SAMPLE


def test_conditional_requests(url: str, http: httpx.Client) -> None:
    etag = http.head(url).headers["etag"]
    assert http.get(url, headers={"If-None-Match": etag}).status_code == 304
    same = http.get(url, headers={"Range": "bytes=0-3", "If-Range": etag})
    assert same.status_code == 206
    changed = http.get(url, headers={"Range": "bytes=0-3", "If-Range": '"other"'})
    assert changed.status_code == 200
    assert changed.content == SAMPLE


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=st.integers(min_value=0, max_value=SIZE + 100),
    length=st.one_of(st.none(), st.integers(min_value=0, max_value=SIZE + 100)),
    suffix=st.booleans(),
)
def test_random_ranges_match_the_bytes(
    url: str, start: int, length: int | None, suffix: bool, http: httpx.Client
) -> None:
    if suffix:
        header = f"bytes=-{start}"
        expected_start = max(SIZE - start, 0)
        expected_end = SIZE - 1
        unsatisfiable = start == 0
    else:
        end = None if length is None else start + length
        header = f"bytes={start}-" + ("" if end is None else str(end))
        expected_start = start
        expected_end = SIZE - 1 if end is None else min(end, SIZE - 1)
        unsatisfiable = start >= SIZE
    response = http.get(url, headers={"Range": header})
    if unsatisfiable:
        assert response.status_code == 416
        return
    assert response.status_code == 206
    assert response.content == SAMPLE[expected_start : expected_end + 1]
    assert response.headers["content-range"] == f"bytes {expected_start}-{expected_end}/{SIZE}"


def test_unknown_token_is_404(kie_emulator: EmulatorHandle, http: httpx.Client) -> None:
    assert http.get(f"{kie_emulator.base_url}/files/{'0' * 32}/x.mp4").status_code == 404


def test_links_expire_and_download_url_refreshes_them(
    kie_emulator: EmulatorHandle, client: httpx.Client, http: httpx.Client
) -> None:
    kie_emulator.configure(link_ttl=60)
    url = result_url(client, kie_emulator)
    assert http.get(url).status_code == 200
    kie_emulator.advance(61)
    expired = http.get(url)
    assert expired.status_code == 403
    assert "download-url" in expired.text
    fresh = ok_data(client.post("/api/v1/common/download-url", json={"url": url}))
    response = http.get(fresh)
    assert response.status_code == 200
    assert response.content == SAMPLE


def test_expired_link_fault_issues_dead_links(
    kie_emulator: EmulatorHandle, client: httpx.Client, http: httpx.Client
) -> None:
    kie_emulator.set_fault("expired-link", times=1, paths=[CREATE])
    url = result_url(client, kie_emulator)
    assert http.get(url).status_code == 403
    fresh = ok_data(client.post("/api/v1/common/download-url", json={"url": url}))
    assert http.get(fresh).status_code == 200
    assert http.get(result_url(client, kie_emulator)).status_code == 200


@pytest.mark.kie_emulator(result_bytes=3_000_000)
def test_padded_result_has_the_configured_size(
    kie_emulator: EmulatorHandle, client: httpx.Client, http: httpx.Client
) -> None:
    url = result_url(client, kie_emulator)
    response = http.get(url)
    assert response.status_code == 200
    body = response.content
    assert len(body) == 3_000_000
    assert body[:SIZE] == SAMPLE
    assert boxes(body)[-1] == (b"free", 3_000_000 - SIZE)
    tail = http.get(url, headers={"Range": "bytes=-5"})
    assert tail.content == b"\x00" * 5
    assert tail.headers["content-range"] == "bytes 2999995-2999999/3000000"


@given(
    total=st.integers(min_value=SIZE + 8, max_value=SIZE + 3 * 256 * 1024),
    start=st.integers(min_value=0),
    span=st.integers(min_value=0, max_value=600_000),
)
@settings(max_examples=40, deadline=None)
def test_padded_video_chunks_match_its_bytes(total: int, start: int, span: int) -> None:
    video = PaddedVideo(SAMPLE, total)
    start %= total
    end = min(start + span, total - 1)

    async def collect() -> bytes:
        return b"".join([chunk async for chunk in video.iter_range(start, end)])

    assert asyncio.run(collect()) == video.read(start, end)
    assert len(video.read(0, total - 1)) == total


def test_padding_too_small_is_refused() -> None:
    with pytest.raises(ValueError, match="result_bytes"):
        PaddedVideo(SAMPLE, SIZE + 3)
    assert PaddedVideo(SAMPLE, SIZE).read(0, SIZE - 1) == SAMPLE
