"""Filtered, keyset-paged reads of the journal (the gallery's grid and its spend totals).

:class:`EntryFilter` says which entries a view shows; :func:`where_clause` turns it into one SQL
``WHERE`` clause with its parameters. It is the only place that knows how a filter becomes SQL,
so a journal store on another database implements the same filter in one function of its own.
Pages are keyset pages (``id < ? ORDER BY id DESC LIMIT ?``), so the cost of a page does not grow
with how far into the journal it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

#: The JSON paths of a payload's prompt: Market bodies nest it in ``input``, others do not.
PROMPT_PATHS = ("$.input.prompt", "$.prompt")


@dataclass(frozen=True)
class EntryFilter:
    """Which journal entries a view shows; every field left None does not filter.

    Attributes:
        model: only entries of this kie model name.
        state: only entries in this journal state (its text value, ``downloaded``).
        created_from: only entries created at or after this moment.
        created_before: only entries created before this moment.
        text: only entries whose prompt contains this text (case-insensitive for ASCII).
    """

    model: str | None = None
    state: str | None = None
    created_from: datetime | None = None
    created_before: datetime | None = None
    text: str | None = None


@dataclass(frozen=True)
class EntryTotals:
    """The size and spend of a filtered view.

    Attributes:
        count: how many entries match.
        estimated_credits: the summed estimates of the matching entries KIE accepted (every
            state but ``rejected`` and ``submitting``).
        actual_credits: the summed credits KIE reported charging, where known.
        actual_known: how many matching entries have a known charge.
        spent_credits: what the matching entries count as spent, as ``kie spend`` counts it:
            the charge where KIE reported one, else the estimate, and nothing for a refused
            request or a failed (refunded) task.
    """

    count: int
    estimated_credits: float
    actual_credits: float
    actual_known: int
    spent_credits: float


def _stamp(moment: datetime) -> str:
    # The journal's own fixed-width UTC text, so string order is time order.
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def where_clause(entry_filter: EntryFilter) -> tuple[str, list[Any]]:
    """Return the SQLite ``WHERE`` condition (``1`` when nothing filters) and its parameters."""
    conditions: list[str] = []
    params: list[Any] = []
    if entry_filter.model is not None:
        conditions.append("model = ?")
        params.append(entry_filter.model)
    if entry_filter.state is not None:
        conditions.append("state = ?")
        params.append(entry_filter.state)
    if entry_filter.created_from is not None:
        conditions.append("created_at >= ?")
        params.append(_stamp(entry_filter.created_from))
    if entry_filter.created_before is not None:
        conditions.append("created_at < ?")
        params.append(_stamp(entry_filter.created_before))
    if entry_filter.text:
        prompt = ", ".join(f"json_extract(payload, '{path}')" for path in PROMPT_PATHS)
        conditions.append(f"COALESCE({prompt}, '') LIKE ? ESCAPE '\\'")
        params.append(_like_pattern(entry_filter.text))
    return (" AND ".join(conditions) or "1"), params
