"""Helpers: a kie MCP server on the emulator, driven through the SDK's own client."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import mcp_types as types
from kie_emulator.pytest_plugin import EmulatorHandle
from kie_mcp.config import McpConfig
from kie_mcp.server import build_server
from mcp import Client

MODEL = "kling-2.5-turbo"


def config_for(emulator: EmulatorHandle, tmp_path: Path, **changes: Any) -> McpConfig:
    """A server configuration on the emulator, with a journal and output folder in tmp_path."""
    values: dict[str, Any] = {
        "output_dir": tmp_path / "videos",
        "api_key": emulator.api_key,
        "base_url": emulator.base_url,
        "upload_base_url": emulator.base_url,
        "journal": str(tmp_path / "journal.sqlite3"),
        "poll_seconds": 0.1,
        "allowed_models": (MODEL,),
    }
    values.update(changes)
    return McpConfig(**values)


@asynccontextmanager
async def connect(config: McpConfig, mode: str = "auto") -> AsyncIterator[Client]:
    """An SDK client connected in memory to a fresh server (a restart is a new connect).

    ``mode="legacy"`` speaks JSON-RPC over the SDK's in-memory streams with the initialize
    handshake, as the hosts of 2025 do; ``"auto"`` negotiates the newest protocol.
    """
    async with Client(build_server(config), mode=mode) as client:
        yield client


def data(result: types.CallToolResult) -> dict[str, Any]:
    """The tool result's JSON, checked to be the same in the text and structured forms."""
    text = result.content[0]
    assert isinstance(text, types.TextContent)
    parsed = json.loads(text.text)
    assert parsed == result.structured_content
    assert isinstance(parsed, dict)
    return parsed


def request(prompt: str, **fields: Any) -> dict[str, Any]:
    """One video request for the test model."""
    return {"model": MODEL, "prompt": prompt, **fields}


def charges(handle: EmulatorHandle) -> list[Any]:
    """The emulator ledger's charges."""
    return [entry for entry in handle.ledger if entry.kind == "charge"]


def assert_mp4(path: Path) -> None:
    """The file is an MP4: its first box is ftyp."""
    head = path.read_bytes()[:12]
    assert head[4:8] == b"ftyp", f"{path} has no ftyp box: {head!r}"
