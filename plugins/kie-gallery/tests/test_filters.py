"""The grid's query string: parsing, errors naming the parameter, links that keep the filters."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st
from kie_gallery.filters import MAX_TEXT, FilterError, GridQuery, parse_query

from kie_core.journal import JournalState

STATES = [state.value for state in JournalState]

queries = st.builds(
    GridQuery,
    model=st.sampled_from(["", "kling-2.5-turbo", "veo-3.1-fast"]),
    state=st.sampled_from(["", *STATES]),
    day=st.sampled_from(["", "2026-12-03", "2024-02-29"]),
    text=st.text(max_size=30).map(str.strip),
    before=st.none() | st.integers(min_value=1, max_value=10**9),
)


@given(queries)
def test_a_link_reads_back_as_the_same_query(query: GridQuery) -> None:
    link = query.link()
    assert parse_query(dict(parse_qsl(link.removeprefix("?")))) == query


@given(st.text(min_size=1, max_size=20).filter(lambda s: s.strip().lower() not in ["", *STATES]))
def test_an_unknown_state_names_the_accepted_ones(state: str) -> None:
    with pytest.raises(FilterError) as error:
        parse_query({"state": state})
    assert error.value.field == "state"
    assert "one of " + ", ".join(STATES) in str(error.value)


def test_a_state_is_read_case_insensitively() -> None:
    assert parse_query({"state": " Failed "}).state == "failed"


def test_a_too_long_search_is_refused() -> None:
    with pytest.raises(FilterError, match=f"at most {MAX_TEXT} characters"):
        parse_query({"q": "x" * (MAX_TEXT + 1)})


@pytest.mark.parametrize("before", ["0", "-3", "1.5", "abc"])
def test_before_must_be_a_positive_id(before: str) -> None:
    with pytest.raises(FilterError, match="a positive entry id"):
        parse_query({"before": before})


def test_a_day_is_the_whole_local_day() -> None:
    entry_filter = GridQuery(day="2026-12-03").entry_filter()
    start, end = entry_filter.created_from, entry_filter.created_before
    assert start is not None and end is not None
    assert start == datetime(2026, 12, 3).astimezone()
    assert end - start in (timedelta(hours=23), timedelta(hours=24), timedelta(hours=25))
    assert start.astimezone().date() == date(2026, 12, 3)


def test_no_filter_is_an_empty_link() -> None:
    assert GridQuery().link() == "?"
    assert not GridQuery().filtered
    assert GridQuery(text="fox").filtered
