"""The gallery's views (page, totals, models) mean the same on SQLite and PostgreSQL journals."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kie_postgres.journal import PostgresJournal, safe_url

from kie_core.journal import Journal
from kie_core.journal_query import EntryFilter
from kie_core.status import TaskHandle, TaskState, TaskStatus
from kie_core.stores import JournalViews, open_journal_store

BASE = "https://api.kie.ai"


def add(
    journal: JournalViews,
    number: int,
    *,
    model: str = "kling-2.5-turbo",
    prompt: str | None = None,
    market: bool = True,
    credits: float | None = 42.0,
    fail: bool = False,
) -> int:
    """Journal one created-and-finished task through the store's own write methods."""
    prompt = prompt if prompt is not None else f"take {number}"
    payload: dict[str, Any] = (
        {"model": "kling/x", "input": {"prompt": prompt}} if market else {"prompt": prompt}
    )
    entry, claimed = journal.claim(
        fingerprint=f"fp-{number}",
        model=model,
        provider="kling",
        family="market",
        kie_model="kling/x",
        endpoint="POST /api/v1/jobs/createTask",
        payload=payload,
        base_url=BASE,
        estimated_credits=credits,
    )
    assert claimed
    task = f"task-{number}"
    journal.created(
        entry.id, TaskHandle(task_id=task, model=model, provider="kling", family="market")
    )
    state = TaskState.FAILED if fail else TaskState.SUCCEEDED
    journal.record_status(task, TaskStatus(task_id=task, state=state))
    return entry.id


