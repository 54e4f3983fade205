"""Issue 13's small ones: suggestions, no repeated text, CLI wording, 80 columns, option keys."""

from __future__ import annotations

import pytest

from tests.cli.conftest import SECRET_KEY
from tests.cli.emulated import charges


@pytest.fixture
def emulated(kie_emulator, monkeypatch):
    kie_emulator.configure(api_key=SECRET_KEY)
    monkeypatch.setenv("KIE_API_KEY", SECRET_KEY)
    monkeypatch.setenv("KIE_BASE_URL", kie_emulator.base_url)
    monkeypatch.setenv("KIE_UPLOAD_BASE_URL", kie_emulator.base_url)
    monkeypatch.setenv("KIE_POLL_INTERVAL", "0.1")
    return kie_emulator


def narrow(text: str) -> None:
    long = [line for line in text.splitlines() if len(line) > 80]
    assert not long, long


def test_a_mistyped_model_gets_a_suggestion(kie):
    run = kie("generate", "cli-trubo", "x", "--dry-run")
    assert run.exit_code == 2
    assert "did you mean 'cli-turbo'" in run.stderr
    far = kie("generate", "zzzzzz", "x", "--dry-run")
    assert far.exit_code == 2 and "did you mean" not in far.stderr


def test_a_failed_task_says_task_failed_once(kie, emulated, tmp_path):
    emulated.set_fault("task-fail", times=1)
    run = kie("generate", "cli-turbo", "x", "-o", str(tmp_path))
    assert run.exit_code == 1
    assert run.stderr.count("task failed") == 1, run.stderr


def test_cli_errors_speak_of_the_again_flag(kie, emulated, tmp_path):
    emulated.set_fault("lost-create-response", times=1)
    assert kie("generate", "cli-turbo", "lost", "-o", str(tmp_path)).exit_code == 4
    run = kie("generate", "cli-turbo", "lost", "-o", str(tmp_path))
    assert run.exit_code == 4
    assert "--again" in run.stderr and "again=True" not in run.stderr
    assert len(charges(emulated)) == 1


def test_an_unknown_task_is_no_such_task(kie, emulated):
    for command in ("status", "wait", "download"):
        run = kie(command, "0" * 32)
        assert run.exit_code == 2, (command, run.stderr)
        assert "no such task" in run.stderr and "recordInfo is null" in run.stderr
        assert [line for line in run.stderr.splitlines() if "no such task" in line] == [
            next(line for line in run.stderr.splitlines() if line.startswith("error:"))
        ]


def test_models_reads_at_80_columns_with_option_keys(kie):
    run = kie("models", env={"COLUMNS": "80"})
    assert run.exit_code == 0
    narrow(run.stdout)
    assert "cli-turbo" in run.stdout and "cli-image" in run.stdout  # names whole
    assert "options (-O)   cfg_scale" in run.stdout
    listed = {m["name"]: m for m in kie("models", "--json").json()}
    assert listed["cli-turbo"]["options"] == ["cfg_scale"]
    assert listed["cli-turbo"]["variants"][0]["options"] == ["cfg_scale"]


def test_tasks_reads_at_80_columns(kie, emulated, tmp_path):
    out = tmp_path / "a-rather-long-folder-name-for-the-results" / "of-this-test"
    assert kie("generate", "cli-turbo", "x", "-o", str(out)).exit_code == 0
    emulated.set_fault("task-fail", times=1)
    kie("generate", "cli-turbo", "y", "-o", str(out))
    run = kie("tasks", env={"COLUMNS": "80"})
    assert run.exit_code == 0
    narrow(run.stdout)
    task_ids = [e["task_id"] for e in kie("tasks", "--json").json()]
    for task_id in task_ids:
        assert task_id in run.stdout  # ids stay whole, to be copied
    assert "cli-turbo" in run.stdout and "downloaded" in run.stdout and "failed" in run.stdout
    assert "42 (charged 0)" in run.stdout  # the refunded failure
    wide = kie("tasks", env={"COLUMNS": "200"})
    assert all(task_id in wide.stdout for task_id in task_ids)
