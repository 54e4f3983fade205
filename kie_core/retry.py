"""When to send a call again, and how long to wait first.

Two kinds of call are treated differently:

* a **query** (task status, credits, download-url, upload) changes nothing on the server, so it
  is repeated after a rate limit (429), maintenance (455), a server error (5xx, 408), an
  unreadable answer, a timeout or a broken connection;
* a **create** spends credits and KIE.ai has no idempotency key, so it is repeated only when the
  server surely did not take it: 429, 455, or a connection that failed before the request was
  sent (:class:`httpx.ConnectError`, :class:`httpx.ConnectTimeout`, :class:`httpx.PoolTimeout`).
  Any other failure after sending is *ambiguous*: the task may exist, so it is reported, never
  re-sent.

Delays are full-jitter exponential backoff with a cap, and a server's ``Retry-After`` wins.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum

import httpx

from kie_core.errors import (
    ApiError,
    MaintenanceError,
    MalformedResponseError,
    RateLimitError,
    ServerError,
)

#: Network failures raised before a single byte of the request left this machine.
NOT_SENT_ERRORS: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)

#: API errors that say the server did not take the request (safe to repeat, even a create).
NOT_TAKEN_ERRORS: tuple[type[ApiError], ...] = (RateLimitError, MaintenanceError)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Read a ``Retry-After`` header: delay seconds or an HTTP date; None when absent or bad."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        if not math.isfinite(seconds):
            return None
        return max(0.0, seconds)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now or datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())


class Verdict(StrEnum):
    """What to do after a failed exchange."""

    RETRY = "retry"
    """Send the same call again (after a delay)."""
    FAIL = "fail"
    """Give up and raise the error: repeating would not help or is not safe."""
    AMBIGUOUS = "ambiguous"
    """A create was sent and its outcome is unknown: report it, never re-send."""


def classify(error: BaseException, *, create: bool) -> Verdict:
    """Return the decision-table verdict for a failed exchange.

    Args:
        error: an :class:`~kie_core.errors.ApiError` read from the answer, or the
            :class:`httpx.RequestError` the exchange raised.
        create: whether the call creates a task (spends credits).
    """
    if isinstance(error, httpx.UnsupportedProtocol):
        return Verdict.FAIL
    if isinstance(error, (*NOT_TAKEN_ERRORS, *NOT_SENT_ERRORS)):
        return Verdict.RETRY
    unknown_outcome = isinstance(error, ServerError | MalformedResponseError | httpx.RequestError)
    if create:
        return Verdict.AMBIGUOUS if unknown_outcome else Verdict.FAIL
    if isinstance(error, httpx.LocalProtocolError | httpx.TooManyRedirects):
        return Verdict.FAIL
    return Verdict.RETRY if unknown_outcome else Verdict.FAIL


def was_not_taken(error: BaseException) -> bool:
    """Return whether a failure proves the server did not take the request."""
    return isinstance(error, (*NOT_TAKEN_ERRORS, *NOT_SENT_ERRORS, httpx.UnsupportedProtocol))


@dataclass(frozen=True)
class RetryStep:
    """The outcome of :meth:`RetryPolicy.next_step`: the verdict and, to retry, the delay."""

    verdict: Verdict
    delay: float = 0.0


@dataclass(frozen=True)
class RetryPolicy:
    """Full-jitter exponential backoff with a cap and an attempt limit, honouring Retry-After.

    Attributes:
        max_attempts: sends of one call at most (1 = never retry).
        base_delay: the backoff ceiling of the first retry, in seconds; it doubles per attempt.
        max_delay: the largest backoff ceiling, in seconds.
        max_retry_after: the longest ``Retry-After`` waited out; a longer one ends the retries.
        rand: a function returning a float in ``[0, 1)`` (inject a fixed one in tests).
        schedule: the delay after failed attempt ``n``, in place of the full-jitter backoff
            (a caller's own schedule; ``lambda n: 0.0`` in tests).
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 20.0
    max_retry_after: float = 120.0
    rand: Callable[[], float] = field(default=random.random, repr=False, compare=False)
    schedule: Callable[[int], float] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts}")
        if self.base_delay < 0 or self.max_delay < 0 or self.max_retry_after < 0:
            raise ValueError("retry delays must not be negative")

    @classmethod
    def never(cls) -> RetryPolicy:
        """Return a policy that sends every call exactly once."""
        return cls(max_attempts=1)

    def backoff(self, attempt: int) -> float:
        """Return the full-jitter delay after failed attempt number ``attempt`` (1-based)."""
        if self.schedule is not None:
            return self.schedule(attempt)
        exponent = min(max(0, attempt - 1), 60)
        ceiling = min(self.max_delay, self.base_delay * 2.0**exponent)
        return ceiling * self.rand()

    def delay_for(self, error: BaseException, attempt: int) -> float | None:
        """Return the wait before the next attempt, or None when Retry-After is too long.

        The server's ``Retry-After`` (the ``retry_after`` of the error, as an
        :class:`~kie_core.errors.ApiError` or a download attempt carries it) wins over the
        backoff.
        """
        retry_after = getattr(error, "retry_after", None)
        if isinstance(retry_after, int | float) and not isinstance(retry_after, bool):
            if retry_after > self.max_retry_after:
                return None
            return retry_after
        return self.backoff(attempt)

    def next_step(self, error: BaseException, *, attempt: int, create: bool) -> RetryStep:
        """Decide what follows failed attempt number ``attempt`` (1-based) of a call.

        Returns a RETRY step with its delay only while attempts remain; otherwise the verdict
        of the decision table with RETRY turned into FAIL.
        """
        verdict = classify(error, create=create)
        if verdict is not Verdict.RETRY:
            return RetryStep(verdict)
        if attempt >= self.max_attempts:
            return RetryStep(Verdict.FAIL)
        delay = self.delay_for(error, attempt)
        if delay is None:
            return RetryStep(Verdict.FAIL)
        return RetryStep(Verdict.RETRY, delay)
