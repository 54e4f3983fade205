"""Fixtures of the kie MCP server tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from kie_emulator.pytest_plugin import EmulatorHandle
from kie_mcp.config import McpConfig
from kie_mcp_support import config_for


@pytest.fixture
def make_config(kie_emulator: EmulatorHandle, tmp_path: Path) -> Callable[..., McpConfig]:
    def make(**changes: Any) -> McpConfig:
        return config_for(kie_emulator, tmp_path, **changes)

    return make
