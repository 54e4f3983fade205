"""Serving: the background-thread server, ``python -m kie_emulator``, and the pytest plugin."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from importlib.metadata import entry_points

import httpx
import pytest
from kie_emulator import EmulatorConfig, EmulatorServer
from kie_emulator.__main__ import build_parser, main
from kie_emulator.config import FAULT_KINDS
from kie_emulator.pytest_plugin import TEST_API_KEY, EmulatorHandle

from .conftest import ok_data


def test_server_thread_on_a_free_port() -> None:
    server = EmulatorServer(EmulatorConfig(api_key="k", credits=7))
    with pytest.raises(RuntimeError):
        _ = server.port
    with server:
        assert server.port > 0
        assert server.base_url == f"http://127.0.0.1:{server.port}"
        assert server.start() is server
        response = httpx.get(
            f"{server.base_url}/api/v1/chat/credit", headers={"Authorization": "Bearer k"}
        )
        assert response.json() == {"code": 200, "msg": "success", "data": 7}
        url = server.base_url
    assert not server.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/api/v1/chat/credit")


def test_command_line_runs_in_the_foreground() -> None:
    command = [
        sys.executable,
        "-m",
        "kie_emulator",
        "--port",
        "0",
        "--api-key",
        "cli-key",
        "--credits",
        "5",
        "--task-seconds",
        "0.1",
        "--fault",
        "error-in-200=1:1",
        "--seed",
        "1",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("KIE emulator listening on http://127.0.0.1:")
        base = line.rsplit(" ", 1)[1].strip()
        headers = {"Authorization": "Bearer cli-key"}
        with httpx.Client(base_url=base, headers=headers, timeout=5) as c:
            assert c.get("/api/v1/chat/credit").json()["code"] == 500
            assert c.get("/api/v1/chat/credit").json()["data"] == 5
            state = c.get("/_emulator/state").json()
            assert state["faults"][0]["fired"] == 1
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(10)


def test_command_line_rejects_bad_faults(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--fault", "meteor=1"])
    assert exit_info.value.code == 2
    assert "meteor" in capsys.readouterr().err
    help_text = "".join(build_parser().format_help().split())
    assert all(kind in help_text for kind in FAULT_KINDS)


def test_plugin_is_registered_and_cheap_to_import() -> None:
    names = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert names.get("kie_emulator") == "kie_emulator.pytest_plugin"
    probe = (
        "import sys, json, kie_emulator.pytest_plugin;"
        "print(json.dumps([m for m in ('starlette', 'uvicorn', 'httpx') if m in sys.modules]))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert json.loads(loaded.stdout) == []


def test_fixture_handle(kie_emulator: EmulatorHandle) -> None:
    assert kie_emulator.api_key == TEST_API_KEY
    assert kie_emulator.config.task_seconds == 0.3
    with kie_emulator.client() as c:
        task_id = ok_data(c.post("/api/v1/veo/generate", json={"prompt": "p"}))["taskId"]
    assert task_id in kie_emulator.tasks
    assert kie_emulator.credits == 10000 - 80
    assert kie_emulator.create_count("veo3_fast", {"prompt": "p"}) == 1
    assert kie_emulator.state["tasks"][0]["taskId"] == task_id
    kie_emulator.credits = 3
    assert kie_emulator.ledger[-1].kind == "set"
    kie_emulator.set_fault("server-error")
    kie_emulator.configure(link_ttl=5)


def test_fixture_state_is_fresh_for_every_test(kie_emulator: EmulatorHandle) -> None:
    assert kie_emulator.credits == 10000
    assert kie_emulator.tasks == {}
    assert kie_emulator.ledger == []
    assert kie_emulator.emulator.faults == []
    assert kie_emulator.config.link_ttl == 3600


@pytest.mark.kie_emulator(task_seconds=2.5, credits=50, api_key="marked-key")
def test_marker_configures_the_fixture(kie_emulator: EmulatorHandle) -> None:
    assert kie_emulator.config.task_seconds == 2.5
    assert kie_emulator.credits == 50
    assert kie_emulator.api_key == "marked-key"
    with kie_emulator.client() as c:
        assert ok_data(c.get("/api/v1/chat/credit")) == 50
