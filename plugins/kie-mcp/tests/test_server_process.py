"""``kie mcp`` as a real process: over stdio (as agent hosts launch it) and over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import mcp_types as types
import pytest
from kie_emulator.pytest_plugin import EmulatorHandle
from kie_mcp_support import MODEL, assert_mp4, charges, data, request
from mcp import Client, StdioServerParameters

pytestmark = pytest.mark.slow


def _env(emulator: EmulatorHandle, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("KIE_") and key != "PYTHONPATH"
    }
    env.update(
        KIE_API_KEY=emulator.api_key,
        KIE_BASE_URL=emulator.base_url,
        KIE_UPLOAD_BASE_URL=emulator.base_url,
        KIE_JOURNAL=str(tmp_path / "journal.sqlite3"),
        KIE_CONFIG=str(tmp_path / "no-config.toml"),
        KIE_MCP_OUTPUT_DIR=str(tmp_path / "videos"),
        KIE_MCP_MODELS=MODEL,
        KIE_LOAD_PLUGINS="kling",
        KIE_POLL_INTERVAL="0.2",
        **extra,
    )
    return env


def _stdio(env: dict[str, str]) -> Client:
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "kie_core.cli", "mcp"], env=env
    )
    # The initialize handshake, as Claude Desktop, Claude Code and Cursor connect today.
    return Client(params, read_timeout_seconds=60, mode="legacy")


@pytest.mark.kie_emulator(task_seconds=1.0)
async def test_over_stdio_generate_wait_collect_and_restart(
    kie_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    env = _env(kie_emulator, tmp_path)
    prompts = [request(p) for p in ("a heron takes off", "rain on a tin roof", "a comet")]
    updates: list[float] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        updates.append(progress)

    async with _stdio(env) as client:
        names = [tool.name for tool in (await client.list_tools()).tools]
        estimate = data(await client.call_tool("estimate", {"requests": prompts}))
        started = data(await client.call_tool("generate", {"requests": prompts}))
        task_ids = [item["task_id"] for item in started["items"]]
        waited = data(
            await client.call_tool(
                "tasks", {"ids": task_ids, "wait_seconds": 30}, progress_callback=on_progress
            )
        )
        collected = data(await client.call_tool("collect", {"ids": task_ids}))
        over_cap = await client.call_tool(
            "generate", {"requests": [request(f"long {n}", duration=10) for n in range(6)]}
        )
        bad_duration = await client.call_tool("generate", {"requests": [request("x", duration=3)]})
        outside = await client.call_tool("collect", {"ids": task_ids, "folder": "/tmp"})
        first = data(await client.call_tool("generate", {"requests": [request("a night train")]}))
    assert "generate" in names
    assert estimate["new_credits"] == 126
    assert waited["still_running"] == 0
    assert updates, "no progress notification arrived over stdio"
    files = [Path(path) for item in collected["items"] for path in item["files"]]
    assert len(files) == 3
    for path in files:
        assert_mp4(path)
    assert data(over_cap)["error"]["category"] == "over_cap"
    assert data(bad_duration)["error"]["field"] == "duration"
    assert data(outside)["error"]["field"] == "folder"
    assert sorted(e.task_id for e in charges(kie_emulator)[:3]) == sorted(task_ids)

    # A restarted server, same journal: a request whose task is known is followed, not paid.
    async with _stdio(env) as client:
        again = data(await client.call_tool("generate", {"requests": [request("a night train")]}))
    assert again["items"][0]["task_id"] == first["items"][0]["task_id"]
    assert again["items"][0]["followed"] is True
    assert len(charges(kie_emulator)) == 4
    assert kie_emulator.api_key not in str(collected) + str(again)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise AssertionError(f"kie mcp --http exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError("kie mcp --http did not start listening")


async def test_over_streamable_http_on_loopback(
    kie_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kie_core.cli", "mcp", "--http", "--port", str(port)],
        env=_env(kie_emulator, tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for_port(port, process)
        async with Client(f"http://127.0.0.1:{port}/mcp") as client:
            tools = (await client.list_tools()).tools
            credits = await client.call_tool("credits", {})
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert len(tools) == 7
    assert isinstance(credits.content[0], types.TextContent)
    assert data(credits)["credits"] == kie_emulator.credits
