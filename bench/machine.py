"""What machine a report was measured on."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path
from typing import Any

_CPUINFO = Path("/proc/cpuinfo")


def cpu_model(cpuinfo: str | None = None) -> str:
    """Return the CPU model name (from ``/proc/cpuinfo`` on Linux), or the platform's guess."""
    text = cpuinfo
    if text is None and _CPUINFO.exists():
        text = _CPUINFO.read_text(errors="replace")
    for line in (text or "").splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name" and value.strip():
            return value.strip()
    return platform.processor() or platform.machine() or "unknown"


def usable_cores() -> int:
    """Return how many cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def describe() -> dict[str, Any]:
    """Return the machine description stored in every report."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "cores": usable_cores(),
        "cpu_model": cpu_model(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "executable": sys.executable,
        "load_average_at_start": list(load) if load is not None else None,
    }
