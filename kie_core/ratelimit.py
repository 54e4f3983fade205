"""Client-side rate limiting that keeps a batch under KIE.ai's limits instead of collecting 429s.

KIE.ai accepts at most 20 new tasks per 10 seconds per account (excess gets 429 and is not
queued) and 10 status queries per second per key. A :class:`RateLimiter` holds one sliding window
per kind of call and hands out *reservations*: :meth:`RateLimiter.reserve` records the moment the
caller may send and returns how long to wait until then, so a sync client sleeps and an async one
awaits, and both share the same thread-safe bookkeeping.

One limiter per API key is shared by every client in the process (:func:`shared_limiter`); it is
keyed by a hash of the key, never by the key itself.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from kie_core.transport import ApiKey


class CallKind(StrEnum):
    """Which budget a call draws on."""

    CREATE = "create"
    """A call that creates a task (spends credits)."""
    QUERY = "query"
    """Any other call: task status, credits, download links, uploads."""


@dataclass(frozen=True)
class RateLimits:
    """The budgets of a limiter.

    Attributes:
        creates: creates allowed per ``create_period`` seconds.
        create_period: the create window, in seconds.
        queries: other calls allowed per ``query_period`` seconds.
        query_period: the query window, in seconds.
        margin: seconds added to each window, so that network jitter between sending and the
            server's clock never lets one of its windows see more than the limit (0.25 s keeps
            a long batch at 97.5% of the create budget).
    """

    creates: int = 20
    create_period: float = 10.0
    queries: int = 10
    query_period: float = 1.0
    margin: float = 0.25

    def __post_init__(self) -> None:
        if self.creates < 1 or self.queries < 1:
            raise ValueError("rate limits must allow at least one call per window")
        if self.create_period <= 0 or self.query_period <= 0 or self.margin < 0:
            raise ValueError("rate limit periods must be positive and the margin not negative")


class SlidingWindow:
    """Grants at most ``limit`` send times in any window of ``period`` seconds.

    Grants never go backwards in time. A new grant is the earliest moment that is not before
    ``now``, not before a pause, at least ``period / limit`` after the previous grant, and at
    least ``period`` after the grant ``limit`` places back, so no half-open window of ``period``
    seconds ever holds more than ``limit`` grants. The even spacing keeps bursts off the wire:
    a burst sent at once arrives spread by scheduling jitter, and the stragglers of one burst
    would otherwise land in the server's window together with the head of the next.
    """

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self.spacing = period / limit
        self._grants: deque[float] = deque(maxlen=limit)
        self._not_before = float("-inf")

    def reserve(self, now: float) -> float:
        """Record and return the earliest send time at or after ``now``."""
        granted = max(now, self._not_before)
        if self._grants:
            granted = max(granted, self._grants[-1] + self.spacing)
        if len(self._grants) == self.limit:
            granted = max(granted, self._grants[0] + self.period)
        self._grants.append(granted)
        return granted

    def pause_until(self, moment: float) -> None:
        """Grant nothing before ``moment`` (after the server answered 429)."""
        self._not_before = max(self._not_before, moment)


class RateLimiter:
    """Thread-safe reservations against a create window and a query window.

    Args:
        limits: the budgets (KIE's published limits by default).
        clock: a monotonic clock in seconds (inject a fake one in tests).
    """

    def __init__(
        self, limits: RateLimits | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits or RateLimits()
        self._clock = clock
        self._lock = threading.Lock()
        self._windows = {
            CallKind.CREATE: SlidingWindow(
                self.limits.creates, self.limits.create_period + self.limits.margin
            ),
            CallKind.QUERY: SlidingWindow(
                self.limits.queries, self.limits.query_period + self.limits.margin
            ),
        }

    def reserve(self, kind: CallKind | str) -> float:
        """Reserve the next send slot of ``kind`` and return the seconds to wait for it.

        The slot is taken at once: wait the returned delay, then send. A caller that gives up
        in between leaves its slot unused, which only makes the limiter more cautious.
        """
        window = self._windows[CallKind(kind)]
        with self._lock:
            now = self._clock()
            return max(0.0, window.reserve(now) - now)

    def pause(self, kind: CallKind | str, seconds: float) -> None:
        """Hold every further reservation of ``kind`` for ``seconds`` (a 429 arrived anyway)."""
        if seconds <= 0:
            return
        window = self._windows[CallKind(kind)]
        with self._lock:
            window.pause_until(self._clock() + seconds)

    def __repr__(self) -> str:
        limits = self.limits
        return (
            f"<RateLimiter creates={limits.creates}/{limits.create_period:g}s "
            f"queries={limits.queries}/{limits.query_period:g}s>"
        )


_shared: dict[str, RateLimiter] = {}
_shared_lock = threading.Lock()


def shared_limiter(api_key: ApiKey, limits: RateLimits | None = None) -> RateLimiter:
    """Return the process-wide limiter of an API key, creating it on first use.

    Every client using the same key shares it, so several clients in one process stay within
    the account's limits together. ``limits`` applies only when the limiter is created.
    """
    digest = api_key.digest()
    with _shared_lock:
        limiter = _shared.get(digest)
        if limiter is None:
            limiter = _shared[digest] = RateLimiter(limits)
        return limiter


def reset_shared_limiters() -> None:
    """Forget every process-wide limiter (test suites that reuse one key across many tests)."""
    with _shared_lock:
        _shared.clear()
