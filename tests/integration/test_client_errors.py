"""Typed errors, retries and the never-pay-twice rules of the client (httpx.MockTransport)."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path
from typing import Any

import httpx
import pytest

from kie_core import AsyncClient, Client
from kie_core.errors import (
    CODE_TO_ERROR,
    AmbiguousCreateError,
    ApiError,
    ConfigurationError,
    DownloadError,
    InvalidRequestError,
    KieError,
    MalformedResponseError,
    RateLimitError,
    ServerError,
    TaskFailedError,
    TaskTimeoutError,
    TransportError,
)
from kie_core.polling import PollSchedule
from kie_core.ratelimit import RateLimiter
from kie_core.request import VideoRequest
from kie_core.retry import RetryPolicy
from kie_core.status import TaskState, TaskStatus

from .client_fakes import API, FILES, KEY, UPLOAD, FakeKie, FakeTime, Lose, make_registry

CREATE = "/api/v1/jobs/createTask"
RECORD = "/api/v1/jobs/recordInfo"
REQUEST = VideoRequest(model="kling-2.5-turbo", prompt="a fox runs through snow")

RETRIED_CODES = sorted(code for code, cls in CODE_TO_ERROR.items() if cls.default_retryable)
FINAL_CODES = sorted(code for code, cls in CODE_TO_ERROR.items() if not cls.default_retryable)
NOT_TAKEN_CODES = [429, 455]
SERVER_CODES = sorted(code for code, cls in CODE_TO_ERROR.items() if cls is ServerError)


@pytest.fixture
def kie() -> FakeKie:
    return FakeKie(steps=("success",))


def settings(kie: FakeKie, clock: FakeTime, **extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "base_url": API,
        "upload_base_url": UPLOAD,
        "registry": make_registry(),
        "transport": kie.transport(),
        "clock": clock.monotonic,
        "rate_limiter": RateLimiter(clock=clock.monotonic),
        "retry": RetryPolicy(max_attempts=4, base_delay=1.0, rand=lambda: 0.5),
        "poll": PollSchedule(rand=lambda: 0.0),
        "journal": False,
    }
    values.update(extra)
    return values


def client_for(kie: FakeKie, clock: FakeTime, **extra: Any) -> Client:
    return Client(KEY, sleep=clock.sleep, **settings(kie, clock, **extra))


def answer(
    code: int, msg: str = "problem", http_status: int = 200, **headers: str
) -> httpx.Response:
    return httpx.Response(
        http_status, json={"code": code, "msg": msg, "data": None}, headers=headers
    )


def create_attempts(kie: FakeKie) -> int:
    return len(kie.sent(CREATE))


# --- envelope errors inside HTTP 200 --------------------------------------------------------


@pytest.mark.parametrize("code", FINAL_CODES)
def test_a_refused_create_raises_its_typed_error_and_is_not_resent(
    kie: FakeKie, clock: FakeTime, code: int
) -> None:
    kie.script(CREATE, answer(code, f"refused {code}"))
    with client_for(kie, clock) as client, pytest.raises(ApiError) as caught:
        client.submit(REQUEST)
    error = caught.value
    assert type(error) is CODE_TO_ERROR[code]
    assert (error.code, error.http_status, error.path) == (code, 200, CREATE)
    assert f"refused {code}" in str(error)
    assert not error.retryable
    assert create_attempts(kie) == 1


@pytest.mark.parametrize("code", NOT_TAKEN_CODES)
def test_rate_limit_and_maintenance_on_create_are_resent(
    kie: FakeKie, clock: FakeTime, code: int
) -> None:
    kie.script(CREATE, answer(code), answer(code))
    with client_for(kie, clock) as client:
        handle = client.submit(REQUEST)
    assert handle.task_id == "task0001"
    assert create_attempts(kie) == 3
    assert len(kie.tasks) == 1
    # Full-jitter backoff (rand pinned to 0.5): 0.5 s, then 1 s; the limiter's even spacing
    # (10.25 s / 20 between creates) adds what the backoff did not already cover.
    assert clock.sleeps == [0.5, pytest.approx(0.0125), 1.0]


@pytest.mark.parametrize("code", SERVER_CODES)
def test_a_server_error_on_create_is_ambiguous_and_not_resent(
    kie: FakeKie, clock: FakeTime, code: int
) -> None:
    kie.script(CREATE, answer(code, "upstream trouble"))
    with client_for(kie, clock) as client, pytest.raises(AmbiguousCreateError) as caught:
        client.submit(REQUEST)
    assert create_attempts(kie) == 1
    assert isinstance(caught.value.__cause__, ServerError)
    # KIE's server error is still visible as one: callers catching ServerError see it too.
    assert isinstance(caught.value, ServerError)
    assert not caught.value.retryable
    assert caught.value.code == code
    assert "not sent again" in str(caught.value)


@pytest.mark.parametrize("code", FINAL_CODES)
def test_a_refused_status_query_raises_its_typed_error(
    kie: FakeKie, clock: FakeTime, code: int
) -> None:
    kie.script(RECORD, answer(code, f"no {code}"))
    with client_for(kie, clock) as client, pytest.raises(ApiError) as caught:
        client.status("task0001")
    assert type(caught.value) is CODE_TO_ERROR[code]
    assert caught.value.task_id == "task0001"
    assert len(kie.sent(RECORD)) == 1


@pytest.mark.parametrize("code", RETRIED_CODES)
def test_a_transient_status_error_is_retried(kie: FakeKie, clock: FakeTime, code: int) -> None:
    with client_for(kie, clock) as client:
        handle = client.submit(REQUEST)
        kie.script(RECORD, answer(code), answer(code))
        status = client.status(handle)
    assert status.succeeded
    assert len(kie.sent(RECORD)) == 3


@pytest.mark.parametrize("code", RETRIED_CODES)
def test_retries_run_out_with_the_typed_error(kie: FakeKie, clock: FakeTime, code: int) -> None:
    kie.script(RECORD, *[answer(code)] * 4)
    with client_for(kie, clock) as client, pytest.raises(ApiError) as caught:
        client.status("task0001")
    assert type(caught.value) is CODE_TO_ERROR[code]
    assert caught.value.retryable
    assert len(kie.sent(RECORD)) == 4


# --- lost answers and the network ------------------------------------------------------------

LOST = [
    httpx.ReadTimeout("timed out"),
    httpx.ReadError("connection reset by peer"),
    httpx.RemoteProtocolError("server disconnected without sending a response"),
    httpx.WriteError("broken pipe"),
    httpx.WriteTimeout("write timed out"),
]
NOT_SENT = [
    httpx.ConnectError("connection refused"),
    httpx.ConnectTimeout("connect timed out"),
    httpx.PoolTimeout("no free connection"),
]


@pytest.mark.parametrize("error", LOST, ids=lambda e: type(e).__name__)
def test_a_lost_create_answer_is_ambiguous_and_never_resent(
    kie: FakeKie, clock: FakeTime, error: Exception
) -> None:
    kie.script(CREATE, Lose(error))
    with client_for(kie, clock) as client, pytest.raises(AmbiguousCreateError) as caught:
        client.submit(REQUEST)
    assert create_attempts(kie) == 1
    assert len(kie.tasks) == 1  # the server did create it: re-sending would pay twice
    assert caught.value.__cause__ is error
    assert not caught.value.retryable
    assert type(error).__name__ in str(caught.value)


async def test_async_lost_create_answer_is_ambiguous(kie: FakeKie, clock: FakeTime) -> None:
    kie.script(CREATE, Lose(httpx.ReadTimeout("timed out")))
    async with AsyncClient(KEY, sleep=clock.asleep, **settings(kie, clock)) as client:
        with pytest.raises(AmbiguousCreateError):
            await client.submit(REQUEST)
    assert create_attempts(kie) == 1
    assert len(kie.tasks) == 1


def test_an_unreadable_create_answer_is_ambiguous(kie: FakeKie, clock: FakeTime) -> None:
    kie.script(CREATE, httpx.Response(200, text="<html>oops</html>"))
    with client_for(kie, clock) as client, pytest.raises(AmbiguousCreateError) as caught:
        client.submit(REQUEST)
    assert isinstance(caught.value.__cause__, MalformedResponseError)
    kie.script(CREATE, httpx.Response(200, json={"code": 200, "msg": "success", "data": {}}))
    with client_for(kie, clock) as client, pytest.raises(AmbiguousCreateError, match="taskId"):
        client.submit(REQUEST)
    assert create_attempts(kie) == 2


@pytest.mark.parametrize("error", NOT_SENT, ids=lambda e: type(e).__name__)
def test_a_connection_failure_before_sending_is_resent(
    kie: FakeKie, clock: FakeTime, error: Exception
) -> None:
    kie.script(CREATE, error, error)
    with client_for(kie, clock) as client:
        handle = client.submit(REQUEST)
    assert handle.task_id == "task0001"
    assert not kie.scripts[CREATE]  # both failures were consumed: three attempts in all
    assert create_attempts(kie) == 1
    assert len(kie.tasks) == 1


def test_connection_failures_that_never_end_are_a_retryable_transport_error(
    kie: FakeKie, clock: FakeTime
) -> None:
    kie.script(CREATE, *[httpx.ConnectError("connection refused")] * 4)
    with client_for(kie, clock) as client, pytest.raises(TransportError) as caught:
        client.submit(REQUEST)
    assert not isinstance(caught.value, AmbiguousCreateError)
    assert caught.value.retryable
    assert "ConnectError: connection refused" in str(caught.value)
    assert kie.tasks == {}


@pytest.mark.parametrize("error", [*LOST, *NOT_SENT], ids=lambda e: type(e).__name__)
def test_status_queries_are_retried_after_any_network_failure(
    kie: FakeKie, clock: FakeTime, error: Exception
) -> None:
    with client_for(kie, clock) as client:
        handle = client.submit(REQUEST)
        kie.script(RECORD, Lose(error))
        assert client.status(handle).succeeded
    assert len(kie.sent(RECORD)) == 2


def test_malformed_status_answers_are_retried(kie: FakeKie, clock: FakeTime) -> None:
    with client_for(kie, clock) as client:
        handle = client.submit(REQUEST)
        kie.script(RECORD, httpx.Response(200, text="{not json"), httpx.Response(502, text="x"))
        assert client.status(handle).succeeded
    assert len(kie.sent(RECORD)) == 3


def test_a_wait_rides_out_an_outage_longer_than_the_retries(
    clock: FakeTime,
) -> None:
    kie = FakeKie(steps=("generating", "success"))
    with client_for(kie, clock) as client:
        handle = client.submit(REQUEST)
        kie.script(RECORD, *[httpx.ConnectError("down")] * 6)
        status = client.wait(handle)
    assert status.succeeded


# --- 429 and Retry-After -----------------------------------------------------------------


def test_retry_after_is_waited_out_without_real_sleeping(kie: FakeKie, clock: FakeTime) -> None:
    kie.script(CREATE, answer(429, "Rate limit exceeded", http_status=429, **{"Retry-After": "7"}))
    with client_for(kie, clock) as client:
        handle = client.submit(REQUEST)
    assert handle.task_id == "task0001"
    assert clock.sleeps == [7.0]
    assert create_attempts(kie) == 2


def test_a_429_pauses_the_shared_limiter_for_every_caller(kie: FakeKie, clock: FakeTime) -> None:
    limiter = RateLimiter(clock=clock.monotonic)
    kie.script(RECORD, answer(429, http_status=429, **{"Retry-After": "5"}))
    with client_for(kie, clock, rate_limiter=limiter) as client:
        client.submit(REQUEST)
        client.status("task0001")
    assert clock.sleeps == [5.0]
    # The pause is over: after one spacing interval (1.25 s / 10) the next query goes at once.
    clock.now += 0.125
    assert limiter.reserve("query") == 0.0


def test_a_retry_after_beyond_the_maximum_is_raised(kie: FakeKie, clock: FakeTime) -> None:
    kie.script(CREATE, answer(429, http_status=429, **{"Retry-After": "3600"}))
    with client_for(kie, clock) as client, pytest.raises(RateLimitError) as caught:
        client.submit(REQUEST)
    assert caught.value.retry_after == 3600.0
    assert clock.sleeps == []


async def test_async_429_is_waited_out(kie: FakeKie, clock: FakeTime) -> None:
    kie.script(CREATE, answer(429, http_status=429, **{"Retry-After": "3"}))
    async with AsyncClient(KEY, sleep=clock.asleep, **settings(kie, clock)) as client:
        await client.submit(REQUEST)
    assert clock.sleeps == [3.0]


def test_the_limiter_spaces_a_burst_of_creates(kie: FakeKie, clock: FakeTime) -> None:
    with client_for(kie, clock) as client:
        for n in range(25):
            client.submit(VideoRequest(model="kling-2.5-turbo", prompt=f"fox {n}"))
    assert len(kie.tasks) == 25
    # Evenly spaced: 24 gaps of 10.25 s / 20, so no window of 10 s ever sees more than 20.
    assert clock.sleeps == [pytest.approx(0.5125)] * 24


# --- the API key never leaks -------------------------------------------------------------


def every_error_kind(tmp_path: Path) -> list[BaseException]:
    """Trigger every kind of error the client raises with the recognizable key configured."""
    errors: list[BaseException] = []
    clock = FakeTime()

    def catch(kie: FakeKie, action: Any, **extra: Any) -> None:
        with client_for(kie, clock, **extra) as client:
            try:
                action(client)
            except KieError as error:
                errors.append(error)
            else:
                raise AssertionError("no error raised")

    for code in sorted(CODE_TO_ERROR):
        kie = FakeKie()
        kie.script(CREATE, *[answer(code, f"server says {KEY}")] * 5)
        catch(kie, lambda c: c.submit(REQUEST))
        kie = FakeKie()
        kie.script(RECORD, *[answer(code, f"server says {KEY}")] * 5)
        catch(kie, lambda c: c.status("t1"))
    for error in [*LOST, *NOT_SENT]:
        kie = FakeKie()
        kie.script(CREATE, *[Lose(error)] * 5)
        catch(kie, lambda c: c.submit(REQUEST))
        kie = FakeKie()
        kie.script(RECORD, *[Lose(error)] * 5)
        catch(kie, lambda c: c.status("t1"))
    kie = FakeKie()
    kie.script(RECORD, *[httpx.Response(200, text=f"<html>{KEY}</html>")] * 5)
    catch(kie, lambda c: c.status("t1"))
    catch(FakeKie(steps=("fail",), fail_msg=f"bad {KEY}"), lambda c: c.generate(REQUEST))
    catch(FakeKie(steps=("generating",)), lambda c: c.generate(REQUEST, timeout=10))
    catch(
        FakeKie(), lambda c: c.submit(VideoRequest(model="kling-2.5-turbo", prompt="x", duration=3))
    )
    catch(FakeKie(), lambda c: c.submit(VideoRequest(model="unknown", prompt="x")))
    catch(FakeKie(), lambda c: c.upload(tmp_path / "missing.png"))
    kie = FakeKie()
    kie.files[f"{FILES}/gone.mp4"] = b""
    catch(
        kie,
        lambda c: c.download(
            TaskStatus(task_id="t1", state=TaskState.SUCCEEDED, result_urls=(f"{FILES}/nope",)),
            tmp_path,
        ),
        retry=RetryPolicy(max_attempts=2, rand=lambda: 0.0),
    )
    with Client(registry=make_registry(), journal=False) as keyless:
        try:
            keyless.credits()
        except ConfigurationError as error:
            errors.append(error)
    return errors


def test_the_api_key_never_appears_in_errors_reprs_or_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    errors = every_error_kind(tmp_path)
    kinds = {type(error) for error in errors}
    expected = {
        AmbiguousCreateError,
        TransportError,
        MalformedResponseError,
        TaskFailedError,
        TaskTimeoutError,
        InvalidRequestError,
        DownloadError,
        ConfigurationError,
        *CODE_TO_ERROR.values(),
    }
    assert expected <= kinds, expected - kinds
    for error in errors:
        text = "".join(traceback.format_exception(error))
        assert KEY not in str(error)
        assert KEY not in repr(error)
        assert KEY not in text, text
    with client_for(FakeKie(), FakeTime()) as client:
        assert KEY not in repr(client)
        assert KEY not in str(client)
        assert KEY not in repr(client._key)
        assert KEY not in repr(vars(client))
    assert KEY not in caplog.text
