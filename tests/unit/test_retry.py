"""The retry decision table and the full-jitter backoff."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kie_core.errors import (
    CODE_TO_ERROR,
    ApiError,
    ApiValidationError,
    AuthenticationError,
    InsufficientCreditsError,
    MaintenanceError,
    MalformedResponseError,
    RateLimitError,
    ServerError,
)
from kie_core.retry import RetryPolicy, RetryStep, Verdict, classify, was_not_taken

REQUEST = httpx.Request("POST", "https://api.example/x")

NOT_SENT = [
    httpx.ConnectError("refused", request=REQUEST),
    httpx.ConnectTimeout("connect timed out", request=REQUEST),
    httpx.PoolTimeout("no connection free", request=REQUEST),
]
LOST_AFTER_SENDING = [
    httpx.ReadTimeout("read timed out", request=REQUEST),
    httpx.WriteTimeout("write timed out", request=REQUEST),
    httpx.ReadError("connection reset", request=REQUEST),
    httpx.WriteError("broken pipe", request=REQUEST),
    httpx.RemoteProtocolError("server disconnected", request=REQUEST),
    httpx.CloseError("close failed", request=REQUEST),
    httpx.DecodingError("bad gzip", request=REQUEST),
]


def api_error(cls: type[ApiError], code: int, retry_after: float | None = None) -> ApiError:
    return cls("x", code=code, http_status=200, path="/p", retry_after=retry_after)


# --- the decision table ----------------------------------------------------------------------


@pytest.mark.parametrize("error", NOT_SENT, ids=lambda e: type(e).__name__)
def test_connection_failures_before_sending_are_retried_for_every_call(error: Exception) -> None:
    assert classify(error, create=True) is Verdict.RETRY
    assert classify(error, create=False) is Verdict.RETRY
    assert was_not_taken(error)


@pytest.mark.parametrize("error", LOST_AFTER_SENDING, ids=lambda e: type(e).__name__)
def test_failures_after_sending_are_ambiguous_for_a_create_but_retried_for_a_query(
    error: Exception,
) -> None:
    assert classify(error, create=True) is Verdict.AMBIGUOUS
    assert classify(error, create=False) is Verdict.RETRY
    assert not was_not_taken(error)


@pytest.mark.parametrize("code", [429, 455])
def test_rate_limit_and_maintenance_are_retried_even_for_a_create(code: int) -> None:
    error = api_error(CODE_TO_ERROR[code], code)
    assert classify(error, create=True) is Verdict.RETRY
    assert classify(error, create=False) is Verdict.RETRY
    assert was_not_taken(error)


@pytest.mark.parametrize("code", [408, 500, 502, 503, 504])
def test_server_errors_retry_a_query_and_make_a_create_ambiguous(code: int) -> None:
    error = api_error(CODE_TO_ERROR[code], code)
    assert classify(error, create=False) is Verdict.RETRY
    assert classify(error, create=True) is Verdict.AMBIGUOUS


def test_malformed_answers_retry_a_query_and_make_a_create_ambiguous() -> None:
    error = api_error(MalformedResponseError, 200)
    assert classify(error, create=False) is Verdict.RETRY
    assert classify(error, create=True) is Verdict.AMBIGUOUS


@pytest.mark.parametrize(
    "code", sorted(c for c, cls in CODE_TO_ERROR.items() if not cls.default_retryable)
)
def test_refusals_are_final_for_every_call(code: int) -> None:
    error = api_error(CODE_TO_ERROR[code], code)
    assert classify(error, create=True) is Verdict.FAIL
    assert classify(error, create=False) is Verdict.FAIL


def test_local_protocol_problems_are_not_retried() -> None:
    unsupported = httpx.UnsupportedProtocol("ftp", request=REQUEST)
    assert classify(unsupported, create=True) is Verdict.FAIL
    assert classify(unsupported, create=False) is Verdict.FAIL
    assert was_not_taken(unsupported)
    local = httpx.LocalProtocolError("bad header", request=REQUEST)
    assert classify(local, create=False) is Verdict.FAIL
    assert classify(local, create=True) is Verdict.AMBIGUOUS


def test_unrelated_exceptions_are_final() -> None:
    assert classify(ValueError("bug"), create=False) is Verdict.FAIL
    assert classify(ValueError("bug"), create=True) is Verdict.FAIL


# --- the policy ------------------------------------------------------------------------------


def test_backoff_is_full_jitter_exponential_with_a_cap() -> None:
    top = RetryPolicy(base_delay=0.5, max_delay=4.0, rand=lambda: 0.999999)
    assert [round(top.backoff(n), 3) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    bottom = RetryPolicy(rand=lambda: 0.0)
    assert bottom.backoff(3) == 0.0
    assert top.backoff(10_000) == pytest.approx(4.0, rel=1e-3)


@given(attempt=st.integers(1, 200), rand=st.floats(0, 1, exclude_max=True))
def test_backoff_stays_within_zero_and_the_cap(attempt: int, rand: float) -> None:
    policy = RetryPolicy(base_delay=0.3, max_delay=7.0, rand=lambda: rand)
    assert 0.0 <= policy.backoff(attempt) <= 7.0


def test_retry_after_is_honoured_over_backoff() -> None:
    policy = RetryPolicy(rand=lambda: 0.5)
    step = policy.next_step(api_error(RateLimitError, 429, retry_after=6.0), attempt=1, create=True)
    assert step == RetryStep(Verdict.RETRY, 6.0)


def test_a_retry_after_longer_than_the_maximum_ends_the_retries() -> None:
    policy = RetryPolicy(max_retry_after=30.0)
    too_long = api_error(RateLimitError, 429, retry_after=31.0)
    step = policy.next_step(too_long, attempt=1, create=False)
    assert step.verdict is Verdict.FAIL


def test_attempts_run_out() -> None:
    policy = RetryPolicy(max_attempts=3, rand=lambda: 0.5)
    error = api_error(MaintenanceError, 455)
    assert policy.next_step(error, attempt=2, create=True).verdict is Verdict.RETRY
    assert policy.next_step(error, attempt=3, create=True).verdict is Verdict.FAIL
    assert RetryPolicy.never().next_step(error, attempt=1, create=False).verdict is Verdict.FAIL


def test_ambiguous_and_final_verdicts_are_returned_whatever_the_attempt() -> None:
    policy = RetryPolicy()
    lost = httpx.ReadTimeout("t", request=REQUEST)
    assert policy.next_step(lost, attempt=1, create=True) == RetryStep(Verdict.AMBIGUOUS)
    refused = api_error(InsufficientCreditsError, 402)
    assert policy.next_step(refused, attempt=1, create=True) == RetryStep(Verdict.FAIL)
    assert policy.next_step(api_error(AuthenticationError, 401), attempt=1, create=False) == (
        RetryStep(Verdict.FAIL)
    )
    assert policy.next_step(api_error(ApiValidationError, 422), attempt=1, create=False) == (
        RetryStep(Verdict.FAIL)
    )


def test_server_error_delay_uses_backoff() -> None:
    policy = RetryPolicy(base_delay=1.0, rand=lambda: 0.5)
    step = policy.next_step(api_error(ServerError, 500), attempt=2, create=False)
    assert step == RetryStep(Verdict.RETRY, 1.0)


def test_policy_validation() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="negative"):
        RetryPolicy(base_delay=-1)
