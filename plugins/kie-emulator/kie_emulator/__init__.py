"""An offline emulator of the KIE.ai HTTP API, for tests and demos.

The public names are imported lazily so that importing the package (which the pytest plugin
does at pytest start-up) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kie_emulator.app import create_app
    from kie_emulator.config import EmulatorConfig, FaultRule, parse_fault
    from kie_emulator.server import EmulatorServer, run
    from kie_emulator.state import Emulator

__all__ = [
    "Emulator",
    "EmulatorConfig",
    "EmulatorServer",
    "FaultRule",
    "create_app",
    "parse_fault",
    "run",
]

_HOMES = {
    "Emulator": "kie_emulator.state",
    "EmulatorConfig": "kie_emulator.config",
    "FaultRule": "kie_emulator.config",
    "parse_fault": "kie_emulator.config",
    "EmulatorServer": "kie_emulator.server",
    "run": "kie_emulator.server",
    "create_app": "kie_emulator.app",
}


def __getattr__(name: str) -> Any:
    """Import a public name on first use."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
