"""The sliding-window rate limiter, with a fake clock (no real waiting)."""

from __future__ import annotations

import bisect
import itertools
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kie_core.ratelimit import (
    CallKind,
    RateLimiter,
    RateLimits,
    SlidingWindow,
    reset_shared_limiters,
    shared_limiter,
)
from kie_core.transport import ApiKey


class FakeClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def max_in_any_window(times: list[float], period: float) -> int:
    """The most grants any half-open window [s, s + period) holds (s at a grant is enough)."""
    ordered = sorted(times)
    best = 0
    for index, start in enumerate(ordered):
        end = bisect.bisect_left(ordered, start + period)
        best = max(best, end - index)
    return best


def test_a_burst_is_spread_evenly_over_the_window() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(creates=3, create_period=10.0, margin=0.0), clock=clock)
    delays = [limiter.reserve(CallKind.CREATE) for _ in range(7)]
    assert delays == pytest.approx([n * 10.0 / 3 for n in range(7)])


def test_queries_and_creates_draw_on_separate_budgets() -> None:
    clock = FakeClock()
    limiter = RateLimiter(
        RateLimits(creates=1, create_period=10.0, queries=2, query_period=1.0, margin=0.0),
        clock=clock,
    )
    assert limiter.reserve("create") == 0.0
    assert limiter.reserve("query") == 0.0
    assert limiter.reserve("query") == 0.5
    assert limiter.reserve("query") == 1.0
    assert limiter.reserve("create") == 10.0


def test_slots_free_up_as_time_passes() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(queries=2, query_period=1.0, margin=0.0), clock=clock)
    assert limiter.reserve("query") == 0.0
    clock.advance(0.4)
    assert limiter.reserve("query") == pytest.approx(0.1)
    assert limiter.reserve("query") == pytest.approx(0.6)
    clock.advance(5.0)
    assert limiter.reserve("query") == 0.0


def test_margin_widens_each_window() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(creates=1, create_period=10.0, margin=0.25), clock=clock)
    limiter.reserve("create")
    assert limiter.reserve("create") == pytest.approx(10.25)


def test_pause_holds_further_reservations() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(creates=20, margin=0.0), clock=clock)
    limiter.pause(CallKind.CREATE, 3.0)
    assert limiter.reserve(CallKind.CREATE) == 3.0
    assert limiter.reserve(CallKind.QUERY) == 0.0
    limiter.pause(CallKind.CREATE, 0.0)
    clock.advance(3.0)
    assert limiter.reserve(CallKind.CREATE) == pytest.approx(0.5)  # even spacing: 10 s / 20
    clock.advance(10.0)
    assert limiter.reserve(CallKind.CREATE) == 0.0


def test_default_limits_are_kies_published_ones() -> None:
    limits = RateLimits()
    assert (limits.creates, limits.create_period) == (20, 10.0)
    assert (limits.queries, limits.query_period) == (10, 1.0)
    assert limits.margin == 0.25
    assert "20/10s" in repr(RateLimiter())


def test_invalid_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        RateLimits(creates=0)
    with pytest.raises(ValueError, match="positive"):
        RateLimits(query_period=0)


def test_shared_limiter_is_one_per_key_and_does_not_hold_the_key() -> None:
    first = shared_limiter(ApiKey("key-one-abcdef"))
    assert shared_limiter(ApiKey("key-one-abcdef")) is first
    assert shared_limiter(ApiKey("key-two-abcdef")) is not first
    from kie_core import ratelimit

    assert all("key-one" not in digest for digest in ratelimit._shared)
    reset_shared_limiters()
    assert shared_limiter(ApiKey("key-one-abcdef")) is not first


def test_a_200_task_batch_keeps_at_least_95_percent_of_the_create_budget() -> None:
    clock = FakeClock(0.0)
    limiter = RateLimiter(clock=clock)
    grants = [limiter.reserve(CallKind.CREATE) for _ in range(200)]
    assert max_in_any_window(grants, 10.0 - 1e-9) <= 20
    # Evenly spaced at (10 s + margin) / 20: 199 gaps of 0.5125 s.
    assert grants[-1] == pytest.approx(199 * 10.25 / 20)
    creates_per_second = (len(grants) - 1) / grants[-1]
    assert creates_per_second / (20 / 10.0) >= 0.95


def test_concurrent_threads_never_exceed_the_window() -> None:
    clock = FakeClock(0.0)
    limiter = RateLimiter(RateLimits(queries=5, query_period=1.0, margin=0.0), clock=clock)
    grants: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(50):
            delay = limiter.reserve(CallKind.QUERY)
            with lock:
                grants.append(clock() + delay)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(grants) == 400
    assert max_in_any_window(grants, 1.0 - 1e-9) <= 5


@settings(max_examples=200)
@given(
    limit=st.integers(1, 25),
    period=st.floats(0.1, 20.0),
    steps=st.lists(
        st.tuples(st.floats(0.0, 5.0), st.booleans(), st.floats(0.0, 3.0)), max_size=120
    ),
)
def test_no_window_ever_exceeds_the_limit(
    limit: int, period: float, steps: list[tuple[float, bool, float]]
) -> None:
    clock = FakeClock(0.0)
    limiter = RateLimiter(RateLimits(creates=limit, create_period=period, margin=0.0), clock=clock)
    grants: list[float] = []
    for advance, pause, pause_for in steps:
        clock.advance(advance)
        if pause:
            limiter.pause(CallKind.CREATE, pause_for)
        delay = limiter.reserve(CallKind.CREATE)
        assert delay >= 0.0
        grants.append(clock() + delay)
    # Send times are now + delay in floating point; a nanosecond absorbs the rounding.
    assert max_in_any_window(grants, period - 1e-9) <= limit
    assert all(later >= earlier - 1e-9 for earlier, later in itertools.pairwise(grants))


@given(limit=st.integers(1, 25), period=st.floats(0.1, 20.0), count=st.integers(1, 200))
def test_a_sliding_window_spreads_a_burst_without_waste(
    limit: int, period: float, count: int
) -> None:
    window = SlidingWindow(limit, period)
    grants = [window.reserve(0.0) for _ in range(count)]
    assert grants[-1] == pytest.approx((count - 1) * period / limit)
