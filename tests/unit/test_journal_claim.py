"""The journal's claim (check and insert in one transaction), schema migration, spend, budget."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kie_core.errors import BudgetExceededError
from kie_core.journal import (
    SCHEMA_VERSION,
    Journal,
    JournalState,
    check_daily_budget,
)
from kie_core.status import TaskHandle, TaskState, TaskStatus

BASE_URL = "https://api.kie.ai"

#: The version-1 schema, as journals written before output_dir and actual_credits hold it.
V1_SCHEMA = """
CREATE TABLE entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    fingerprint TEXT NOT NULL, model TEXT NOT NULL, provider TEXT NOT NULL,
    family TEXT NOT NULL, kie_model TEXT, endpoint TEXT NOT NULL, payload TEXT NOT NULL,
    base_url TEXT NOT NULL, state TEXT NOT NULL, task_id TEXT, variant TEXT,
    estimated_credits REAL, result_urls TEXT NOT NULL DEFAULT '[]', output_path TEXT,
    sha256 TEXT, size INTEGER, error TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
"""


def claim(journal: Journal, **extra: Any) -> tuple[Any, bool]:
    values: dict[str, Any] = {
        "fingerprint": "fp-1",
        "model": "kling-2.5-turbo",
        "provider": "kling",
        "family": "market",
        "kie_model": "kling/v2-5-turbo-text-to-video-pro",
        "endpoint": "POST /api/v1/jobs/createTask",
        "payload": {"model": "kling", "input": {"prompt": "a fox"}},
        "base_url": BASE_URL,
        "estimated_credits": 42.0,
    }
    values.update(extra)
    return journal.claim(**values)


def handle_for(task_id: str) -> TaskHandle:
    return TaskHandle(task_id=task_id, model="kling-2.5-turbo", provider="kling", family="market")


def test_twenty_journals_on_one_file_claim_one_request_once(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    Journal(path).close()
    barrier = threading.Barrier(20)
    outcomes: list[tuple[int, bool]] = []
    lock = threading.Lock()

    def one() -> None:
        with Journal(path) as journal:
            barrier.wait()
            entry, created = claim(journal)
            with lock:
                outcomes.append((entry.id, created))

    threads = [threading.Thread(target=one) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(created for _, created in outcomes) == 1
    assert len({entry_id for entry_id, _ in outcomes}) == 1
    with Journal(path) as journal:
        assert len(journal.entries(limit=100)) == 1


@pytest.mark.parametrize(
    ("state", "followed"),
    [
        (JournalState.SUBMITTING, True),
        (JournalState.CREATED, True),
        (JournalState.RUNNING, True),
        (JournalState.SUCCEEDED, True),
        (JournalState.DOWNLOADED, True),
        (JournalState.AMBIGUOUS, True),
        (JournalState.FAILED, False),
        (JournalState.REJECTED, False),
    ],
)
def test_claim_returns_every_paid_state_and_inserts_after_failed_or_refused(
    state: JournalState, followed: bool
) -> None:
    with Journal(":memory:") as journal:
        first, created = claim(journal)
        assert created
        _move(journal, first.id, state)
        entry, created = claim(journal)
        assert created is not followed
        assert (entry.id == first.id) is followed
        forced, created = claim(journal, again=True)
        assert created and forced.id not in (first.id, entry.id)


def _move(journal: Journal, entry_id: int, state: JournalState) -> None:
    if state is JournalState.SUBMITTING:
        return
    if state in (JournalState.AMBIGUOUS, JournalState.REJECTED):
        (journal.ambiguous if state is JournalState.AMBIGUOUS else journal.rejected)(entry_id, "x")
        return
    journal.created(entry_id, handle_for(f"t{entry_id}"))
    task = f"t{entry_id}"
    if state is JournalState.RUNNING:
        journal.record_status(task, TaskStatus(task_id=task, state=TaskState.RUNNING))
    elif state is JournalState.SUCCEEDED:
        journal.record_status(task, TaskStatus(task_id=task, state=TaskState.SUCCEEDED))
    elif state is JournalState.FAILED:
        journal.record_status(task, TaskStatus(task_id=task, state=TaskState.FAILED))
    elif state is JournalState.DOWNLOADED:
        journal.downloaded(task, "/out/t.mp4", "0" * 64, 10)


def test_an_identical_request_older_than_retention_is_not_claimed_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import kie_core.journal as module

    with Journal(":memory:") as journal:
        long_ago = datetime.now(UTC) - timedelta(days=15)
        monkeypatch.setattr(module, "_now", lambda: long_ago)
        first, _ = claim(journal)
        journal.created(first.id, handle_for("old"))
        monkeypatch.undo()
        entry, created = claim(journal)
        assert created and entry.id != first.id


def test_output_dir_and_actual_credits_are_kept() -> None:
    with Journal(":memory:") as journal:
        entry, _ = claim(journal, output_dir="/videos/out")
        assert entry.output_dir == "/videos/out" and entry.actual_credits is None
        journal.created(entry.id, handle_for("t1"))
        journal.record_status("t1", TaskStatus(task_id="t1", state=TaskState.RUNNING, credits=99.0))
        assert journal.get("t1").actual_credits is None  # only a finished task's charge counts
        journal.record_status("t1", TaskStatus(task_id="t1", state=TaskState.FAILED, credits=0.0))
        stored = journal.get("t1")
        assert stored.actual_credits == 0.0 and stored.state is JournalState.FAILED
        assert stored.output_dir == "/videos/out"


def test_a_download_gives_an_entry_without_a_folder_the_files_folder() -> None:
    with Journal(":memory:") as journal:
        entry, _ = claim(journal)
        journal.created(entry.id, handle_for("t1"))
        journal.downloaded("t1", "/videos/t1.mp4", "0" * 64, 10)
        assert journal.get("t1").output_dir == "/videos"


def test_a_version_1_journal_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(V1_SCHEMA)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    conn.execute(
        "INSERT INTO entries (fingerprint, model, provider, family, endpoint, payload, base_url,"
        " state, task_id, estimated_credits, created_at, updated_at)"
        " VALUES ('fp-1', 'm', 'p', 'market', 'POST /x', '{}', ?, 'running', 't1', 5, ?, ?)",
        (BASE_URL, stamp, stamp),
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with Journal(path) as journal:
        old = journal.get("t1")
        assert old is not None and old.output_dir is None and old.actual_credits is None
        entry, created = claim(journal)
        assert not created and entry.id == old.id  # the old running entry is followed
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
    check.close()
    with Journal(path) as again:  # opening a migrated journal changes nothing
        assert again.get("t1") == old


def test_spend_by_day_and_model_estimate_against_actual() -> None:
    with Journal(":memory:") as journal:
        done, _ = claim(journal, fingerprint="a")
        journal.created(done.id, handle_for("ta"))
        journal.record_status("ta", TaskStatus(task_id="ta", state=TaskState.SUCCEEDED, credits=40))
        failed, _ = claim(journal, fingerprint="b")
        journal.created(failed.id, handle_for("tb"))
        journal.record_status("tb", TaskStatus(task_id="tb", state=TaskState.FAILED, credits=0))
        running, _ = claim(journal, fingerprint="c", model="veo3-fast", estimated_credits=60.0)
        journal.created(running.id, handle_for("tc"))
        refused, _ = claim(journal, fingerprint="d")
        journal.rejected(refused.id, "422")
        rows = {row.model: row for row in journal.spend()}
        day = datetime.now(UTC).strftime("%Y-%m-%d")
        kling = rows["kling-2.5-turbo"]
        assert (kling.day, kling.tasks, kling.estimated, kling.actual) == (day, 3, 84.0, 40.0)
        assert (kling.unreported, kling.spent) == (0, 40.0)
        veo = rows["veo3-fast"]
        assert (veo.tasks, veo.estimated, veo.actual, veo.unreported, veo.spent) == (
            1,
            60.0,
            0.0,
            1,
            60.0,
        )
        assert journal.spent_today() == 100.0
        assert journal.spend(since=datetime.now(UTC) + timedelta(seconds=5)) == []


def test_the_daily_budget_refuses_inside_the_claim_naming_budget_and_what_is_left() -> None:
    with Journal(":memory:") as journal:
        first, created = claim(journal, fingerprint="a", daily_budget=100.0)
        assert created
        _, created = claim(journal, fingerprint="b", daily_budget=100.0, estimated_credits=58)
        assert created
        with pytest.raises(BudgetExceededError) as caught:
            claim(journal, fingerprint="c", daily_budget=100.0, estimated_credits=1.0)
        assert "daily budget is 100 credits" in str(caught.value)
        assert "0 are left" in str(caught.value)
        assert len(journal.entries(limit=10)) == 2
        # An identical request is followed, not counted again.
        followed, created = claim(journal, fingerprint="a", daily_budget=100.0)
        assert not created and followed.id == first.id


@settings(max_examples=60, deadline=None)
@given(
    budget=st.floats(min_value=0, max_value=1e6),
    spent=st.floats(min_value=0, max_value=1e6),
    estimate=st.floats(min_value=0, max_value=1e6),
)
def test_the_budget_check_refuses_exactly_what_goes_over(
    budget: float, spent: float, estimate: float
) -> None:
    if spent + estimate > budget + 1e-9:
        with pytest.raises(BudgetExceededError) as caught:
            check_daily_budget(budget, spent, estimate)
        assert caught.value.left == max(budget - spent, 0.0)
    else:
        check_daily_budget(budget, spent, estimate)


def test_a_request_without_a_price_is_refused_under_a_budget() -> None:
    with pytest.raises(BudgetExceededError, match="no published price"):
        check_daily_budget(100.0, 0.0, None)


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (sqlite3.OperationalError("attempt to write a readonly database"), "read-only"),
        (sqlite3.OperationalError("unable to open database file"), "permission denied"),
        (PermissionError(13, "Permission denied"), "chmod u+rw"),
        (sqlite3.DatabaseError("file is not a database"), "mv /j/journal.sqlite3"),
        (IsADirectoryError(21, "Is a directory"), "is a directory"),
        (sqlite3.OperationalError("database is locked"), "stayed locked"),
        (sqlite3.OperationalError("database or disk is full"), "disk is full"),
    ],
)
def test_each_journal_problem_names_the_file_and_the_fix(error: BaseException, words: str) -> None:
    from kie_core.journal import journal_error

    made = journal_error(Path("/j/journal.sqlite3"), error)
    assert "/j/journal.sqlite3" in str(made) and words in str(made)
    assert "KIE_JOURNAL" in str(made) and "\n" not in str(made)


def test_a_corrupt_journal_file_is_a_journal_error(tmp_path: Path) -> None:
    from kie_core.errors import JournalError

    path = tmp_path / "journal.sqlite3"
    path.write_bytes(b"garbage " * 1000)
    with pytest.raises(JournalError, match="not a readable kie journal"):
        Journal(path)
    with pytest.raises(JournalError, match="is a directory"):
        Journal(tmp_path)
