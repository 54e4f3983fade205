"""Sliding-window rate limiting per API key."""

from __future__ import annotations

import threading
from collections import deque


class SlidingWindowLimiter:
    """Allows at most ``limit`` hits per key within any ``window`` seconds.

    Rejected hits are not recorded: a request refused with 429 does not use up a slot.
    The limit and window are passed on every call so the configuration can change at run time.
    """

    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, now: float, limit: int, window: float) -> float | None:
        """Record a hit for ``key`` at ``now`` if a slot is free.

        Returns:
            ``None`` when the hit was accepted, otherwise the seconds until a slot frees.
        """
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - window:
                hits.popleft()
            if len(hits) >= limit:
                if not hits:
                    return window
                return max(hits[0] + window - now, 0.001)
            hits.append(now)
            return None

    def reset(self) -> None:
        """Forget every recorded hit."""
        with self._lock:
            self._hits.clear()
