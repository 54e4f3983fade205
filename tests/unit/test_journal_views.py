"""Filtered, keyset-paged journal views: Journal.page, Journal.totals, Journal.models."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kie_core.journal import Journal
from kie_core.journal_query import EntryFilter, where_clause
from kie_core.status import TaskHandle, TaskState, TaskStatus


def add(
    journal: Journal,
    number: int,
    *,
    model: str = "kling-2.5-turbo",
    prompt: str | None = None,
    market: bool = True,
    credits: float | None = 42.0,
    fail: bool = False,
) -> int:
    prompt = prompt if prompt is not None else f"take {number}"
    payload: dict[str, Any] = (
        {"model": "kling/x", "input": {"prompt": prompt}} if market else {"prompt": prompt}
    )
    entry = journal.begin(
        fingerprint=f"fp-{number}",
        model=model,
        provider="kling",
        family="market",
        kie_model="kling/x",
        endpoint="POST /api/v1/jobs/createTask",
        payload=payload,
        base_url="https://api.kie.ai",
        estimated_credits=credits,
    )
    task = f"task-{number}"
    journal.created(entry, TaskHandle(task_id=task, model=model, provider="kling", family="market"))
    state = TaskState.FAILED if fail else TaskState.SUCCEEDED
    journal.record_status(task, TaskStatus(task_id=task, state=state))
    return entry


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / "journal.sqlite3")


def test_pages_are_newest_first_and_keyset(journal: Journal) -> None:
    ids = [add(journal, n) for n in range(7)]
    first = journal.page(EntryFilter(), limit=3)
    assert [e.id for e in first] == ids[::-1][:3]
    second = journal.page(EntryFilter(), before_id=first[-1].id, limit=3)
    assert [e.id for e in second] == ids[::-1][3:6]


def test_filters_by_model_state_text_and_day(journal: Journal) -> None:
    add(journal, 1, model="veo-3.1-fast", prompt="A Paper boat", market=False)
    add(journal, 2, prompt="a fox in snow", fail=True)
    add(journal, 3, prompt="100% fox_trot")
    veo = journal.page(EntryFilter(model="veo-3.1-fast"))
    assert [e.payload["prompt"] for e in veo] == ["A Paper boat"]
    assert [e.id for e in journal.page(EntryFilter(state="failed"))] == [2]
    # Search is over the prompt only, case-insensitive, wherever the family puts it.
    assert [e.id for e in journal.page(EntryFilter(text="paper"))] == [1]
    assert [e.id for e in journal.page(EntryFilter(text="FOX"))] == [3, 2]
    assert [e.id for e in journal.page(EntryFilter(text="kling"))] == []
    # LIKE wildcards in the text are plain characters.
    assert [e.id for e in journal.page(EntryFilter(text="0% f"))] == [3]
    assert [e.id for e in journal.page(EntryFilter(text="x_t"))] == [3]
    assert [e.id for e in journal.page(EntryFilter(text="_"))] == [3]
    now = datetime.now(UTC)
    today = EntryFilter(created_from=now - timedelta(hours=1), created_before=now + timedelta(1))
    assert len(journal.page(today)) == 3
    assert journal.page(EntryFilter(created_before=now - timedelta(days=1))) == []


def test_totals_count_the_view_and_skip_refused_estimates(journal: Journal) -> None:
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
        base_url="https://api.kie.ai",
        estimated_credits=1000.0,
    )
    journal.rejected(refused, "422 bad ratio")
    totals = journal.totals(EntryFilter())
    assert (totals.count, totals.estimated_credits) == (4, 126.0)
    # Spent as `kie spend` counts it: the estimate until KIE says, a failure refunded.
    assert (totals.spent_credits, totals.actual_known) == (42.0, 0)
    journal.record_actual("task-1", 40.0)
    totals = journal.totals(EntryFilter())
    assert (totals.spent_credits, totals.actual_credits, totals.actual_known) == (40.0, 40.0, 1)
    assert journal.totals(EntryFilter(state="failed")).estimated_credits == 84.0
    assert journal.totals(EntryFilter(model="nope")).count == 0
    journal.ensure_view_indexes()
    journal.ensure_view_indexes()
    assert journal.totals(EntryFilter()) == totals


def test_models_lists_each_model_once_sorted(journal: Journal) -> None:
    assert journal.models() == []
    for number, model in enumerate(["wan-2.5", "kling-2.5-turbo", "wan-2.5", "veo-3.1-fast"]):
        add(journal, number, model=model)
    journal.ensure_view_indexes()
    assert journal.models() == ["kling-2.5-turbo", "veo-3.1-fast", "wan-2.5"]


def test_an_empty_filter_filters_nothing() -> None:
    assert where_clause(EntryFilter()) == ("1", [])


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    states=st.lists(st.booleans(), max_size=30),
    size=st.integers(min_value=1, max_value=7),
    only_failed=st.booleans(),
)
def test_walking_the_pages_yields_every_match_once(
    tmp_path_factory: pytest.TempPathFactory, states: list[bool], size: int, only_failed: bool
) -> None:
    with Journal(tmp_path_factory.mktemp("walk") / "j.sqlite3") as journal:
        for number, fail in enumerate(states):
            add(journal, number, fail=fail)
        wanted = EntryFilter(state="failed") if only_failed else EntryFilter()
        seen: list[int] = []
        before = None
        while True:
            page = journal.page(wanted, before_id=before, limit=size)
            seen += [e.id for e in page]
            if len(page) < size:
                break
            before = page[-1].id
        expected = [n + 1 for n, fail in enumerate(states) if fail or not only_failed]
        assert seen == expected[::-1]
        assert journal.totals(wanted).count == len(expected)
