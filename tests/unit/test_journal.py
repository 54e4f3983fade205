"""The task journal: states, lookups, concurrency across threads and processes, no secrets."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kie_core.calls import EndpointCall
from kie_core.errors import InvalidRequestError, JournalError
from kie_core.journal import (
    SCHEMA_VERSION,
    Journal,
    JournalEntry,
    JournalState,
    default_journal_path,
    fingerprint,
)
from kie_core.status import TaskHandle, TaskState, TaskStatus

BASE_URL = "https://api.kie.ai"
CREATE = EndpointCall(
    method="POST",
    path="/api/v1/jobs/createTask",
    body={
        "model": "kling/v2-5-turbo-text-to-video-pro",
        "input": {"prompt": "a fox runs through snow", "duration": "5"},
        "callBackUrl": "https://example.com/kie/callback",
    },
)


def begin(journal: Journal, *, fp: str = "fp-1", payload: dict[str, Any] | None = None) -> int:
    return journal.begin(
        fingerprint=fp,
        model="kling-2.5-turbo",
        provider="kling",
        family="market",
        kie_model="kling/v2-5-turbo-text-to-video-pro",
        endpoint="POST /api/v1/jobs/createTask",
        payload=payload if payload is not None else dict(CREATE.body or {}),
        base_url=BASE_URL,
        estimated_credits=42.0,
    )


def handle_for(task_id: str, **extra: Any) -> TaskHandle:
    return TaskHandle(
        task_id=task_id,
        model="kling-2.5-turbo",
        provider="kling",
        family="market",
        kie_model="kling/v2-5-turbo-text-to-video-pro",
        estimated_credits=42.0,
        **extra,
    )


def same_handle(found: TaskHandle | None, expected: TaskHandle) -> bool:
    """Equal except created_at, which the journal takes from the entry (submit time)."""
    assert found is not None
    return found.model_dump(exclude={"created_at"}) == expected.model_dump(exclude={"created_at"})


def status(task_id: str, state: TaskState, **extra: Any) -> TaskStatus:
    return TaskStatus(task_id=task_id, state=state, **extra)


@pytest.fixture
def journal(tmp_path: Path) -> Any:
    with Journal(tmp_path / "journal.sqlite3") as opened:
        yield opened


# --- fingerprint ------------------------------------------------------------------------------


def test_fingerprint_ignores_callback_urls_and_key_order() -> None:
    other_order = EndpointCall(
        method="POST",
        path="/api/v1/jobs/createTask",
        body={
            "callBackUrl": "https://elsewhere.example/cb",
            "progressCallBackUrl": "https://elsewhere.example/progress",
            "input": {"duration": "5", "prompt": "a fox runs through snow"},
            "model": "kling/v2-5-turbo-text-to-video-pro",
        },
    )
    assert fingerprint(CREATE, BASE_URL) == fingerprint(other_order, BASE_URL + "/")
    assert len(fingerprint(CREATE, BASE_URL)) == 64


@pytest.mark.parametrize(
    "changed",
    [
        CREATE.model_copy(update={"body": {**(CREATE.body or {}), "model": "kling/other"}}),
        CREATE.model_copy(update={"path": "/api/v1/veo/generate"}),
        CREATE.model_copy(update={"params": {"a": "b"}}),
        CREATE.model_copy(
            update={"body": {**(CREATE.body or {}), "input": {"prompt": "a fox", "duration": "5"}}}
        ),
    ],
)
def test_fingerprint_changes_with_what_is_generated(changed: EndpointCall) -> None:
    assert fingerprint(changed, BASE_URL) != fingerprint(CREATE, BASE_URL)


def test_fingerprint_depends_on_base_url() -> None:
    assert fingerprint(CREATE, BASE_URL) != fingerprint(CREATE, "http://127.0.0.1:8000")


# --- paths and schema -------------------------------------------------------------------------


def test_default_path_comes_from_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    target = tmp_path / "custom" / "j.sqlite3"
    monkeypatch.setenv("KIE_JOURNAL", str(target))
    assert default_journal_path() == target
    with Journal() as journal:
        assert journal.path == target
        begin(journal)
    assert target.exists()


def test_default_path_falls_back_to_user_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    monkeypatch.delenv("KIE_JOURNAL", raising=False)
    expected = Path(platformdirs.user_data_dir("kie")) / "journal.sqlite3"
    assert default_journal_path() == expected


def test_memory_journal_has_no_path() -> None:
    with Journal(":memory:") as journal:
        assert journal.path is None
        entry_id = begin(journal)
        assert journal.get_entry(entry_id) is not None
        assert "memory" in repr(journal)


def test_schema_is_versioned_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    Journal(path).close()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()
    # Opening again keeps the data and the version.
    with Journal(path) as journal:
        begin(journal)
    with Journal(path) as journal:
        assert len(journal.entries()) == 1


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(JournalError, match="newer"):
        Journal(path)


def test_closed_journal_refuses_use(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    journal.close()
    with pytest.raises(RuntimeError, match="closed"):
        begin(journal)


# --- the life of an entry ---------------------------------------------------------------------


def test_begin_stores_everything(journal: Journal) -> None:
    entry_id = begin(journal)
    entry = journal.get_entry(entry_id)
    assert entry is not None
    assert entry.state is JournalState.SUBMITTING
    assert entry.task_id is None
    assert entry.handle() is None
    assert entry.payload == CREATE.body
    assert entry.payload["callBackUrl"] == "https://example.com/kie/callback"
    assert entry.endpoint == "POST /api/v1/jobs/createTask"
    assert entry.estimated_credits == 42.0
    assert entry.created_at.tzinfo is not None
    assert entry.result_urls == []


def test_full_success_path(journal: Journal) -> None:
    entry_id = begin(journal)
    handle = handle_for("task-1", variant="pro")
    journal.created(entry_id, handle)
    entry = journal.get("task-1")
    assert entry is not None
    assert entry.id == entry_id
    assert entry.state is JournalState.CREATED
    assert same_handle(entry.handle(), handle)

    journal.record_status("task-1", status("task-1", TaskState.PENDING))
    assert journal.get("task-1").state is JournalState.RUNNING  # type: ignore[union-attr]
    journal.record_status("task-1", status("task-1", TaskState.RUNNING))
    urls = ("https://files.example/v/1.mp4", "https://files.example/v/2.mp4")
    journal.record_status("task-1", status("task-1", TaskState.SUCCEEDED, result_urls=urls))
    entry = journal.get("task-1")
    assert entry is not None
    assert entry.state is JournalState.SUCCEEDED
    assert entry.result_urls == list(urls)

    journal.downloaded("task-1", "/out/task-1.mp4", "ab" * 32, 1234)
    entry = journal.get("task-1")
    assert entry is not None
    assert entry.state is JournalState.DOWNLOADED
    assert (entry.output_path, entry.sha256, entry.size) == ("/out/task-1.mp4", "ab" * 32, 1234)
    assert entry.updated_at >= entry.created_at


@pytest.mark.parametrize(
    "late",
    [TaskState.PENDING, TaskState.RUNNING, TaskState.SUCCEEDED, TaskState.FAILED],
)
def test_downloaded_never_goes_back(journal: Journal, late: TaskState) -> None:
    entry_id = begin(journal)
    journal.created(entry_id, handle_for("t"))
    journal.record_status("t", status("t", TaskState.SUCCEEDED, result_urls=("https://f/1.mp4",)))
    journal.downloaded("t", "/out/t.mp4", "00" * 32, 10)
    journal.record_status("t", status("t", late, result_urls=("https://f/other.mp4",)))
    journal.created(entry_id, handle_for("t"))
    journal.rejected(entry_id, "late")
    journal.ambiguous(entry_id, "late")
    entry = journal.get("t")
    assert entry is not None
    assert entry.state is JournalState.DOWNLOADED
    assert entry.output_path == "/out/t.mp4"
    assert entry.result_urls == ["https://f/1.mp4"]
    assert entry.error is None


def test_terminal_states_are_not_undone_by_late_readings(journal: Journal) -> None:
    first = begin(journal, fp="a")
    journal.created(first, handle_for("ok"))
    journal.record_status("ok", status("ok", TaskState.SUCCEEDED, result_urls=("https://f/1",)))
    journal.record_status("ok", status("ok", TaskState.RUNNING))
    assert journal.get("ok").state is JournalState.SUCCEEDED  # type: ignore[union-attr]

    second = begin(journal, fp="b")
    journal.created(second, handle_for("bad"))
    journal.record_status(
        "bad", status("bad", TaskState.FAILED, fail_code="500", fail_message="Internal error")
    )
    journal.record_status("bad", status("bad", TaskState.RUNNING))
    journal.record_status("bad", status("bad", TaskState.SUCCEEDED))
    entry = journal.get("bad")
    assert entry is not None
    assert entry.state is JournalState.FAILED
    assert entry.error == "500 Internal error"


def test_success_reading_refreshes_urls_but_keeps_them_when_empty(journal: Journal) -> None:
    entry_id = begin(journal)
    journal.created(entry_id, handle_for("t"))
    journal.record_status("t", status("t", TaskState.SUCCEEDED, result_urls=("https://f/old",)))
    journal.record_status("t", status("t", TaskState.SUCCEEDED))
    assert journal.get("t").result_urls == ["https://f/old"]  # type: ignore[union-attr]
    journal.record_status("t", status("t", TaskState.SUCCEEDED, result_urls=("https://f/new",)))
    assert journal.get("t").result_urls == ["https://f/new"]  # type: ignore[union-attr]


def test_failed_reason_falls_back_to_raw_state(journal: Journal) -> None:
    entry_id = begin(journal)
    journal.created(entry_id, handle_for("t"))
    journal.record_status("t", status("t", TaskState.FAILED, raw_state="successFlag=3"))
    assert journal.get("t").error == "successFlag=3"  # type: ignore[union-attr]


def test_rejected_and_ambiguous(journal: Journal) -> None:
    refused = begin(journal, fp="r")
    journal.rejected(refused, "422 This field is required")
    entry = journal.get_entry(refused)
    assert entry is not None
    assert entry.state is JournalState.REJECTED
    assert entry.error == "422 This field is required"

    lost = begin(journal, fp="l")
    journal.ambiguous(lost, "read timeout after the request was sent")
    assert journal.get_entry(lost).state is JournalState.AMBIGUOUS  # type: ignore[union-attr]
    assert journal.mark_resent(lost) is True
    entry = journal.get_entry(lost)
    assert entry is not None
    assert entry.state is JournalState.REJECTED
    assert entry.error is not None
    assert entry.error.startswith("read timeout after the request was sent; re-sent")


def test_mark_resent_does_not_touch_a_created_entry(journal: Journal) -> None:
    entry_id = begin(journal)
    journal.created(entry_id, handle_for("t"))
    assert journal.mark_resent(entry_id) is False
    assert journal.get_entry(entry_id).state is JournalState.CREATED  # type: ignore[union-attr]


def test_only_one_of_two_journals_may_resend_an_entry(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    first, second = Journal(path), Journal(path)
    try:
        entry_id = begin(first)
        first.ambiguous(entry_id, "lost")
        outcomes = [first.mark_resent(entry_id), second.mark_resent(entry_id)]
        assert outcomes == [True, False]
        assert second.get_entry(entry_id).state is JournalState.REJECTED  # type: ignore[union-attr]
    finally:
        first.close()
        second.close()


def test_ambiguous_entry_whose_task_is_found_later_can_be_created(journal: Journal) -> None:
    entry_id = begin(journal)
    journal.ambiguous(entry_id, "lost")
    journal.created(entry_id, handle_for("found"))
    entry = journal.get("found")
    assert entry is not None
    assert entry.state is JournalState.CREATED
    assert entry.error is None


def test_updates_for_unknown_ids_are_harmless(journal: Journal) -> None:
    journal.created(999, handle_for("x"))
    journal.rejected(999, "x")
    assert journal.mark_resent(999) is False
    journal.record_status("nobody", status("nobody", TaskState.SUCCEEDED))
    journal.downloaded("nobody", "/x", "00" * 32, 1)
    assert journal.entries() == []
    assert journal.get("nobody") is None
    assert journal.get_entry(999) is None


# --- lookups ----------------------------------------------------------------------------------


def test_find_active_follows_live_and_refusable_entries(journal: Journal) -> None:
    assert journal.find_active("fp", BASE_URL) is None
    submitting = begin(journal, fp="fp")
    found = journal.find_active("fp", BASE_URL)
    assert found is not None
    assert found.id == submitting
    assert found.state is JournalState.SUBMITTING

    journal.ambiguous(submitting, "lost")
    assert journal.find_active("fp", BASE_URL).state is JournalState.AMBIGUOUS  # type: ignore[union-attr]
    journal.mark_resent(submitting)
    assert journal.find_active("fp", BASE_URL) is None

    running = begin(journal, fp="fp")
    journal.created(running, handle_for("t1"))
    assert journal.find_active("fp", BASE_URL).task_id == "t1"  # type: ignore[union-attr]
    assert journal.find_active("fp", BASE_URL + "/").task_id == "t1"  # type: ignore[union-attr]
    assert journal.find_active("fp", "http://127.0.0.1:9") is None
    assert journal.find_active("other", BASE_URL) is None

    journal.record_status("t1", status("t1", TaskState.SUCCEEDED, result_urls=("https://f/1",)))
    assert journal.find_active("fp", BASE_URL).state is JournalState.SUCCEEDED  # type: ignore[union-attr]
    journal.downloaded("t1", "/out/t1.mp4", "00" * 32, 1)
    assert journal.find_active("fp", BASE_URL) is None


def test_find_active_skips_failed_and_rejected_and_takes_newest(journal: Journal) -> None:
    failed = begin(journal, fp="fp")
    journal.created(failed, handle_for("f"))
    journal.record_status("f", status("f", TaskState.FAILED, fail_message="nope"))
    rejected = begin(journal, fp="fp")
    journal.rejected(rejected, "422")
    assert journal.find_active("fp", BASE_URL) is None

    older = begin(journal, fp="fp")
    journal.created(older, handle_for("old"))
    newer = begin(journal, fp="fp")
    journal.created(newer, handle_for("new"))
    assert journal.find_active("fp", BASE_URL).task_id == "new"  # type: ignore[union-attr]


def test_unfinished(journal: Journal, tmp_path: Path) -> None:
    fresh_submitting = begin(journal, fp="1")
    stale_submitting = begin(journal, fp="2")
    created = begin(journal, fp="3")
    journal.created(created, handle_for("c"))
    running = begin(journal, fp="4")
    journal.created(running, handle_for("r"))
    journal.record_status("r", status("r", TaskState.RUNNING))
    succeeded = begin(journal, fp="5")
    journal.created(succeeded, handle_for("s"))
    journal.record_status("s", status("s", TaskState.SUCCEEDED, result_urls=("https://f/s",)))
    downloaded = begin(journal, fp="6")
    journal.created(downloaded, handle_for("d"))
    journal.downloaded("d", "/out/d.mp4", "00" * 32, 1)
    failed = begin(journal, fp="7")
    journal.created(failed, handle_for("x"))
    journal.record_status("x", status("x", TaskState.FAILED))
    rejected = begin(journal, fp="8")
    journal.rejected(rejected, "no")
    ambiguous = begin(journal, fp="9")
    journal.ambiguous(ambiguous, "lost")

    # The process that wrote this row died two minutes ago while sending.
    old = (datetime.now(UTC) - timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    assert journal.path is not None
    conn = sqlite3.connect(journal.path)
    with conn:
        conn.execute("UPDATE entries SET created_at = ? WHERE id = ?", (old, stale_submitting))
    conn.close()

    ids = [entry.id for entry in journal.unfinished()]
    assert ids == [stale_submitting, created, running, succeeded, ambiguous]
    assert fresh_submitting not in ids
    assert journal.get_entry(stale_submitting).created_at < datetime.now(UTC)  # type: ignore[union-attr]


def test_entries_newest_first_limit_and_states(journal: Journal) -> None:
    ids = [begin(journal, fp=str(n)) for n in range(5)]
    journal.rejected(ids[1], "no")
    journal.rejected(ids[3], "no")
    assert [e.id for e in journal.entries()] == list(reversed(ids))
    assert [e.id for e in journal.entries(limit=2)] == [ids[4], ids[3]]
    assert [e.id for e in journal.entries(states=[JournalState.REJECTED])] == [ids[3], ids[1]]
    assert [e.id for e in journal.entries(states=["submitting"])] == [ids[4], ids[2], ids[0]]  # type: ignore[list-item]
    assert journal.entries(states=[]) == []


@pytest.mark.parametrize("bad", [0, -1, True, "5"])
def test_entries_limit_is_checked(journal: Journal, bad: Any) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        journal.entries(limit=bad)
    assert caught.value.field == "limit"


# --- secrets ----------------------------------------------------------------------------------


def test_api_key_never_reaches_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "kie-test-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
    monkeypatch.setenv("KIE_API_KEY", key)
    path = tmp_path / "j.sqlite3"
    with Journal(path) as journal:
        entry_id = begin(journal)
        journal.created(entry_id, handle_for("t"))
        journal.record_status(
            "t",
            status("t", TaskState.FAILED, fail_message=f"401 Authorization: Bearer {key} refused"),
        )
        lost = begin(journal, fp="2", payload={"prompt": f"oops {key}"})
        journal.ambiguous(lost, f"sent with Authorization: Bearer {key}")
        refused = begin(journal, fp="3")
        journal.rejected(refused, f"the key {key} is invalid")
        rows = journal.entries()
        assert all(key not in row.model_dump_json() for row in rows)
        assert all(key not in repr(row) for row in rows)
        assert key not in repr(journal)
        stored = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
        assert key.encode() not in stored
        assert b"Bearer ***" in stored
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert key.encode() not in stored


def test_payload_text_is_kept_verbatim(journal: Journal, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIE_API_KEY", "a-real-looking-key-123456")
    payload = {"input": {"prompt": "a bearer of good news walks in"}, "model": "m"}
    entry_id = begin(journal, payload=payload)
    assert journal.get_entry(entry_id).payload == payload  # type: ignore[union-attr]


# --- concurrency ------------------------------------------------------------------------------


def _process_writer(path: str, worker: int, count: int) -> list[str]:
    """Run in a child process: write `count` full entries, return the errors met."""
    errors: list[str] = []
    journal = Journal(path)
    try:
        for n in range(count):
            try:
                task_id = f"w{worker}-{n}"
                entry_id = begin(journal, fp=task_id)
                journal.created(entry_id, handle_for(task_id))
                journal.record_status(task_id, status(task_id, TaskState.RUNNING))
                journal.find_active(task_id, BASE_URL)
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        journal.close()
    return errors


@pytest.mark.slow
def test_several_processes_write_at_once(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.sqlite3")
    workers, count = 4, 50
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers) as pool:
        results = pool.starmap(_process_writer, [(path, w, count) for w in range(workers)])
    errors = [error for result in results for error in result]
    assert errors == []
    with Journal(path) as journal:
        rows = journal.entries(limit=10_000)
        assert len(rows) == workers * count
        assert {row.task_id for row in rows} == {
            f"w{w}-{n}" for w in range(workers) for n in range(count)
        }
        assert all(row.state is JournalState.RUNNING for row in rows)
        assert len({row.id for row in rows}) == workers * count


def test_several_threads_share_one_journal_and_others(tmp_path: Path) -> None:
    path = tmp_path / "threads.sqlite3"
    shared = Journal(path)
    errors: list[BaseException] = []

    def work(worker: int, journal: Journal) -> None:
        try:
            for n in range(40):
                task_id = f"t{worker}-{n}"
                entry_id = begin(journal, fp=task_id)
                journal.created(entry_id, handle_for(task_id))
                journal.record_status(
                    task_id, status(task_id, TaskState.SUCCEEDED, result_urls=("https://f/x",))
                )
                journal.downloaded(task_id, f"/out/{task_id}.mp4", "00" * 32, n)
        except BaseException as exc:
            errors.append(exc)

    own = [Journal(path) for _ in range(3)]
    threads = [threading.Thread(target=work, args=(w, shared)) for w in range(3)]
    threads += [threading.Thread(target=work, args=(3 + w, own[w])) for w in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for journal in own:
        journal.close()
    assert errors == []
    rows = shared.entries(limit=1000)
    assert len(rows) == 6 * 40
    assert all(row.state is JournalState.DOWNLOADED for row in rows)
    shared.close()


def test_a_forked_child_opens_its_own_connection(tmp_path: Path) -> None:
    path = tmp_path / "fork.sqlite3"
    journal = Journal(path)
    begin(journal, fp="parent")
    context = multiprocessing.get_context("fork")
    child = context.Process(target=_child_after_fork, args=(journal,))
    child.start()
    child.join()
    assert child.exitcode == 0
    assert {e.fingerprint for e in journal.entries()} == {"parent", "child"}
    journal.close()


def _child_after_fork(journal: Journal) -> None:
    begin(journal, fp="child")


# --- round trip -------------------------------------------------------------------------------

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | _text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_text, children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    payload=st.dictionaries(_text, _json_values, max_size=6),
    model=_text.filter(bool),
    kie_model=st.none() | _text,
    credits=st.none() | st.floats(0, 1e6, allow_nan=False),
    task_id=_text.filter(bool),
    urls=st.lists(_text.filter(bool), max_size=3),
    size=st.integers(0, 2**40),
)
def test_entries_round_trip(
    payload: dict[str, Any],
    model: str,
    kie_model: str | None,
    credits: float | None,
    task_id: str,
    urls: list[str],
    size: int,
) -> None:
    with Journal(":memory:") as journal:
        entry_id = journal.begin(
            fingerprint="f" * 64,
            model=model,
            provider="p",
            family="market",
            kie_model=kie_model,
            endpoint="POST /x",
            payload=payload,
            base_url=BASE_URL,
            estimated_credits=credits,
        )
        handle = TaskHandle(
            task_id=task_id,
            model=model,
            provider="p",
            family="market",
            kie_model=kie_model,
            estimated_credits=credits,
        )
        journal.created(entry_id, handle)
        journal.record_status(task_id, status(task_id, TaskState.SUCCEEDED, result_urls=urls))
        journal.downloaded(task_id, "/out/x", "0" * 64, size)
        entry = journal.get(task_id)
        assert entry is not None
        assert entry.payload == payload
        assert entry.model == model
        assert entry.kie_model == kie_model
        assert entry.estimated_credits == credits
        assert entry.result_urls == urls
        assert entry.size == size
        assert same_handle(entry.handle(), handle)
        assert JournalEntry.model_validate_json(entry.model_dump_json()) == entry


def test_find_active_ignores_requests_older_than_kies_retention(journal: Journal) -> None:
    entry_id = begin(journal, fp="old")
    journal.created(entry_id, handle_for("t-old"))
    assert journal.find_active("old", BASE_URL) is not None
    # Fifteen days later KIE has deleted the result: an identical request is a new task.
    moment = datetime.now(UTC) - timedelta(days=15)
    old = moment.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    assert journal.path is not None
    conn = sqlite3.connect(journal.path)
    with conn:
        conn.execute("UPDATE entries SET created_at = ? WHERE id = ?", (old, entry_id))
    conn.close()
    assert journal.find_active("old", BASE_URL) is None
