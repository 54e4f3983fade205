"""The arithmetic of the benchmark figures: medians, ratios, sustained rates."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.stats import (
    achieved_rate,
    growth_per_item,
    median,
    per_item,
    ratio,
    share_of_limit,
    throughput,
)


def test_median_of_odd_and_even_counts() -> None:
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert median([4.0, 1.0, 3.0, 2.0]) == 2.5


def test_median_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match="no values"):
        median([])


@pytest.mark.parametrize(
    ("value", "baseline", "expected"),
    [(3.0, 1.5, 2.0), (1.0, 4.0, 0.25), (1.0, 0.0, None), (1.0, -1.0, None), (1.0, math.inf, None)],
)
def test_ratio(value: float, baseline: float, expected: float | None) -> None:
    assert ratio(value, baseline) == expected


def test_costs_per_item() -> None:
    assert per_item(3.0, 4) == 0.75
    assert per_item(3.0, 0) is None
    assert growth_per_item(150.0, 100.0, 10) == 5.0
    assert growth_per_item(90.0, 100.0, 10) == 0.0
    assert growth_per_item(150.0, 100.0, 0) is None


def test_throughput_in_megabytes_per_second() -> None:
    assert throughput(200_000_000, 2.0) == 100.0
    assert throughput(1, 0.0) is None


def test_evenly_spaced_calls_run_at_one_over_the_spacing() -> None:
    times = [n * 0.5125 for n in range(200)]
    assert achieved_rate(times, 20) == pytest.approx(1 / 0.5125)


def test_bursts_read_as_their_average_rate() -> None:
    # 20 calls at the start of each 10.25 s window, as a bursting limiter sends them.
    times = [window * 10.25 for window in range(10) for _ in range(20)]
    assert achieved_rate(times, 20) == pytest.approx(20 / 10.25)


def test_a_run_within_one_window_has_no_rate() -> None:
    assert achieved_rate([0.0, 0.1, 0.2], 20) is None
    assert achieved_rate([5.0] * 30, 20) is None


def test_the_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        achieved_rate([0.0, 1.0], 0)


@given(
    spacing=st.floats(min_value=0.001, max_value=100.0),
    count=st.integers(min_value=3, max_value=300),
    start=st.floats(min_value=0.0, max_value=1e6),
)
def test_the_rate_of_a_regular_run_does_not_depend_on_order_or_start(
    spacing: float, count: int, start: float
) -> None:
    times = [start + n * spacing for n in range(count)]
    rate = achieved_rate(list(reversed(times)), 2)
    assert rate == pytest.approx(1 / spacing, rel=1e-6)


def test_share_of_the_limit() -> None:
    assert share_of_limit(1.9, 20, 10.0) == pytest.approx(0.95)
    assert share_of_limit(None, 20, 10.0) is None
    assert share_of_limit(1.0, 0, 10.0) is None
