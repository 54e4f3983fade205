"""`kie emulator`: the command serves an emulator that `kie generate` can use end to end."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.cli.conftest import SECRET_KEY, assert_no_secret
from tests.cli.emulated import assert_playable_mp4, subprocess_env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_emulator_command_serves_a_full_generation(kie_process, plugin_site, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    emulator = subprocess.Popen(
        [sys.executable, "-m", "kie_core.cli", "emulator", "--port", str(port),
         "--api-key", SECRET_KEY, "--task-seconds", "0.5", "--credits", "500", "--seed", "7"],
        env=subprocess_env(plugin_site),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            assert emulator.poll() is None, emulator.communicate()
            try:
                if httpx.get(f"{url}/_emulator/state").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the emulator never came up"
            time.sleep(0.1)
        env = {"KIE_API_KEY": SECRET_KEY, "KIE_BASE_URL": url, "KIE_UPLOAD_BASE_URL": url}
        run = kie_process("generate", "cli-turbo", "a fox", "-o", str(tmp_path), env=env)
        assert run.exit_code == 0, run.stderr
        assert_playable_mp4(Path(run.stdout.strip()))
        assert httpx.get(f"{url}/_emulator/state").json()["credits"] == 500 - 42
        assert kie_process("credits", env=env).stdout.strip() == "458"
    finally:
        emulator.terminate()
        stdout, stderr = emulator.communicate(timeout=30)
    assert f"listening on {url}" in stdout
    assert_no_secret(stdout, stderr)


@pytest.mark.parametrize("fault", ["bogus=1", "server-error=2", "slow=x"])
def test_bad_fault_specs_exit_2(kie, fault):
    run = kie("emulator", "--port", "0", "--fault", fault)
    assert run.exit_code == 2
    assert "fault" in run.stderr


def test_port_in_use_exits_2(kie):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        run = kie("emulator", "--port", str(sock.getsockname()[1]))
    assert run.exit_code == 2
    assert "cannot listen" in run.stderr


def test_without_the_emulator_distribution_the_command_says_how_to_install_it(plugin_site):
    done = subprocess.run(
        [sys.executable, "-m", "kie_core.cli", "emulator", "--port", "0"],
        env=subprocess_env(plugin_site, KIE_DISABLE_PLUGINS="emulator"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "error: the KIE emulator (kie-emulator) is not installed: pip install kie-emulator"
    )
