"""`kie` commands end to end against the emulator: MP4s on disk, credits untouched by refusals."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import pytest

from tests.cli.conftest import SECRET_KEY, assert_no_secret
from tests.cli.emulated import assert_playable_mp4, charges


@pytest.fixture
def emulated(kie_emulator, monkeypatch):
    """The emulator, accepting the recognizable key, and the CLI pointed at it."""
    kie_emulator.configure(api_key=SECRET_KEY)
    monkeypatch.setenv("KIE_API_KEY", SECRET_KEY)
    monkeypatch.setenv("KIE_BASE_URL", kie_emulator.base_url)
    monkeypatch.setenv("KIE_UPLOAD_BASE_URL", kie_emulator.base_url)
    monkeypatch.setenv("KIE_POLL_INTERVAL", "0.05")
    return kie_emulator


def test_generate_downloads_a_playable_mp4(kie, emulated, tmp_path):
    start = emulated.credits
    out = tmp_path / "out"
    run = kie("generate", "cli-turbo", "a fox runs through snow", "-d", "5", "-o", str(out))
    assert run.exit_code == 0, run.stderr
    path = Path(run.stdout.strip())
    assert path.parent == out
    assert path.suffix == ".mp4"
    assert_playable_mp4(path)
    assert emulated.credits == start - 42
    assert len(charges(emulated)) == 1
    assert "saved" in run.stderr


def test_generate_json_reports_task_and_path(kie, emulated, tmp_path):
    run = kie("generate", "cli-turbo", "a fox", "-o", str(tmp_path), "--json", "--quiet")
    assert run.exit_code == 0, run.stderr
    result = run.json()
    assert result["state"] == "succeeded"
    assert result["estimated_credits"] == 42
    assert result["task_id"] in emulated.tasks
    assert_playable_mp4(Path(result["path"]))
    assert run.stderr == ""


def test_generate_uploads_a_local_image_first(kie, emulated, tmp_path):
    image = tmp_path / "frame.png"
    image.write_bytes((files("kie_emulator") / "data" / "sample.png").read_bytes())
    run = kie("generate", "cli-image", "the frame comes alive", "-i", str(image),
              "-o", str(tmp_path), "--json")  # fmt: skip
    assert run.exit_code == 0, run.stderr
    task = emulated.tasks[run.json()["task_id"]]
    assert task.model == "kling/v2-1-pro"
    assert str(image) not in json.dumps(task.body)
    assert task.body["input"]["image_url"].startswith(emulated.base_url)
    assert_playable_mp4(Path(run.json()["path"]))


def test_unsupported_duration_spends_nothing(kie, emulated):
    start = emulated.credits
    run = kie("generate", "cli-turbo", "x", "--duration", "7")
    assert run.exit_code == 2
    assert "duration 7" in run.stderr and "5, 10" in run.stderr
    assert emulated.credits == start
    assert emulated.tasks == {}
    assert emulated.ledger == [] or not charges(emulated)


def test_dry_run_leaves_the_ledger_alone(kie, emulated):
    start = emulated.credits
    run = kie("generate", "cli-turbo", "x", "--dry-run", "--json")
    assert run.exit_code == 0
    assert run.json()["estimated_credits"] == 42
    assert emulated.credits == start
    assert emulated.tasks == {}


def test_max_credits_refusal_spends_nothing(kie, emulated):
    start = emulated.credits
    run = kie("generate", "cli-turbo", "x", "-d", "10", "--max-credits", "60")
    assert run.exit_code == 3
    assert emulated.credits == start
    assert emulated.tasks == {}


def test_low_balance_is_refused_before_creating(kie, emulated):
    emulated.credits = 10
    run = kie("generate", "cli-turbo", "x")
    assert run.exit_code == 3
    assert "balance is 10" in run.stderr
    assert emulated.tasks == {}


def test_bad_key_exits_3_and_is_not_shown(kie, emulated, monkeypatch):
    wrong = "sk-wrong-key-7d1e0b22"
    monkeypatch.setenv("KIE_API_KEY", wrong)
    for args in (("credits",), ("generate", "cli-turbo", "x")):
        run = kie(*args)
        assert run.exit_code == 3, run.stderr
        assert_no_secret(run.stdout, run.stderr, secret=wrong)
    assert emulated.tasks == {}


def test_missing_key_exits_3(kie, emulated, monkeypatch):
    monkeypatch.delenv("KIE_API_KEY")
    run = kie("credits")
    assert run.exit_code == 3
    assert "KIE_API_KEY" in run.stderr


def test_connection_refused_exits_4(kie, monkeypatch):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("KIE_API_KEY", SECRET_KEY)
    run = kie("--base-url", f"http://127.0.0.1:{port}", "credits")
    assert run.exit_code == 4
    assert run.stderr.startswith("error:")


def test_failed_task_exits_1_with_the_reason(kie, emulated, tmp_path):
    emulated.set_fault("task-fail")
    run = kie("generate", "cli-turbo", "x", "-o", str(tmp_path), "--json")
    assert run.exit_code == 1, run.stderr
    assert run.json()["state"] == "failed"
    assert "task failed" in run.stderr
    assert list(tmp_path.glob("*.mp4")) == []


def test_no_wait_then_status_wait_download_tasks_credits(kie, emulated, tmp_path):
    created = kie("generate", "cli-turbo", "a boat", "--no-wait")
    assert created.exit_code == 0, created.stderr
    task_id = created.stdout.strip()
    assert task_id in emulated.tasks

    status = kie("status", task_id, "--json")
    assert status.exit_code == 0, status.stderr
    assert status.json()["task_id"] == task_id
    assert status.json()["state"] in ("pending", "running", "succeeded")

    waited = kie("wait", task_id, "--json")
    assert waited.exit_code == 0, waited.stderr
    assert waited.json()["state"] == "succeeded"
    assert waited.json()["result_urls"]

    table = kie("status", task_id)
    assert "succeeded" in table.stdout

    downloaded = kie("download", task_id, "-o", str(tmp_path / "dl"), "--json")
    assert downloaded.exit_code == 0, downloaded.stderr
    assert_playable_mp4(Path(downloaded.json()["path"]))

    tasks = kie("tasks", "--json")
    assert tasks.exit_code == 0
    entry = next(e for e in tasks.json() if e["task_id"] == task_id)
    assert entry["state"] == "downloaded"
    assert entry["output_path"] == downloaded.json()["path"]
    assert entry["model"] == "cli-turbo"
    assert SECRET_KEY not in json.dumps(entry)
    table = kie("tasks")
    assert task_id in table.stdout

    balance = kie("credits", "--json")
    assert balance.json() == {"credits": emulated.credits}
    assert kie("credits").stdout.strip() == f"{emulated.credits:g}"


def test_identical_running_request_is_followed_not_paid_twice(kie, emulated):
    emulated.configure(task_seconds=30)
    first = kie("generate", "cli-turbo", "same prompt", "--no-wait")
    second = kie("generate", "cli-turbo", "same prompt", "--no-wait")
    assert first.exit_code == second.exit_code == 0
    assert first.stdout == second.stdout
    assert "already running" in second.stderr
    assert len(emulated.tasks) == 1
    third = kie("generate", "cli-turbo", "same prompt", "--no-wait", "--again")
    assert third.stdout != first.stdout
    assert len(emulated.tasks) == 2


def test_wait_timeout_exits_4_and_says_how_to_finish(kie, emulated):
    emulated.configure(task_seconds=60)
    task_id = kie("generate", "cli-turbo", "slow", "--no-wait").stdout.strip()
    run = kie("wait", task_id, "--timeout", "0.3")
    assert run.exit_code == 4
    assert "kie resume" in run.stderr


def test_status_of_unknown_family_is_refused(kie, emulated):
    run = kie("status", "abc", "--family", "nope")
    assert run.exit_code == 2
    assert "market" in run.stderr


def test_deprecated_model_runs_without_a_tty_after_warning(kie, emulated, tmp_path):
    run = kie("generate", "cli-old", "a lighthouse", "-o", str(tmp_path), "--json")
    assert "deprecated since 2026-09-24" in run.stderr
    assert run.exit_code == 0, run.stderr
    assert_playable_mp4(Path(run.json()["path"]))


def test_download_of_a_running_task_waits_for_it(kie, emulated, tmp_path):
    emulated.configure(task_seconds=1.0)
    task_id = kie("generate", "cli-turbo", "patience", "--no-wait").stdout.strip()
    run = kie("download", task_id, "-o", str(tmp_path), "--json")
    assert run.exit_code == 0, run.stderr
    assert_playable_mp4(Path(run.json()["path"]))


def test_download_of_a_failed_task_exits_1(kie, emulated, tmp_path):
    emulated.set_fault("task-fail")
    task_id = kie("generate", "cli-turbo", "doomed", "--no-wait").stdout.strip()
    run = kie("download", task_id, "-o", str(tmp_path))
    assert run.exit_code == 1
    assert list(tmp_path.glob("*.mp4")) == []


def test_expired_link_is_refreshed_by_download(kie, emulated, tmp_path):
    emulated.set_fault("expired-link", times=1)
    run = kie("generate", "cli-turbo", "stale link", "-o", str(tmp_path), "--json")
    assert run.exit_code == 0, run.stderr
    assert emulated.tasks[run.json()["task_id"]].links_expired
    assert_playable_mp4(Path(run.json()["path"]))


def test_declining_the_deprecation_question_sends_nothing(kie, emulated, monkeypatch, tmp_path):
    from kie_core.cli.output import Output

    asked: list[str] = []
    monkeypatch.setattr(Output, "interactive", property(lambda self: True))
    monkeypatch.setattr(Output, "confirm", lambda self, question: asked.append(question) or False)
    run = kie("generate", "cli-old", "a lighthouse", "-o", str(tmp_path))
    assert run.exit_code == 2
    assert "cancelled; nothing was sent" in run.stderr
    assert asked and "cli-old is deprecated" in asked[0] and "20 credits" in asked[0]
    assert emulated.tasks == {}
    assert kie("generate", "cli-old", "a lighthouse", "--yes", "--no-wait").exit_code == 0
    assert len(emulated.tasks) == 1


def test_journal_flag_chooses_the_journal(kie, emulated, tmp_path):
    own = tmp_path / "own.sqlite3"
    task_id = kie("--journal", str(own), "generate", "cli-turbo", "x", "--no-wait").stdout.strip()
    assert [e["task_id"] for e in kie("--journal", str(own), "tasks", "--json").json()] == [task_id]
    assert kie("tasks", "--json").json() == []
