"""Issue 13 against the emulator and its ledger: what used to cost money or a result.

Each test reproduces a reported defect: a rerun batch paying again, input that was charged and
then crashed, malformed batch files read as valid, resume forgetting where results go, journal
and key problems as tracebacks, and a wait that stays silent while its queries fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import SECRET_KEY
from tests.cli.emulated import assert_playable_mp4, charges, subprocess_env


@pytest.fixture
def emulated(kie_emulator, monkeypatch):
    kie_emulator.configure(api_key=SECRET_KEY)
    monkeypatch.setenv("KIE_API_KEY", SECRET_KEY)
    monkeypatch.setenv("KIE_BASE_URL", kie_emulator.base_url)
    monkeypatch.setenv("KIE_UPLOAD_BASE_URL", kie_emulator.base_url)
    monkeypatch.setenv("KIE_POLL_INTERVAL", "0.1")
    return kie_emulator


@pytest.fixture
def unwritable_folder(tmp_path: Path) -> Path:
    """A folder that exists but cannot be written into, even by root (sysfs refuses files)."""
    if os.geteuid() != 0:
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o500)
        return folder
    return Path("/sys")


def one_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


# --- a rerun never pays again ---------------------------------------------------------------


def test_a_rerun_batch_creates_each_row_once(kie, emulated, tmp_path):
    rows = [{"model": "cli-turbo", "prompt": f"fox {n}"} for n in range(3)]
    batch = write_jsonl(tmp_path / "jobs.jsonl", rows)
    out = tmp_path / "out"
    # The interrupted first run: row 1 downloaded, row 2 created and still running, row 3 never
    # sent (what `kie batch` killed part-way, then `kie resume`, leaves in the journal).
    assert kie("generate", "cli-turbo", "fox 0", "-o", str(out)).exit_code == 0
    assert kie("generate", "cli-turbo", "fox 1", "--no-wait", "-o", str(out)).exit_code == 0
    assert len(charges(emulated)) == 2

    rerun = kie("batch", str(batch), "-o", str(out), "--json")
    assert rerun.exit_code == 0, rerun.stderr
    results = rerun.json()
    assert [r["state"] for r in results] == ["already downloaded", "downloaded", "downloaded"]
    assert [r["followed"] for r in results] == [True, True, False]
    assert len(charges(emulated)) == 3  # only the row never sent was created
    assert "already downloaded" in rerun.stderr and "--again" in rerun.stderr

    again = kie("batch", str(batch), "-o", str(out), "--json")
    assert again.exit_code == 0
    assert {r["state"] for r in again.json()} == {"already downloaded"}
    assert len(charges(emulated)) == 3
    for result in again.json():
        assert_playable_mp4(Path(result["path"]))

    forced = kie("batch", str(batch), "-o", str(out), "--again", "--json")
    assert forced.exit_code == 0
    assert len(charges(emulated)) == 6


def test_a_rerun_generate_reuses_the_downloaded_file(kie, emulated, tmp_path):
    first = kie("generate", "cli-turbo", "a fox", "-o", str(tmp_path / "out"))
    second = kie("generate", "cli-turbo", "a fox", "-o", str(tmp_path / "out"))
    assert second.exit_code == 0
    assert "already downloaded" in second.stderr and "--again" in second.stderr
    assert second.stdout == first.stdout
    assert len(charges(emulated)) == 1


# --- checked locally before any create: exit 2, one line, nothing charged -------------------


def test_an_unwritable_output_folder_charges_nothing(kie, emulated, unwritable_folder):
    run = kie("generate", "cli-turbo", "a fox", "-o", str(unwritable_folder))
    assert run.exit_code == 2
    line = one_line(run.stderr)
    assert "--output" in line and str(unwritable_folder) in line and "nothing was sent" in line
    assert charges(emulated) == [] and emulated.tasks == {}


def test_a_batch_into_an_unwritable_folder_charges_nothing(
    kie, emulated, tmp_path, unwritable_folder
):
    batch = write_jsonl(tmp_path / "jobs.jsonl", [{"model": "cli-turbo", "prompt": "x"}])
    run = kie("batch", str(batch), "-o", str(unwritable_folder))
    assert run.exit_code == 2
    assert str(unwritable_folder) in one_line(run.stderr)
    assert charges(emulated) == []


@pytest.mark.parametrize("value", ["0", "-5"])
def test_a_timeout_that_is_not_positive_charges_nothing(kie, emulated, tmp_path, value):
    run = kie("generate", "cli-turbo", "a fox", "--timeout", value, "-o", str(tmp_path))
    assert run.exit_code == 2
    assert "--timeout" in one_line(run.stderr)
    assert charges(emulated) == []


@pytest.mark.parametrize(
    "url", ["https:///nohost.png", "https://", "ftp://example.com/a.png", "http://:80/a.png"]
)
def test_an_input_url_without_a_host_charges_nothing(kie, emulated, tmp_path, url):
    run = kie("generate", "cli-image", "a fox", "-i", url, "-o", str(tmp_path))
    assert run.exit_code == 2
    line = one_line(run.stderr)
    assert "--image" in line and "host" in line
    assert charges(emulated) == [] and emulated.tasks == {}


def test_a_callback_url_without_a_host_charges_nothing(kie, emulated, tmp_path):
    run = kie("generate", "cli-turbo", "x", "--callback-url", "https:///cb", "-o", str(tmp_path))
    assert run.exit_code == 2
    assert "callback" in one_line(run.stderr)
    assert charges(emulated) == []


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('model,prompt,duration\ncli-turbo,"unterminated,5\n', 2, "unterminated quote"),
        ('model,prompt,duration\ncli-turbo,ok,5\ncli-turbo,"open,5\ncli-turbo,b,5\n', 3, "quote"),
        ("model,prompt,prompt\ncli-turbo,first,second\n", 1, "'prompt'"),
        ('model,prompt\ncli-turbo,"a "quoted" b"\n', 2, "malformed CSV"),
    ],
)
def test_a_malformed_csv_is_refused_naming_file_and_line(
    kie, emulated, tmp_path, text, line, words
):
    batch = tmp_path / "jobs.csv"
    batch.write_text(text)
    run = kie("batch", str(batch), "-o", str(tmp_path))
    assert run.exit_code == 2
    message = one_line(run.stderr)
    assert f"jobs.csv, line {line}" in message and words in message
    assert charges(emulated) == []


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ('{"model": "cli-turbo", "prompt": "a", "prompt": "b"}', "'prompt'"),
        (
            '{"model": "cli-turbo", "prompt": "a", "options": {"cfg_scale": 0.1, "cfg_scale": 1}}',
            "cfg_scale",
        ),
    ],
)
def test_a_json_line_naming_a_key_twice_is_refused(kie, emulated, tmp_path, row, field):
    batch = tmp_path / "jobs.jsonl"
    batch.write_text('{"model": "cli-turbo", "prompt": "ok"}\n' + row + "\n")
    run = kie("batch", str(batch), "-o", str(tmp_path))
    assert run.exit_code == 2
    message = one_line(run.stderr)
    assert "jobs.jsonl, line 2" in message and field in message and "twice" in message
    assert charges(emulated) == []


def test_a_quoted_csv_cell_may_span_lines_and_is_named_by_its_first_line(kie, tmp_path):
    batch = tmp_path / "jobs.csv"
    batch.write_text('model,prompt,duration\ncli-turbo,"two\nlines",5\ncli-turbo,b,7\n')
    run = kie("batch", str(batch), "--dry-run", "--json")
    assert run.exit_code == 2
    assert "line 4" in one_line(run.stderr) and "duration" in run.stderr


# --- the daily budget -----------------------------------------------------------------------


def test_the_daily_budget_refuses_a_create_naming_budget_and_what_is_left(kie, emulated, tmp_path):
    env = {"KIE_DAILY_BUDGET": "50"}
    assert kie("generate", "cli-turbo", "one", "--no-wait", env=env).exit_code == 0
    refused = kie("generate", "cli-turbo", "two", "--no-wait", env=env)
    assert refused.exit_code == 3
    line = one_line(refused.stderr)
    assert "daily budget is 50 credits" in line and "8 are left" in line
    assert len(charges(emulated)) == 1
    # The identical request already paid for is followed, not refused.
    assert kie("generate", "cli-turbo", "one", "--no-wait", env=env).exit_code == 0
    assert len(charges(emulated)) == 1


def test_the_daily_budget_from_the_config_file(kie, emulated, tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text("daily_budget = 10\n")
    monkeypatch.setenv("KIE_CONFIG", str(config))
    run = kie("generate", "cli-turbo", "one", "--no-wait")
    assert run.exit_code == 3 and "daily budget is 10 credits" in one_line(run.stderr)
    assert charges(emulated) == []


def test_a_bad_daily_budget_is_one_line(kie, emulated):
    run = kie("generate", "cli-turbo", "one", "--no-wait", env={"KIE_DAILY_BUDGET": "lots"})
    assert run.exit_code == 2
    assert "KIE_DAILY_BUDGET" in one_line(run.stderr)


# --- kie spend --------------------------------------------------------------------------------


def test_spend_after_a_mixed_run_matches_the_ledger_to_the_credit(kie, emulated, tmp_path):
    out = str(tmp_path / "out")
    assert kie("generate", "cli-turbo", "ok", "-o", out).exit_code == 0
    assert kie("generate", "cli-turbo", "long", "-d", "10", "-o", out).exit_code == 0
    emulated.set_fault("task-fail", times=1)
    assert kie("generate", "cli-turbo", "refunded", "-o", out).exit_code == 1
    assert kie("generate", "cli-turbo", "running", "--no-wait").exit_code == 0
    running = [t for t in emulated.tasks.values() if "running" in json.dumps(t.body)]
    assert kie("resume", "--json").exit_code == 0

    report = kie("spend", "--json").json()
    charged = sum(e.amount for e in emulated.ledger if e.kind == "charge")
    refunded = sum(e.amount for e in emulated.ledger if e.kind == "refund")
    assert refunded == 42 and charged == 42 + 84 + 42 + 42
    assert report["total"]["actual_credits"] == charged - refunded
    assert report["total"]["unreported"] == 0
    (row,) = report["rows"]
    assert row["model"] == "cli-turbo" and row["tasks"] == 4
    assert row["estimated_credits"] == 42 + 84 + 42 + 42
    assert report["today"]["spent_credits"] == charged - refunded
    assert len(running) == 1

    table = kie("spend", env={"COLUMNS": "80"})
    assert table.exit_code == 0
    assert all(len(line) <= 80 for line in table.stdout.splitlines())
    assert "cli-turbo" in table.stdout and str(int(charged - refunded)) in table.stdout


def test_spend_with_an_empty_journal_and_a_budget(kie):
    run = kie("spend", env={"KIE_DAILY_BUDGET": "100"})
    assert run.exit_code == 0
    assert "daily budget 100 credits" in run.stdout and "100 left" in run.stdout


# --- resume ---------------------------------------------------------------------------------


def test_resume_downloads_into_the_folder_the_command_named(kie, emulated, tmp_path):
    out = tmp_path / "named"
    submitted = kie("generate", "cli-turbo", "later", "--no-wait", "-o", str(out))
    task_id = submitted.stdout.strip()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.chdir(elsewhere)
    resumed = kie("resume", "--json")
    assert resumed.exit_code == 0, resumed.stderr
    (outcome,) = resumed.json()
    assert Path(outcome["path"]).parent == out
    assert_playable_mp4(out / f"{task_id}.mp4")
    assert list(elsewhere.iterdir()) == []


def test_resume_elsewhere_removes_the_stale_part_file(kie, emulated, tmp_path):
    out = tmp_path / "named"
    task_id = kie("generate", "cli-turbo", "later", "--no-wait", "-o", str(out)).stdout.strip()
    out.mkdir()
    stale = out / f".{task_id}.mp4.part"
    stale.write_bytes(b"\0" * 100)  # what the killed command left behind
    other = tmp_path / "other"
    resumed = kie("resume", "-o", str(other), "--json")
    assert resumed.exit_code == 0
    assert_playable_mp4(other / f"{task_id}.mp4")
    assert not stale.exists()


def test_two_resumes_at_once_both_succeed_and_download_once(emulated, plugin_site, tmp_path):
    # Big enough that the two downloads overlap: the second waits for the first's lock.
    for n in range(3):
        proc_env = subprocess_env(
            plugin_site,
            KIE_CONFIG=str(tmp_path / "no-config.toml"),
            KIE_JOURNAL=str(tmp_path / "journal.sqlite3"),
            KIE_API_KEY=SECRET_KEY,
            KIE_BASE_URL=emulated.base_url,
            KIE_UPLOAD_BASE_URL=emulated.base_url,
            KIE_POLL_INTERVAL="0.1",
        )
        subprocess.run(
            [
                sys.executable,
                "-m",
                "kie_core.cli",
                "generate",
                "cli-turbo",
                f"p{n}",
                "--no-wait",
                "-o",
                str(tmp_path / "out"),
            ],
            env=proc_env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "kie_core.cli", "resume", "--json"],
            env=proc_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [proc.communicate(timeout=120) for proc in procs]
    for proc, (stdout, stderr) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, stderr
        assert SECRET_KEY not in stdout + stderr
        assert {o["outcome"] for o in json.loads(stdout)} <= {"downloaded"}
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(files) == 3 and not any(name.endswith(".part") for name in files)
    for name in files:
        assert_playable_mp4(tmp_path / "out" / name)
    assert len(charges(emulated)) == 3


# --- errors that are one line -------------------------------------------------------------


@pytest.mark.parametrize("kind", ["directory", "corrupt", "unreachable"])
def test_a_journal_problem_is_one_line_naming_the_file_exit_2(kie, emulated, tmp_path, kind):
    if kind == "directory":
        journal = tmp_path / "ajournal"
        journal.mkdir()
    elif kind == "corrupt":
        journal = tmp_path / "journal.sqlite3"
        journal.write_bytes(b"this is not sqlite at all, " * 200)
    else:
        journal = Path("/sys/kie-journal/journal.sqlite3")
    for args in (["tasks"], ["generate", "cli-turbo", "x", "--no-wait"], ["resume"], ["spend"]):
        run = kie(*args, env={"KIE_JOURNAL": str(journal)})
        assert run.exit_code == 2, (args, run.stderr)
        line = one_line(run.stderr)
        assert str(journal) in line and "KIE_JOURNAL" in line
        assert "Traceback" not in run.stderr
    assert charges(emulated) == []


@pytest.mark.parametrize(
    "key", [SECRET_KEY + "\r\nX-Evil: 1", SECRET_KEY + "\n", "sk-clé-" + SECRET_KEY, "sk a b"]
)
def test_an_unsafe_api_key_is_refused_locally_and_never_echoed(kie, emulated, tmp_path, key):
    run = kie("generate", "cli-turbo", "x", "--no-wait", env={"KIE_API_KEY": key})
    if key.strip() == SECRET_KEY:
        assert run.exit_code == 0  # surrounding whitespace is not part of the key
        return
    assert run.exit_code == 3
    line = one_line(run.stderr)
    assert "header" in line and "Traceback" not in run.stderr
    assert key.strip() not in run.stdout + run.stderr and "clé" not in line
    assert charges(emulated) == []


def test_a_wait_whose_status_queries_fail_says_so_with_the_last_error(kie, emulated, tmp_path):
    # As many failures in a row as one query's retries absorb: the wait itself sees one.
    emulated.set_fault("server-error", times=5, paths=["/api/v1/jobs/recordInfo"])
    shown = kie("generate", "cli-turbo", "z", "-o", str(tmp_path))
    assert shown.exit_code == 0
    warning = next(line for line in shown.stderr.splitlines() if "failed in a row" in line)
    assert "1 status query failed in a row, still waiting" in warning
    assert "last error" in warning and "recordInfo" in warning


def test_a_rerun_batch_under_a_low_balance_and_budget_still_finishes(kie, emulated, tmp_path):
    rows = [{"model": "cli-turbo", "prompt": f"fox {n}"} for n in range(2)]
    batch = write_jsonl(tmp_path / "jobs.jsonl", rows)
    assert kie("batch", str(batch), "-o", str(tmp_path / "out")).exit_code == 0
    emulated.credits = 0  # nothing new could be paid for
    rerun = kie("batch", str(batch), "-o", str(tmp_path / "out"), env={"KIE_DAILY_BUDGET": "1"})
    assert rerun.exit_code == 0, rerun.stderr
    assert "2 already in the journal" in rerun.stderr
    assert len(charges(emulated)) == 2


def test_a_batch_over_the_daily_budget_sends_nothing(kie, emulated, tmp_path):
    rows = [{"model": "cli-turbo", "prompt": f"fox {n}"} for n in range(3)]
    batch = write_jsonl(tmp_path / "jobs.jsonl", rows)
    run = kie("batch", str(batch), "-o", str(tmp_path), env={"KIE_DAILY_BUDGET": "100"})
    assert run.exit_code == 3
    assert "daily budget is 100 credits" in run.stderr and "100 are left" in run.stderr
    assert charges(emulated) == []


def test_identical_lines_of_one_batch_are_paid_once(kie, emulated, tmp_path):
    rows = [{"model": "cli-turbo", "prompt": "the same fox"}] * 4
    batch = write_jsonl(tmp_path / "jobs.jsonl", rows)
    run = kie("batch", str(batch), "-o", str(tmp_path / "out"), "--json")
    assert run.exit_code == 0, run.stderr
    results = run.json()
    assert len({r["task_id"] for r in results}) == 1
    assert {r["state"] for r in results} <= {"downloaded", "already downloaded"}
    assert len(charges(emulated)) == 1
    assert [p.name for p in (tmp_path / "out").iterdir()] == [f"{results[0]['task_id']}.mp4"]


def test_a_batch_line_identical_to_an_ambiguous_request_says_again_the_cli_way(
    kie, emulated, tmp_path
):
    emulated.set_fault("lost-create-response", times=1)
    assert kie("generate", "cli-turbo", "lost", "--no-wait").exit_code == 4
    batch = write_jsonl(tmp_path / "jobs.jsonl", [{"model": "cli-turbo", "prompt": "lost"}])
    run = kie("batch", str(batch), "-o", str(tmp_path), "--json")
    assert run.exit_code == 4
    (result,) = run.json()
    assert "--again" in result["error"] and "again=True" not in result["error"]
    assert len(emulated.tasks) == 1


def test_no_wait_checks_a_named_output_folder_before_the_create(kie, emulated, unwritable_folder):
    run = kie("generate", "cli-turbo", "x", "--no-wait", "-o", str(unwritable_folder))
    assert run.exit_code == 2 and str(unwritable_folder) in one_line(run.stderr)
    assert charges(emulated) == []


def test_resume_into_a_journaled_folder_now_unwritable_is_one_line_exit_2(
    kie, emulated, tmp_path, unwritable_folder, cli_env
):
    import sqlite3

    assert kie("generate", "cli-turbo", "x", "--no-wait", "-o", str(tmp_path)).exit_code == 0
    with sqlite3.connect(cli_env) as conn:  # the folder became unwritable since
        conn.execute("UPDATE entries SET output_dir = ?", (str(unwritable_folder),))
    run = kie("resume")
    assert run.exit_code == 2
    errors = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and str(unwritable_folder) in errors[0]
    assert "Traceback" not in run.stderr
    assert len(charges(emulated)) == 1
