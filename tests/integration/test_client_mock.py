"""Client and AsyncClient against a fake KIE server (httpx.MockTransport), with fake time."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import httpx
import pytest

from kie_core import AsyncClient, Client, Video
from kie_core.calls import EndpointCall
from kie_core.errors import (
    ConfigurationError,
    DownloadError,
    InvalidRequestError,
    TaskFailedError,
    TaskTimeoutError,
    UnknownModelError,
)
from kie_core.models import DeprecatedModelWarning
from kie_core.polling import PollSchedule
from kie_core.ratelimit import RateLimiter
from kie_core.request import VideoRequest
from kie_core.retry import RetryPolicy
from kie_core.status import TaskHandle, TaskState, TaskStatus
from kie_core.transport import USER_AGENT

from .client_fakes import API, FILES, KEY, UPLOAD, FakeKie, FakeTime, make_registry

REQUEST = VideoRequest(model="kling-2.5-turbo", prompt="a fox runs through snow", duration=10)


def options(kie: FakeKie, clock: FakeTime, **extra: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "base_url": API,
        "upload_base_url": UPLOAD,
        "registry": make_registry(),
        "transport": kie.transport(),
        "clock": clock.monotonic,
        "rate_limiter": RateLimiter(clock=clock.monotonic),
        "retry": RetryPolicy(rand=lambda: 0.5),
        "poll": PollSchedule(rand=lambda: 0.0),
        "journal": False,
    }
    settings.update(extra)
    return settings


def sync_client(kie: FakeKie, clock: FakeTime, **extra: Any) -> Client:
    return Client(KEY, sleep=clock.sleep, **options(kie, clock, **extra))


def async_client(kie: FakeKie, clock: FakeTime, **extra: Any) -> AsyncClient:
    return AsyncClient(KEY, sleep=clock.asleep, **options(kie, clock, **extra))


# --- the whole path ------------------------------------------------------------------------


def test_generate_creates_polls_and_returns_the_video(kie: FakeKie, clock: FakeTime) -> None:
    seen: list[str] = []
    with sync_client(kie, clock) as client:
        video = client.generate(REQUEST, on_update=lambda s: seen.append(s.raw_state))
    assert isinstance(video, Video)
    assert kie.creates == [
        {
            "model": "kling/v2-5-turbo-text-to-video-pro",
            "input": {
                "prompt": "a fox runs through snow",
                "duration": "10",
                "aspect_ratio": "16:9",
            },
        }
    ]
    assert seen == ["waiting", "generating", "success"]
    assert video.task_id == "task0001"
    assert video.url == f"{FILES}/task0001/0.mp4"
    assert video.status.succeeded
    handle = video.handle
    assert (handle.model, handle.provider, handle.family) == (
        "kling-2.5-turbo",
        "test-kling",
        "market",
    )
    assert handle.kie_model == "kling/v2-5-turbo-text-to-video-pro"
    assert handle.variant == "pro"
    assert handle.estimated_credits == 84
    # Documented schedule, jitter pinned to its low end: 2 s between polls.
    assert clock.sleeps == [2.0, 2.0]


async def test_async_generate_is_the_same_path(kie: FakeKie, clock: FakeTime) -> None:
    async with async_client(kie, clock) as client:
        video = await client.generate(REQUEST)
    assert video.url == f"{FILES}/task0001/0.mp4"
    assert len(kie.creates) == 1
    assert clock.sleeps == [2.0, 2.0]


def test_requests_carry_bearer_auth_and_the_user_agent(kie: FakeKie, clock: FakeTime) -> None:
    with sync_client(kie, clock) as client:
        assert client.credits() == 1234.0
    request = kie.requests[0]
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.headers["User-Agent"] == USER_AGENT
    assert request.url == f"{API}/api/v1/chat/credit"


def test_submit_status_and_wait_separately(kie: FakeKie, clock: FakeTime) -> None:
    with sync_client(kie, clock) as client:
        handle = client.submit(REQUEST)
        first = client.status(handle)
        assert first.state is TaskState.PENDING
        by_id = client.status(handle.task_id)
        assert by_id.state is TaskState.RUNNING
        final = client.wait(TaskHandle.model_validate_json(handle.model_dump_json()))
    assert final.succeeded
    assert final.result_urls == (f"{FILES}/task0001/0.mp4",)


def test_wait_raises_kies_failure_reason(clock: FakeTime) -> None:
    kie = FakeKie(steps=("waiting", "fail"), fail_code="422", fail_msg="prohibited content")
    with sync_client(kie, clock) as client, pytest.raises(TaskFailedError) as caught:
        client.generate(REQUEST)
    assert caught.value.fail_code == "422"
    assert caught.value.task_id == "task0001"
    assert "prohibited content" in str(caught.value)
    assert len(kie.sent("/api/v1/jobs/recordInfo")) == 2


def test_wait_times_out_with_the_last_status(clock: FakeTime) -> None:
    kie = FakeKie(steps=("generating",))
    with sync_client(kie, clock) as client:
        handle = client.submit(REQUEST)
        with pytest.raises(TaskTimeoutError) as caught:
            client.wait(handle, timeout=60)
    assert isinstance(caught.value.status, TaskStatus)
    assert caught.value.status.raw_state == "generating"
    assert caught.value.task_id == handle.task_id
    assert sum(clock.sleeps) == pytest.approx(60.0)


def test_the_default_deadline_is_fifteen_minutes(clock: FakeTime) -> None:
    kie = FakeKie(steps=("generating",))
    with sync_client(kie, clock) as client, pytest.raises(TaskTimeoutError):
        client.generate(REQUEST)
    assert sum(clock.sleeps) == pytest.approx(900.0)
    # 2-3 s for 30 s, 5-10 s until 2 min, then 15-30 s (low end pinned).
    assert clock.sleeps[:15] == [2.0] * 15
    assert set(clock.sleeps[15:33]) == {5.0}
    assert set(clock.sleeps[33:-1]) == {15.0}


def test_status_of_a_task_id_uses_the_family_argument_or_market(
    kie: FakeKie, clock: FakeTime
) -> None:
    with sync_client(kie, clock) as client:
        handle = client.submit(REQUEST)
        assert client.status(handle.task_id).task_id == handle.task_id
        assert client.status(handle.task_id, family="market").task_id == handle.task_id
        with pytest.raises(Exception, match="unknown task family 'nope'"):
            client.status(handle.task_id, family="nope")
        with pytest.raises(InvalidRequestError, match="task"):
            client.status("  ")


# --- downloads ---------------------------------------------------------------------------


def test_download_names_the_file_after_the_task(
    kie: FakeKie, clock: FakeTime, tmp_path: Path
) -> None:
    progress: list[tuple[int, int | None]] = []
    with sync_client(kie, clock) as client:
        video = client.generate(REQUEST)
        path = video.download(
            tmp_path, on_progress=lambda done, total: progress.append((done, total))
        )
    assert path == tmp_path / "task0001.mp4"
    assert path.read_bytes() == kie.files[video.url]
    assert progress[-1][0] == len(kie.files[video.url])
    file_request = next(r for r in kie.requests if r.url.host == "tempfile.kie.test")
    assert "Authorization" not in file_request.headers


def test_several_results_are_numbered(clock: FakeTime, tmp_path: Path) -> None:
    kie = FakeKie(steps=("success",), results=3)
    with sync_client(kie, clock) as client:
        video = client.generate(REQUEST)
        paths = client.download_all(video, tmp_path)
        first = client.download(video.handle, tmp_path / "again")
    assert [p.name for p in paths] == ["task0001-1.mp4", "task0001-2.mp4", "task0001-3.mp4"]
    assert first.name == "task0001-1.mp4"
    with sync_client(kie, clock) as client:
        named = client.download_all(video.status, tmp_path / "named", filename="fox.mp4")
    assert [p.name for p in named] == ["fox-1.mp4", "fox-2.mp4", "fox-3.mp4"]


def test_an_expired_link_is_refreshed_through_download_url(
    kie: FakeKie, clock: FakeTime, tmp_path: Path
) -> None:
    with sync_client(kie, clock) as client:
        video = client.generate(REQUEST)
        kie.expired.add(video.url)
        path = client.download(video.task_id, tmp_path, filename="fox.mp4")
    assert path.read_bytes() == kie.files[video.url]
    refresh = kie.sent("/api/v1/common/download-url")
    assert [json.loads(r.content) for r in refresh] == [{"url": video.url}]


async def test_async_download(kie: FakeKie, clock: FakeTime, tmp_path: Path) -> None:
    async with async_client(kie, clock) as client:
        video = await client.generate(REQUEST)
        kie.expired.add(video.url)
        path = await video.adownload(tmp_path)
    assert path.read_bytes() == kie.files[video.url]
    with pytest.raises(TypeError, match="adownload"):
        video.download(tmp_path)


def test_downloading_an_unfinished_or_failed_task_is_refused(
    kie: FakeKie, clock: FakeTime, tmp_path: Path
) -> None:
    running = TaskStatus(task_id="t1", state=TaskState.RUNNING, raw_state="generating")
    failed = TaskStatus(task_id="t1", state=TaskState.FAILED, fail_message="nsfw")
    empty = TaskStatus(task_id="t1", state=TaskState.SUCCEEDED)
    with sync_client(kie, clock) as client:
        with pytest.raises(DownloadError, match="generating"):
            client.download(running, tmp_path)
        with pytest.raises(TaskFailedError, match="nsfw"):
            client.download(failed, tmp_path)
        with pytest.raises(DownloadError, match="no result file"):
            client.download(empty, tmp_path)
    assert kie.requests == []


# --- uploads -------------------------------------------------------------------------------


def test_local_inputs_are_uploaded_before_the_create(
    kie: FakeKie, clock: FakeTime, tmp_path: Path
) -> None:
    frame = tmp_path / "frame.png"
    frame.write_bytes(b"\x89PNG fake image")
    request = VideoRequest(model="kling-2.5-turbo", prompt="a fox", first_frame=str(frame))
    with sync_client(kie, clock) as client:
        handle = client.submit(request)
    assert handle.kie_model == "kling/v2-5-turbo-image-to-video-pro"
    assert [u["name"] for u in kie.uploads] == ["frame.png"]
    upload = kie.sent("/api/file-stream-upload")[0]
    assert upload.url.host == "upload.kie.test"
    assert upload.headers["Authorization"] == f"Bearer {KEY}"
    assert b'name="uploadPath"\r\n\r\nkie/inputs' in upload.content
    assert kie.creates[0]["input"]["image_url"] == f"{FILES}/kie/inputs/1-frame.png"
    assert [r.url.path for r in kie.requests] == [
        "/api/file-stream-upload",
        "/api/v1/jobs/createTask",
    ]


async def test_async_upload_returns_the_download_url(
    kie: FakeKie, clock: FakeTime, tmp_path: Path
) -> None:
    source = tmp_path / "clip.mp4"
    source.write_bytes(b"fake video" * 100)
    async with async_client(kie, clock) as client:
        url = await client.upload(source, upload_path="/my/folder/")
    assert url == f"{FILES}/kie/inputs/1-clip.mp4"
    assert b"fake video" * 100 in kie.uploads[0]["body"]
    assert b'name="uploadPath"\r\n\r\nmy/folder' in kie.uploads[0]["body"]


def test_upload_refusals(kie: FakeKie, clock: FakeTime, tmp_path: Path) -> None:
    with sync_client(kie, clock) as client:
        with pytest.raises(InvalidRequestError, match="no such file"):
            client.upload(tmp_path / "missing.png")
        kie.script(
            "/api/file-stream-upload",
            httpx.Response(200, json={"success": False, "code": 400, "msg": "Missing uploadPath"}),
        )
        (tmp_path / "a.png").write_bytes(b"x")
        with pytest.raises(Exception, match="Missing uploadPath") as caught:
            client.upload(tmp_path / "a.png")
    assert type(caught.value).__name__ == "BadRequestError"


def test_a_missing_local_file_is_refused_before_anything_is_sent(
    kie: FakeKie, clock: FakeTime, tmp_path: Path
) -> None:
    request = VideoRequest(
        model="kling-2.5-turbo", prompt="a fox", first_frame=str(tmp_path / "nope.png")
    )
    with sync_client(kie, clock) as client, pytest.raises(InvalidRequestError) as caught:
        client.submit(request)
    assert caught.value.field == "first_frame"
    assert kie.requests == []


# --- other calls -------------------------------------------------------------------------


def test_download_url_and_raw_calls(kie: FakeKie, clock: FakeTime) -> None:
    with sync_client(kie, clock) as client:
        assert client.download_url(f"{FILES}/x.mp4") == f"{FILES}/x.mp4?fresh=1"
        data = client.call(EndpointCall(method="GET", path="/api/v1/chat/credit"))
    assert data == 1234


def test_non_url_answers_are_malformed(kie: FakeKie, clock: FakeTime) -> None:
    kie.script(
        "/api/v1/common/download-url",
        *[httpx.Response(200, json={"code": 200, "msg": "ok", "data": 5})] * 5,
    )
    kie.script(
        "/api/v1/chat/credit",
        *[httpx.Response(200, json={"code": 200, "msg": "ok", "data": "lots"})] * 5,
    )
    with sync_client(kie, clock) as client:
        with pytest.raises(Exception, match="not a URL"):
            client.download_url(f"{FILES}/x.mp4")
        with pytest.raises(Exception, match="not a number"):
            client.credits()


# --- configuration -------------------------------------------------------------------------


def test_resolve_and_prepare_need_no_key(kie: FakeKie, clock: FakeTime) -> None:
    client = Client(registry=make_registry(), transport=kie.transport(), journal=False)
    assert not client.has_api_key
    prepared = client.prepare(REQUEST)
    assert prepared.call.body == kie_body()
    assert prepared.estimated_credits == 84
    assert prepared.warnings == ()
    assert client.resolve(REQUEST).mode.name == "text-to-video"
    with pytest.raises(ConfigurationError, match="KIE_API_KEY"):
        client.credits()
    with pytest.raises(ConfigurationError, match="KIE_API_KEY"):
        client.submit(REQUEST)
    assert kie.requests == []
    client.close()


def kie_body() -> dict[str, Any]:
    return {
        "model": "kling/v2-5-turbo-text-to-video-pro",
        "input": {
            "prompt": "a fox runs through snow",
            "duration": "10",
            "aspect_ratio": "16:9",
        },
    }


def test_unknown_models_and_bad_values_are_refused_locally(kie: FakeKie, clock: FakeTime) -> None:
    with sync_client(kie, clock) as client:
        with pytest.raises(UnknownModelError):
            client.submit(VideoRequest(model="nope", prompt="x"))
        with pytest.raises(InvalidRequestError) as caught:
            client.submit(VideoRequest(model="kling-2.5-turbo", prompt="x", duration=7))
    assert caught.value.field == "duration"
    assert kie.requests == []


def test_environment_configuration(monkeypatch: pytest.MonkeyPatch, kie: FakeKie) -> None:
    monkeypatch.setenv("KIE_API_KEY", KEY)
    monkeypatch.setenv("KIE_BASE_URL", API + "/")
    monkeypatch.setenv("KIE_UPLOAD_BASE_URL", UPLOAD)
    with Client(registry=make_registry(), transport=kie.transport(), rate_limiter=False) as client:
        assert client.base_url == API
        assert client.upload_base_url == UPLOAD
        assert client.has_api_key
        assert client.credits() == 1234.0
    with Client("explicit", base_url="https://other.test", upload_base_url="https://u.test") as c:
        assert (c.base_url, c.upload_base_url) == ("https://other.test", "https://u.test")


def test_bad_configuration_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="base_url must be an http"):
        Client(KEY, base_url="api.kie.ai")
    with pytest.raises(ConfigurationError, match="upload_base_url"):
        Client(KEY, upload_base_url="ftp://x")
    with pytest.raises(ConfigurationError, match="timeout must be positive"):
        AsyncClient(KEY, timeout=0)


def test_defaults_point_at_kie() -> None:
    with Client() as client:
        assert client.base_url == "https://api.kie.ai"
        assert client.upload_base_url == "https://kieai.redpandaai.co"
        assert client.journal is None
        timeout = client._timeout
        assert (timeout.connect, timeout.read) == (10.0, 30.0)


def test_journal_is_opt_in(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with Client() as client:
        assert client.journal is None
    monkeypatch.setenv("KIE_JOURNAL", str(tmp_path / "j.sqlite3"))
    with Client() as client:
        assert client.journal is not None
        assert client.journal.path == tmp_path / "j.sqlite3"
    with Client(journal=False) as client:
        assert client.journal is None


def test_deprecation_warning_comes_before_any_request(kie: FakeKie, clock: FakeTime) -> None:
    request = VideoRequest(model="old-model", prompt="a fox")
    with sync_client(kie, clock) as client:
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecatedModelWarning)
            with pytest.raises(DeprecatedModelWarning, match="deprecated since 2026-09-24"):
                client.submit(request)
        assert kie.requests == []
        with pytest.warns(DeprecatedModelWarning):
            client.submit(request)
    assert len(kie.creates) == 1


# --- batches -------------------------------------------------------------------------------


async def test_async_generate_many_keeps_order_and_collects_errors(clock: FakeTime) -> None:
    kie = FakeKie(steps=("success",))
    requests = [VideoRequest(model="kling-2.5-turbo", prompt=f"fox {n}") for n in range(6)] + [
        VideoRequest(model="kling-2.5-turbo", prompt="x", duration=7)
    ]
    done: list[int] = []
    async with async_client(kie, clock) as client:
        results = await client.generate_many(
            requests, concurrency=3, on_done=lambda i, _: done.append(i)
        )
    assert [type(r).__name__ for r in results] == ["Video"] * 6 + ["InvalidRequestError"]
    prompts = [kie.tasks[r.task_id]["input"]["prompt"] for r in results if isinstance(r, Video)]
    assert prompts == [f"fox {n}" for n in range(6)]
    assert sorted(done) == list(range(7))


def test_sync_generate_many(clock: FakeTime) -> None:
    kie = FakeKie(steps=("success",))
    requests = [VideoRequest(model="kling-2.5-turbo", prompt=f"fox {n}") for n in range(5)]
    with sync_client(kie, clock, rate_limiter=False) as client:
        results = client.generate_many(requests, concurrency=2)
        with pytest.raises(InvalidRequestError, match="concurrency"):
            client.generate_many(requests, concurrency=0)
    assert all(isinstance(r, Video) for r in results)
    assert len(kie.creates) == 5


async def test_generate_many_never_has_more_tasks_in_flight_than_asked() -> None:
    kie = FakeKie(steps=("waiting", "generating", "success"))
    in_flight = 0
    peak = 0
    finished: set[str] = set()

    def track(request: httpx.Request) -> None:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)

    kie.on_create = track
    original = kie.serve_record

    def record(task_id: str) -> httpx.Response:
        nonlocal in_flight
        response = original(task_id)
        if json.loads(response.content)["data"]["state"] == "success" and task_id not in finished:
            finished.add(task_id)
            in_flight -= 1
        return response

    kie.serve_record = record  # type: ignore[method-assign]
    requests = [VideoRequest(model="kling-2.5-turbo", prompt=f"fox {n}") for n in range(12)]
    async with AsyncClient(
        KEY,
        base_url=API,
        registry=make_registry(),
        transport=kie.transport(),
        rate_limiter=False,
        poll=PollSchedule(phases=PollSchedule.fast().phases, rand=lambda: 0.0),
        journal=False,
    ) as client:
        results = await client.generate_many(requests, concurrency=4)
    assert all(isinstance(r, Video) for r in results)
    assert peak == 4
