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


REPO_ROOT = Path(__file__).resolve().parents[2]


def install_test_plugin(site: Path) -> Path:
    """Make the test plugin discoverable through a real ``kie.providers`` entry point.

    Writes a minimal ``.dist-info`` into ``site``; a subprocess with ``site`` and the repository
    root on ``PYTHONPATH`` then finds the plugin exactly as it would an installed one.
    """
    dist_info = site / "kie_cli_testplugin-0.1.dist-info"
    dist_info.mkdir(parents=True, exist_ok=True)
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: kie-cli-testplugin\nVersion: 0.1\n"
    )
    (dist_info / "entry_points.txt").write_text(
        "[kie.providers]\nclitest = tests.cli.fake_plugin\n"
    )
    return site


def subprocess_env(site: Path, **values: str) -> dict[str, str]:
    """The environment of a ``kie`` subprocess: only the test plugin, nothing from the user."""
    import os

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("KIE_") and key != "PYTHONPATH"
    }
    env.update(
        PYTHONPATH=os.pathsep.join([str(site), str(REPO_ROOT)]),
        KIE_LOAD_PLUGINS="clitest",
        COLUMNS="200",
        **values,
    )
    return env
