"""`kie callbacks serve`: KIE's callback lands in the journal without anyone polling."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx
import pytest

from kie_core.callbacks import sign_callback
from kie_core.journal import Journal, JournalState
from tests.cli.conftest import SECRET_KEY, assert_no_secret
from tests.cli.emulated import subprocess_env

HMAC_KEY = "whk-cli-test-HMAC-0c4e2a"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_signed_callback_is_confirmed_and_journaled(
    kie, kie_emulator, plugin_site, cli_env, tmp_path, monkeypatch
):
    kie_emulator.configure(api_key=SECRET_KEY, webhook_hmac_key=HMAC_KEY, task_seconds=0.5)
    env = {
        "KIE_API_KEY": SECRET_KEY,
        "KIE_BASE_URL": kie_emulator.base_url,
        "KIE_UPLOAD_BASE_URL": kie_emulator.base_url,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    port = free_port()
    receiver = subprocess.Popen(
        [sys.executable, "-m", "kie_core.cli", "callbacks", "serve", "--port", str(port)],
        env=subprocess_env(
            plugin_site,
            KIE_CONFIG=str(tmp_path / "no-config.toml"),
            KIE_JOURNAL=str(cli_env),
            KIE_WEBHOOK_HMAC_KEY=HMAC_KEY,
            **env,
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    journal = Journal(cli_env)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert receiver.poll() is None, receiver.communicate()
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the receiver never came up"
            time.sleep(0.1)

        created = kie("generate", "cli-turbo", "a kite", "--no-wait",
                      "--callback-url", f"{url}/kie/callback")  # fmt: skip
        assert created.exit_code == 0, created.stderr
        task_id = created.stdout.strip()
        while (entry := journal.get(task_id)) is None or entry.state is not JournalState.SUCCEEDED:
            assert time.monotonic() < deadline, f"the callback was never journaled: {entry}"
            time.sleep(0.1)
        assert entry.result_urls

        body = {"code": 200, "msg": "ok", "data": {"taskId": task_id, "state": "success"}}
        forged = httpx.post(
            f"{url}/kie/callback",
            json=body,
            headers={"X-Webhook-Timestamp": str(int(time.time())), "X-Webhook-Signature": "AAAA"},
        )
        assert forged.status_code in (401, 403)
        unsigned = httpx.post(f"{url}/kie/callback", json=body)
        assert unsigned.status_code in (401, 403)
        stamp = str(int(time.time()))
        signed = httpx.post(
            f"{url}/kie/callback",
            json=body,
            headers={
                "X-Webhook-Timestamp": stamp,
                "X-Webhook-Signature": sign_callback(HMAC_KEY, task_id, stamp),
            },
        )
        assert signed.status_code == 200
    finally:
        receiver.terminate()
        stdout, stderr = receiver.communicate(timeout=30)
        journal.close()
    assert_no_secret(stdout, stderr)
    assert_no_secret(stdout, stderr, secret=HMAC_KEY)
    assert "receiving KIE callbacks" in stderr


def test_serve_refuses_a_port_in_use(kie):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        port = sock.getsockname()[1]
        run = kie("--api-key", SECRET_KEY, "callbacks", "serve", "--port", str(port))
    assert run.exit_code == 2
    assert "cannot listen" in run.stderr
