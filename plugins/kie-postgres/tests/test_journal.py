from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from kie_postgres.journal import STATUS_CHANNEL, PostgresJournal

from kie_core.errors import BudgetExceededError
from kie_core.journal import JournalState
from kie_core.status import TaskHandle, TaskState, TaskStatus
from kie_core.stores import JournalStore, open_journal_store

BASE = "http://kie.test"


def new(journal: PostgresJournal, fingerprint: str = "fp-1", **extra: Any) -> tuple[Any, bool]:
    values: dict[str, Any] = {
        "fingerprint": fingerprint,
        "model": "kling-2.5-turbo",
        "provider": "kling",
        "family": "market",
        "kie_model": "kling/v2-5-turbo-text-to-video-pro",
        "endpoint": "POST /api/v1/jobs/createTask",
        "payload": {"input": {"prompt": "a fox"}},
        "base_url": BASE + "/",
        "estimated_credits": 42.0,
        **extra,
    }
    return journal.claim(**values)


def handle(task_id: str) -> TaskHandle:
    return TaskHandle(task_id=task_id, model="kling-2.5-turbo", provider="kling", family="market")


def status(task_id: str, state: TaskState, **extra: Any) -> TaskStatus:
    return TaskStatus(task_id=task_id, state=state, **extra)


@pytest.fixture
def journal(database_url: str) -> PostgresJournal:
    store = open_journal_store(database_url)
    assert isinstance(store, PostgresJournal)
    assert isinstance(store, JournalStore)
    return store


def test_an_entry_goes_through_its_life(journal: PostgresJournal) -> None:
    entry, created = new(journal)
    assert created and entry.state is JournalState.SUBMITTING and entry.base_url == BASE
    journal.created(entry.id, handle("t1"))
    journal.record_status("t1", status("t1", TaskState.RUNNING))
    journal.record_status(
        "t1", status("t1", TaskState.SUCCEEDED, result_urls=("http://x/a.mp4",), credits=40.0)
    )
    journal.downloaded("t1", "/out/t1.mp4", "ab" * 32, 1234)
    done = journal.get("t1")
    assert done is not None
    assert done.state is JournalState.DOWNLOADED
    assert done.result_urls == ["http://x/a.mp4"]
    assert (done.output_path, done.size, done.output_dir) == ("/out/t1.mp4", 1234, "/out")
    assert done.actual_credits == 40.0
    assert done.payload == {"input": {"prompt": "a fox"}}
    assert journal.get_entry(entry.id) == done
    assert journal.entries(limit=5) == [done]
    assert journal.entries(states=[JournalState.FAILED]) == []
    assert journal.unfinished() == []


def test_a_state_never_moves_backwards(journal: PostgresJournal) -> None:
    entry, _ = new(journal)
    journal.created(entry.id, handle("t1"))
    journal.downloaded("t1", "/out/t1.mp4", "00", 1)
    journal.record_status("t1", status("t1", TaskState.RUNNING))
    journal.rejected(entry.id, "late")
    after = journal.get("t1")
    assert after is not None and after.state is JournalState.DOWNLOADED


def test_an_identical_request_follows_the_one_journaled(journal: PostgresJournal) -> None:
    first, created = new(journal)
    again, created_again = new(journal)
    assert created and not created_again and again.id == first.id
    journal.created(first.id, handle("t1"))
    journal.downloaded("t1", "/out/t1.mp4", "00", 1)
    # Downloaded results are followed too: paying again would buy the same video.
    assert new(journal)[0].id == first.id
    deliberate, made = new(journal, again=True)
    assert made and deliberate.id != first.id


def test_the_database_refuses_two_active_identical_entries(
    journal: PostgresJournal, database_url: str
) -> None:
    new(journal)
    with psycopg.connect(database_url) as conn, pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute(
            "INSERT INTO kie_journal (fingerprint, model, provider, family, endpoint, payload,"
            " base_url, state) VALUES ('fp-1', 'm', 'p', 'market', 'POST /x', '{}', %s,"
            " 'created')",
            (BASE,),
        )


def test_a_refused_request_may_be_claimed_again(journal: PostgresJournal) -> None:
    first, _ = new(journal)
    journal.rejected(first.id, "422 bad prompt")
    second, created = new(journal)
    assert created and second.id != first.id


