"""Helpers for CLI tests that run against the ``kie_emulator`` fixture."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MP4_BRAND_OFFSET = slice(4, 8)


def assert_playable_mp4(path: Path) -> None:
    """Check a file is an MP4: its first box is ``ftyp``."""
    head = path.read_bytes()[:12]
    assert head[MP4_BRAND_OFFSET] == b"ftyp", f"{path} has no ftyp box: {head!r}"


@dataclass
class RejectionSpy:
    """Counts the requests the emulator's rate limiters refused (each one a 429)."""

    refused: list[tuple[str, float]] = field(default_factory=list)

    def wrap(self, limiter: Any, name: str) -> None:
        original = limiter.hit

        def hit(key: str, now: float, limit: int, window: float) -> float | None:
            wait = original(key, now, limit, window)
            if wait is not None:
                self.refused.append((name, wait))
            return wait

        limiter.hit = hit


def charges(handle: Any) -> list[Any]:
    """The emulator's charge entries."""
    return [entry for entry in handle.ledger if entry.kind == "charge"]
