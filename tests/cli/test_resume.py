"""`kie tasks` and `kie resume`: the journal, ambiguous creates, resending, failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from kie_core.journal import Journal, JournalState
from tests.cli.conftest import SECRET_KEY
from tests.cli.emulated import assert_playable_mp4, charges


@pytest.fixture
def emulated(kie_emulator, monkeypatch):
    kie_emulator.configure(api_key=SECRET_KEY)
    monkeypatch.setenv("KIE_API_KEY", SECRET_KEY)
    monkeypatch.setenv("KIE_BASE_URL", kie_emulator.base_url)
    monkeypatch.setenv("KIE_UPLOAD_BASE_URL", kie_emulator.base_url)
    monkeypatch.setenv("KIE_POLL_INTERVAL", "0.05")
    return kie_emulator


def test_nothing_to_resume(kie, emulated):
    run = kie("resume")
    assert run.exit_code == 0
    assert "nothing to resume" in run.stderr
    assert kie("resume", "--json").json() == []
    assert kie("tasks", "--json").json() == []
    assert "no tasks" in kie("tasks").stderr


def test_resume_waits_and_downloads_every_unfinished_task(kie, emulated, tmp_path):
    ids = [kie("generate", "cli-turbo", f"clip {n}", "--no-wait").stdout.strip() for n in range(3)]
    running = kie("tasks", "--state", "created", "--state", "running", "--json").json()
    assert {entry["task_id"] for entry in running} == set(ids)
    run = kie("resume", "-o", str(tmp_path), "--json")
    assert run.exit_code == 0, run.stderr
    outcomes = run.json()
    assert sorted(o["task_id"] for o in outcomes) == sorted(ids)
    assert {o["outcome"] for o in outcomes} == {"downloaded"}
    for outcome in outcomes:
        assert_playable_mp4(Path(outcome["path"]))
    assert len(charges(emulated)) == 3
    assert kie("resume").stderr.startswith("nothing to resume")


def test_lost_create_answer_is_ambiguous_and_never_resent_silently(kie, emulated, tmp_path):
    emulated.set_fault("lost-create-response", times=1)
    run = kie("generate", "cli-turbo", "lost", "-o", str(tmp_path))
    assert run.exit_code == 4
    assert "ambiguous" in run.stderr
    assert len(emulated.tasks) == 1  # created and charged, but the answer never arrived

    again = kie("generate", "cli-turbo", "lost", "-o", str(tmp_path))
    assert again.exit_code == 4
    assert "already in the journal" in again.stderr
    assert len(emulated.tasks) == 1

    listed = kie("tasks", "--state", "ambiguous", "--json").json()
    assert len(listed) == 1 and listed[0]["task_id"] is None

    resumed = kie("resume", "--json")
    assert resumed.exit_code == 4  # not done while an ambiguous request remains
    assert [o["outcome"] for o in resumed.json()] == ["ambiguous"]
    assert "--resend-ambiguous" in resumed.stderr
    assert len(emulated.tasks) == 1

    resent = kie("resume", "--resend-ambiguous", "-o", str(tmp_path), "--json")
    assert resent.exit_code == 0, resent.stderr
    (outcome,) = resent.json()
    assert outcome["outcome"] == "downloaded"
    assert_playable_mp4(Path(outcome["path"]))
    assert len(emulated.tasks) == 2  # the user chose to pay again
    states = [e["state"] for e in kie("tasks", "--json").json()]
    assert states == ["downloaded", "rejected"]


def test_resume_reports_a_failed_task_with_exit_1(kie, emulated, tmp_path):
    emulated.set_fault("task-fail", times=1)
    task_id = kie("generate", "cli-turbo", "doomed", "--no-wait").stdout.strip()
    run = kie("resume", "-o", str(tmp_path), "--json")
    assert run.exit_code == 1
    (outcome,) = run.json()
    assert outcome["task_id"] == task_id
    assert outcome["outcome"] == "failed"
    assert outcome["error"]
    failed = kie("tasks", "--state", "failed", "--json").json()
    assert [e["task_id"] for e in failed] == [task_id]


def test_resume_leaves_tasks_of_another_service_alone(kie, emulated, cli_env, tmp_path):
    task_id = kie("generate", "cli-turbo", "elsewhere", "--no-wait").stdout.strip()
    journal = Journal(cli_env)
    try:
        assert journal.get(task_id).state is JournalState.CREATED
    finally:
        journal.close()
    run = kie("--base-url", "http://127.0.0.1:9", "resume", "--json")
    assert run.exit_code == 0
    (outcome,) = run.json()
    assert outcome["outcome"] == "skipped"
    assert emulated.base_url in outcome["error"]


def test_tasks_rejects_an_unknown_state(kie):
    run = kie("tasks", "--state", "done")
    assert run.exit_code == 2
    assert "downloaded" in run.stderr


def test_tasks_table_and_limit(kie, emulated, tmp_path):
    for n in range(3):
        assert kie("generate", "cli-turbo", f"t{n}", "-o", str(tmp_path)).exit_code == 0
    assert len(kie("tasks", "--limit", "2", "--json").json()) == 2
    table = kie("tasks")
    assert table.stdout.count("cli-turbo") == 3
    assert "downloaded" in table.stdout
