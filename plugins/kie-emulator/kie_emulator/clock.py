"""The emulator's clock: wall time that tests may move forward."""

from __future__ import annotations

import threading
import time


class Clock:
    """Wall-clock time in seconds, with an offset that tests can advance.

    Task progress, link expiry, rate-limit windows and callback timestamps all read this clock,
    so advancing it fast-forwards the whole emulator without sleeping.
    """

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Return the current emulated Unix time in seconds."""
        return time.time() + self._offset

    def now_ms(self) -> int:
        """Return the current emulated Unix time in milliseconds."""
        return int(self.now() * 1000)

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` (must not be negative)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds

    @property
    def offset(self) -> float:
        """Seconds the clock has been advanced in total."""
        return self._offset

    def reset(self) -> None:
        """Return to real time."""
        with self._lock:
            self._offset = 0.0