@pytest.fixture(params=["sqlite", "postgres"])
def journal(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[JournalViews]:
    """An empty journal of either store."""
    if request.param == "sqlite":
        with Journal(tmp_path / "journal.sqlite3") as sqlite:
            yield sqlite
        return
    store = open_journal_store(request.getfixturevalue("database_url"))
    assert isinstance(store, PostgresJournal)
    yield store
    store.close()


def test_both_stores_serve_the_views(journal: JournalViews) -> None:
    assert isinstance(journal, JournalViews)


def test_pages_are_newest_first_and_keyset(journal: JournalViews) -> None:
    ids = [add(journal, n) for n in range(7)]
    first = journal.page(EntryFilter(), limit=3)
    assert [e.id for e in first] == ids[::-1][:3]
    second = journal.page(EntryFilter(), before_id=first[-1].id, limit=3)
    assert [e.id for e in second] == ids[::-1][3:6]
    last = journal.page(EntryFilter(), before_id=second[-1].id, limit=3)
    assert [e.id for e in last] == ids[:1]
    assert journal.page(EntryFilter(), before_id=ids[0]) == []


def test_filters_by_model_state_text_and_day(journal: JournalViews) -> None:
    add(journal, 1, model="veo-3.1-fast", prompt="A Paper boat", market=False)
    add(journal, 2, prompt="a fox in snow", fail=True)
    add(journal, 3, prompt="100% fox_trot")
    veo = journal.page(EntryFilter(model="veo-3.1-fast"))
    assert [e.payload["prompt"] for e in veo] == ["A Paper boat"]
    assert [e.id for e in journal.page(EntryFilter(state="failed"))] == [2]
    assert [e.id for e in journal.page(EntryFilter(model="kling-2.5-turbo", state="failed"))] == [2]
    # Search is over the prompt only, case-insensitive, wherever the family puts it.
    assert [e.id for e in journal.page(EntryFilter(text="paper"))] == [1]
    assert [e.id for e in journal.page(EntryFilter(text="FOX"))] == [3, 2]
    assert [e.id for e in journal.page(EntryFilter(text="kling"))] == []
    # LIKE wildcards and backslashes in the text are plain characters.
    assert [e.id for e in journal.page(EntryFilter(text="0% f"))] == [3]
    assert [e.id for e in journal.page(EntryFilter(text="x_t"))] == [3]
    assert [e.id for e in journal.page(EntryFilter(text="_"))] == [3]
    assert journal.page(EntryFilter(text="%")) != journal.page(EntryFilter())
    assert journal.page(EntryFilter(text="\\")) == []
    now = datetime.now(UTC)
    today = EntryFilter(created_from=now - timedelta(hours=1), created_before=now + timedelta(1))
    assert len(journal.page(today)) == 3
    assert journal.page(EntryFilter(created_before=now - timedelta(days=1))) == []
    assert journal.page(EntryFilter(created_from=now + timedelta(hours=1))) == []


def test_totals_count_the_view_and_skip_refused_estimates(journal: JournalViews) -> None:
    add(journal, 1, credits=42.0)
    add(journal, 2, credits=84.0, fail=True)
    add(journal, 3, credits=None)
    refused = journal.begin(
        fingerprint="fp-r",
        model="kling-2.5-turbo",
        provider="kling",
        family="market",
        kie_model=None,
        endpoint="POST /x",
        payload={"prompt": "refused"},
        base_url=BASE,
        estimated_credits=1000.0,
    )
    journal.rejected(refused, "422 bad ratio")
    totals = journal.totals(EntryFilter())
    assert (totals.count, totals.estimated_credits) == (4, 126.0)
    # Spent as `kie spend` counts it: the estimate until KIE says, a failure refunded.
    assert (totals.spent_credits, totals.actual_credits, totals.actual_known) == (42.0, 0.0, 0)
    journal.record_actual("task-1", 40.0)
    totals = journal.totals(EntryFilter())
    assert (totals.spent_credits, totals.actual_credits, totals.actual_known) == (40.0, 40.0, 1)
    assert journal.totals(EntryFilter(state="failed")).estimated_credits == 84.0
    assert journal.totals(EntryFilter(text="take 1")).count == 1
    empty = journal.totals(EntryFilter(model="nope"))
    assert (empty.count, empty.estimated_credits, empty.spent_credits) == (0, 0.0, 0.0)
    journal.ensure_view_indexes()
    journal.ensure_view_indexes()
    assert journal.totals(EntryFilter()) == totals


def test_models_lists_each_model_once_sorted(journal: JournalViews) -> None:
    assert journal.models() == []
    for number, model in enumerate(["wan-2.5", "kling-2.5-turbo", "wan-2.5", "veo-3.1-fast"]):
        add(journal, number, model=model)
    journal.ensure_view_indexes()
    assert journal.models() == ["kling-2.5-turbo", "veo-3.1-fast", "wan-2.5"]


def test_describe_says_where_the_journal_is(
    journal: JournalViews, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if isinstance(journal, Journal):
        assert journal.describe() == str(tmp_path / "journal.sqlite3")
    else:
        # The cluster's URL has no password: it is shown as it is.
        assert journal.describe() == request.getfixturevalue("database_url")


def test_an_in_memory_journal_says_so() -> None:
    with Journal(":memory:") as journal:
        assert journal.describe() == ":memory:"


@pytest.mark.parametrize(
    ("conninfo", "shown"),
    [
        ("postgresql://kie:s3cret@db.example:5433/kie", "postgresql://kie@db.example:5433/kie"),
        ("postgres://:s3cret@db.example/kie?sslmode=require", "postgresql://db.example/kie"),
        (
            "host=/tmp/pg port=5999 dbname=kie password=s3cret",
            "postgresql://:5999/kie?host=/tmp/pg",
        ),
        ("postgresql://u@[::1]:5432/kie", "postgresql://u@[::1]:5432/kie"),
        ("password='unclosed", "postgresql://(an unreadable connection string)"),
    ],
)
def test_the_shown_url_never_has_the_password(conninfo: str, shown: str) -> None:
    assert safe_url(conninfo) == shown
    assert "s3cret" not in safe_url(conninfo)


def test_the_first_filtered_page_walks_an_index(database_url: str) -> None:
    journal = open_journal_store(database_url)
    assert isinstance(journal, PostgresJournal)
    for number in range(3):
        add(journal, number, model="veo-3.1-fast" if number else "kling-2.5-turbo")
    with psycopg.connect(database_url) as conn:
        conn.execute("SET enable_seqscan = off")
        plan = conn.execute(
            "EXPLAIN SELECT * FROM kie_journal WHERE model = %s ORDER BY id DESC LIMIT 13",
            ("veo-3.1-fast",),
        ).fetchall()
    text = "\n".join(str(row[0]) for row in plan)
    assert "kie_journal_by_model" in text
    assert "Sort" not in text


_runs = itertools.count()


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    tasks=st.lists(
        st.tuples(st.booleans(), st.sampled_from(["fox", "Fox_1", "cat", "100%"])), max_size=12
    ),
    size=st.integers(min_value=1, max_value=5),
    state=st.sampled_from([None, "failed", "succeeded"]),
    text=st.sampled_from([None, "fox", "_", "%", "CAT"]),
)
def test_both_stores_walk_the_same_pages(
    database_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    tasks: list[tuple[bool, str]],
    size: int,
    state: str | None,
    text: str | None,
) -> None:
    # One database for every example: each example's tasks have a model of their own.
    postgres = open_journal_store(database_url)
    assert isinstance(postgres, PostgresJournal)
    run = next(_runs)
    model = f"model-{run}"
    wanted = EntryFilter(model=model, state=state, text=text)
    with Journal(tmp_path_factory.mktemp("walk") / "j.sqlite3") as sqlite:
        walks = []
        for store in (sqlite, postgres):
            for number, (fail, prompt) in enumerate(tasks):
                add(store, run * 100 + number, model=model, prompt=prompt, fail=fail)
            seen: list[tuple[str, str]] = []
            before = None
            while True:
                page = store.page(wanted, before_id=before, limit=size)
                seen += [(e.payload["input"]["prompt"], e.state.value) for e in page]
                if len(page) < size:
                    break
                before = page[-1].id
            walks.append((seen, store.totals(wanted)))
        assert walks[0] == walks[1]
        assert walks[0][1].count == len(walks[0][0])
