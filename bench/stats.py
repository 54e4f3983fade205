"""The arithmetic behind the figures: medians, ratios, rates against a limit, per-task costs."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence


def median(values: Iterable[float]) -> float:
    """Return the median of ``values``.

    Raises:
        ValueError: when there is no value.
    """
    items = list(values)
    if not items:
        raise ValueError("median of no values")
    return float(statistics.median(items))


def ratio(value: float, baseline: float) -> float | None:
    """Return ``value / baseline``, or None when the baseline is not a positive number."""
    if not math.isfinite(baseline) or baseline <= 0 or not math.isfinite(value):
        return None
    return value / baseline


def per_item(total: float, count: int) -> float | None:
    """Return ``total / count`` (a cost per task), or None when there is no item."""
    if count <= 0:
        return None
    return total / count


def growth_per_item(peak: float, before: float, count: int) -> float | None:
    """Return how much ``peak`` exceeds ``before``, per item (never negative)."""
    if count <= 0:
        return None
    return max(0.0, peak - before) / count


def achieved_rate(times: Sequence[float], limit: int) -> float | None:
    """Return the calls per second a run sustained: the slope of its cumulative call count.

    The slope is fitted by least squares to (acceptance time, calls so far). It reads the same
    whether a client bursts ``limit`` calls at the start of each window (a staircase rising
    ``limit`` per window) or spaces them evenly (a straight line), and the first and last calls
    do not weigh more than the others.

    Args:
        times: when each call was accepted, in seconds (any order).
        limit: calls allowed per window; a run of no more calls than that never meets the
            limit, so it has no rate to compare with it.

    Returns:
        The rate, or None when the run had at most ``limit`` calls or took no time.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    if len(times) <= limit:
        return None
    xs = sorted(times)
    n = len(xs)
    mean_x = sum(xs) / n
    mean_y = (n - 1) / 2
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread <= 0:
        return None
    return sum((x - mean_x) * (i - mean_y) for i, x in enumerate(xs)) / spread


def share_of_limit(rate: float | None, limit: int, window: float) -> float | None:
    """Return ``rate`` as a fraction of ``limit`` calls per ``window`` seconds."""
    if rate is None or limit < 1 or window <= 0:
        return None
    return rate / (limit / window)


def throughput(size_bytes: int, seconds: float) -> float | None:
    """Return megabytes (10^6 bytes) per second, or None for a zero duration."""
    if seconds <= 0:
        return None
    return size_bytes / seconds / 1e6
