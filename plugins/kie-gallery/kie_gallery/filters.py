"""The grid's query string (model, state, day, text, page) read into a journal filter."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from kie_core.journal import JournalState
from kie_core.journal_query import EntryFilter

#: The longest search text accepted.
MAX_TEXT = 500


class FilterError(ValueError):
    """A query parameter holds a value the grid does not accept.

    Attributes:
        field: the parameter.
        value: the value given.
        accepted: what is accepted, in words.
    """

    def __init__(self, field: str, value: str, accepted: str) -> None:
        super().__init__(f"{field}={value!r} is not accepted: {accepted}")
        self.field = field
        self.value = value
        self.accepted = accepted


@dataclass(frozen=True)
class GridQuery:
    """What the grid was asked to show.

    Attributes:
        model: only this model ('' for all).
        state: only this state ('' for all).
        day: only this local day, ``YYYY-MM-DD`` ('' for all).
        text: only prompts containing this ('' for all).
        before: the page starts below this entry id (None: the newest page).
    """

    model: str = ""
    state: str = ""
    day: str = ""
    text: str = ""
    before: int | None = None

    def entry_filter(self) -> EntryFilter:
        """Return the journal filter of this query (the day in this machine's time zone)."""
        start = end = None
        if self.day:
            local = date.fromisoformat(self.day)
            start = datetime(local.year, local.month, local.day).astimezone()
            end = (datetime(local.year, local.month, local.day) + timedelta(days=1)).astimezone()
        return EntryFilter(
            model=self.model or None,
            state=self.state or None,
            created_from=start,
            created_before=end,
            text=self.text or None,
        )

    def link(self, **changes: str | int | None) -> str:
        """Return the grid's query string with some parameters changed ('' or None drops one)."""
        values: dict[str, str | int | None] = {
            "model": self.model,
            "state": self.state,
            "day": self.day,
            "q": self.text,
            "before": self.before,
        }
        values.update(changes)
        kept = {key: value for key, value in values.items() if value not in (None, "")}
        return "?" + urlencode(kept) if kept else "?"

    @property
    def filtered(self) -> bool:
        """Whether any filter is set."""
        return bool(self.model or self.state or self.day or self.text)


def parse_query(params: Mapping[str, str]) -> GridQuery:
    """Read the grid's query parameters.

    Raises:
        FilterError: naming the parameter, the value and what is accepted.
    """
    state = params.get("state", "").strip().lower()
    accepted_states = [s.value for s in JournalState]
    if state and state not in accepted_states:
        raise FilterError("state", state, "one of " + ", ".join(accepted_states))
    day = params.get("day", "").strip()
    if day:
        try:
            date.fromisoformat(day)
        except ValueError:
            raise FilterError("day", day, "a date written YYYY-MM-DD") from None
    text = params.get("q", "").strip()
    if len(text) > MAX_TEXT:
        raise FilterError("q", text[:40] + "...", f"at most {MAX_TEXT} characters")
    raw_before = params.get("before", "").strip()
    before = None
    if raw_before:
        if not raw_before.isdigit() or int(raw_before) < 1:
            raise FilterError("before", raw_before, "a positive entry id")
        before = int(raw_before)
    return GridQuery(
        model=params.get("model", "").strip(), state=state, day=day, text=text, before=before
    )
