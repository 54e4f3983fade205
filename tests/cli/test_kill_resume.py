"""`kie generate` killed with SIGKILL while it waits: `kie resume` finishes the job, paid once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kie_core.journal import Journal, JournalState
from tests.cli.conftest import SECRET_KEY, assert_no_secret
from tests.cli.emulated import assert_playable_mp4, charges, subprocess_env


@pytest.mark.slow
def test_sigkill_while_waiting_then_resume(kie_emulator, kie_process, plugin_site, tmp_path):
    kie_emulator.configure(api_key=SECRET_KEY, task_seconds=4.0)
    out = tmp_path / "out"
    journal_path = tmp_path / "journal.sqlite3"
    env = {
        "KIE_API_KEY": SECRET_KEY,
        "KIE_BASE_URL": kie_emulator.base_url,
        "KIE_UPLOAD_BASE_URL": kie_emulator.base_url,
        "KIE_POLL_INTERVAL": "0.1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "kie_core.cli", "generate", "cli-turbo", "a fox", "-o", str(out)],
        env=subprocess_env(
            plugin_site,
            KIE_CONFIG=str(tmp_path / "no-config.toml"),
            KIE_JOURNAL=str(journal_path),
            **env,
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    journal = Journal(journal_path)
    try:
        deadline = time.monotonic() + 60
        while not kie_emulator.tasks:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the task was never created"
            time.sleep(0.05)
        (task_id,) = kie_emulator.tasks
        # Wait until the process is polling (the journal has seen the task), then kill it.
        while journal.get(task_id) is None or journal.get(task_id).state is JournalState.SUBMITTING:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate(timeout=30)
        assert process.returncode == -signal.SIGKILL
        assert_no_secret(stdout.decode(), stderr.decode())
        assert not out.exists() or not list(out.glob("*.mp4"))
        assert journal.get(task_id).state in (JournalState.CREATED, JournalState.RUNNING)

        resumed = kie_process("resume", "-o", str(out), "--json", env=env)
        assert resumed.exit_code == 0, resumed.stderr
        (outcome,) = resumed.json()
        assert outcome["task_id"] == task_id
        assert outcome["outcome"] == "downloaded"
        video = Path(outcome["path"])
        assert video.parent == out
        assert_playable_mp4(video)

        assert list(kie_emulator.tasks) == [task_id]
        assert len(charges(kie_emulator)) == 1
        entry = journal.get(task_id)
        assert entry.state is JournalState.DOWNLOADED
        assert entry.output_path == str(video)
        assert kie_process("resume", env=env).stderr.startswith("nothing to resume")
    finally:
        if process.poll() is None:
            process.kill()
        journal.close()
