from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from kie_postgres.testing import max_in_window


def brute_force(times: list[float], window: float) -> int:
    return max((sum(1 for t in times if s <= t < s + window) for s in times), default=0)


@given(
    times=st.lists(st.floats(min_value=0, max_value=100, allow_nan=False), max_size=60),
    window=st.floats(min_value=0.1, max_value=30),
)
def test_max_in_window_matches_counting_every_window(times: list[float], window: float) -> None:
    assert max_in_window(times, window) == brute_force(times, window)


def test_evenly_spaced_events_at_the_limit() -> None:
    times = [n * 0.5 for n in range(100)]
    assert max_in_window(times, 10.0) == 20
    assert max_in_window([*times, 3.1], 10.0) == 21
