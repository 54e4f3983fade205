"""`kie resume --resend-ambiguous` goes through Client.resend: stale sends, answers lost again."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kie_core.journal import Journal, JournalState
from tests.cli.conftest import SECRET_KEY
from tests.cli.emulated import assert_playable_mp4


@pytest.fixture
def emulated(kie_emulator, monkeypatch):
    kie_emulator.configure(api_key=SECRET_KEY)
    monkeypatch.setenv("KIE_API_KEY", SECRET_KEY)
    monkeypatch.setenv("KIE_BASE_URL", kie_emulator.base_url)
    monkeypatch.setenv("KIE_UPLOAD_BASE_URL", kie_emulator.base_url)
    monkeypatch.setenv("KIE_POLL_INTERVAL", "0.05")
    return kie_emulator


def lose_one_create(kie, emulated, tmp_path) -> int:
    """Run a generate whose create answer is lost; return its (ambiguous) journal entry id."""
    emulated.set_fault("lost-create-response", times=1)
    assert kie("generate", "cli-turbo", "lost", "-o", str(tmp_path)).exit_code == 4
    [entry] = kie("tasks", "--json").json()
    assert entry["state"] == "ambiguous"
    return int(entry["id"])


def test_a_stale_submitting_entry_is_resent(kie, emulated, cli_env, tmp_path):
    entry_id = lose_one_create(kie, emulated, tmp_path)
    # As if the process had been killed while sending, over a minute ago.
    stamp = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    with sqlite3.connect(cli_env) as db:
        db.execute(
            "UPDATE entries SET state = 'submitting', error = NULL, created_at = ? WHERE id = ?",
            (stamp, entry_id),
        )
    listed = kie("resume", "--json")
    assert [o["outcome"] for o in listed.json()] == ["ambiguous"]

    resent = kie("resume", "--resend-ambiguous", "-o", str(tmp_path), "--json")
    assert resent.exit_code == 0, resent.stderr
    (outcome,) = resent.json()
    assert outcome["outcome"] == "downloaded"
    assert outcome["entry_id"] != entry_id
    assert_playable_mp4(Path(outcome["path"]))
    journal = Journal(cli_env)
    try:
        old = journal.get_entry(entry_id)
        assert old is not None and old.state is JournalState.REJECTED
        assert old.error is not None and "re-sent by the user" in old.error
    finally:
        journal.close()


def test_a_resend_whose_answer_is_lost_again_stays_ambiguous(kie, emulated, tmp_path):
    entry_id = lose_one_create(kie, emulated, tmp_path)
    emulated.set_fault("lost-create-response", times=1)
    run = kie("resume", "--resend-ambiguous", "-o", str(tmp_path), "--json")
    assert run.exit_code == 4
    (outcome,) = run.json()
    assert outcome["outcome"] == "ambiguous"
    assert outcome["entry_id"] == entry_id
    assert "lost again" in run.stderr
    states = [(e["id"], e["state"]) for e in kie("tasks", "--json").json()]
    assert states[1] == (entry_id, "rejected")
    assert states[0][1] == "ambiguous"
    assert f"journal entry #{states[0][0]}" in outcome["error"]
    assert len(emulated.tasks) == 2  # both sends reached the service

    again = kie("resume", "--resend-ambiguous", "-o", str(tmp_path), "--json")
    assert again.exit_code == 0, again.stderr
    assert [o["outcome"] for o in again.json()] == ["downloaded"]
    assert len(emulated.tasks) == 3