def test_of_many_threads_claiming_one_request_one_sends(journal: PostgresJournal) -> None:
    barrier = threading.Barrier(16)
    outcomes: list[tuple[int, bool]] = []

    def claim() -> None:
        barrier.wait()
        entry, created = new(journal, "fp-race")
        outcomes.append((entry.id, created))

    threads = [threading.Thread(target=claim) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(created for _, created in outcomes) == 1
    assert len({entry_id for entry_id, _ in outcomes}) == 1


def test_one_resend_of_an_ambiguous_entry(journal: PostgresJournal) -> None:
    entry, _ = new(journal)
    journal.ambiguous(entry.id, "read timeout, Bearer abc.def")
    barrier = threading.Barrier(8)
    answers: list[bool] = []

    def resend() -> None:
        barrier.wait()
        answers.append(journal.mark_resent(entry.id))

    threads = [threading.Thread(target=resend) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [False] * 7 + [True]
    closed = journal.get_entry(entry.id)
    assert closed is not None and closed.state is JournalState.REJECTED
    assert closed.error is not None and "abc.def" not in closed.error
    assert "re-sent by the user" in closed.error


def test_the_api_key_is_never_stored(
    journal: PostgresJournal, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIE_API_KEY", "sk-very-secret")
    entry, _ = new(journal, payload={"input": {"prompt": "sk-very-secret"}})
    journal.rejected(entry.id, "401 for key sk-very-secret")
    with psycopg.connect(database_url) as conn:
        dump = str(conn.execute("SELECT * FROM kie_journal").fetchall())
    assert "sk-very-secret" not in dump


def test_unfinished_lists_what_resume_must_finish(journal: PostgresJournal) -> None:
    created, _ = new(journal, "a")
    journal.created(created.id, handle("ta"))
    ambiguous, _ = new(journal, "b")
    journal.ambiguous(ambiguous.id, "lost")
    new(journal, "c")  # submitting right now: not stale yet
    rejected, _ = new(journal, "d")
    journal.rejected(rejected.id, "no")
    assert [e.id for e in journal.unfinished()] == [created.id, ambiguous.id]


def test_spend_and_the_daily_budget(journal: PostgresJournal) -> None:
    first, _ = new(journal, "a")
    journal.created(first.id, handle("ta"))
    journal.record_actual("ta", 30.0)
    new(journal, "b")
    assert journal.spent_today() == 72.0
    rows = journal.spend()
    assert [(r.model, r.tasks, r.spent) for r in rows] == [("kling-2.5-turbo", 2, 72.0)]
    with pytest.raises(BudgetExceededError):
        new(journal, "c", daily_budget=100.0)
    assert new(journal, "c", daily_budget=200.0)[1]


def test_an_ending_status_wakes_listeners(journal: PostgresJournal, database_url: str) -> None:
    entry, _ = new(journal)
    journal.created(entry.id, handle("t-notify"))
    with psycopg.connect(database_url, autocommit=True) as listener:
        listener.execute(f"LISTEN {STATUS_CHANNEL}")
        journal.record_status("t-notify", status("t-notify", TaskState.RUNNING))
        journal.record_status("t-notify", status("t-notify", TaskState.FAILED, fail_code="500"))
        notices = list(listener.notifies(timeout=5.0, stop_after=1))
    assert [n.payload for n in notices] == ["t-notify"]
    failed = journal.get("t-notify")
    assert failed is not None and failed.state is JournalState.FAILED and failed.error == "500"


def test_a_closed_journal_refuses_work(journal: PostgresJournal) -> None:
    journal.close()
    with pytest.raises(RuntimeError, match="closed"):
        journal.entries()


def age(database_url: str, seconds: int) -> None:
    with psycopg.connect(database_url) as conn:
        conn.execute(
            "UPDATE kie_journal SET updated_at = updated_at - make_interval(secs => %s)",
            (seconds,),
        )


def test_unfinished_work_is_leased_to_one_resumer_at_a_time(
    journal: PostgresJournal, database_url: str
) -> None:
    running, _ = new(journal, "a")
    journal.created(running.id, handle("ta"))
    fresh, _ = new(journal, "b")
    journal.created(fresh.id, handle("tb"))
    age(database_url, 120)
    journal.record_status("tb", status("tb", TaskState.RUNNING))  # someone follows it
    lease, idle = timedelta(minutes=5), timedelta(minutes=1)
    first = journal.lease_unfinished("host-1", lease=lease, idle=idle)
    assert [e.id for e in first] == [running.id]
    assert journal.lease_unfinished("host-2", lease=lease, idle=idle) == []
    assert [e.id for e in journal.lease_unfinished("host-1", lease=lease, idle=idle)] == [
        running.id
    ]
    expired = journal.lease_unfinished("host-1", lease=timedelta(0), idle=idle)
    assert [e.id for e in expired] == [running.id]
    assert [e.id for e in journal.lease_unfinished("host-2", lease=lease, idle=idle)] == [
        running.id
    ]


def test_leasing_racers_never_share_an_entry(journal: PostgresJournal, database_url: str) -> None:
    ids = []
    for n in range(30):
        entry, _ = new(journal, f"race-{n}")
        journal.created(entry.id, handle(f"t{n}"))
        ids.append(entry.id)
    age(database_url, 120)
    barrier = threading.Barrier(6)
    leased: list[list[int]] = []

    def lease(owner: str) -> None:
        barrier.wait()
        got = journal.lease_unfinished(
            owner, lease=timedelta(minutes=5), idle=timedelta(minutes=1), limit=10
        )
        leased.append([e.id for e in got])

    threads = [threading.Thread(target=lease, args=(f"w{n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    flat = [i for ids_ in leased for i in ids_]
    assert len(flat) == len(set(flat)) == 30
