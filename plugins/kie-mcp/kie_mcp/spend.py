"""Credits committed, read from the journal: per UTC day and model, estimated and actual.

A journal entry commits credits from the moment its create call may have been sent: every
state but ``rejected`` (KIE refused it, nothing was created) counts. The actual charge is used
where KIE reported it (``JournalEntry.actual_credits``, when the installed kie-core records it),
the local estimate otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from kie_core.journal import Journal, JournalEntry, JournalState

#: How many journal entries a spend summary reads at most.
MAX_ENTRIES = 100_000


def actual_credits(entry: JournalEntry) -> float | None:
    """Return what KIE charged for an entry, when the journal knows it."""
    value = getattr(entry, "actual_credits", None)
    return float(value) if isinstance(value, int | float) else None


def commits_credits(entry: JournalEntry) -> bool:
    """Return whether an entry may have spent credits (anything KIE did not refuse)."""
    return entry.state is not JournalState.REJECTED


def committed(entry: JournalEntry) -> float:
    """Return the credits an entry counts for: the actual charge, else the estimate, else 0."""
    actual = actual_credits(entry)
    if actual is not None:
        return actual
    return float(entry.estimated_credits or 0.0)


def entries_since(journal: Journal, since: datetime) -> list[JournalEntry]:
    """Return the journal entries created at or after ``since`` (newest first)."""
    return [e for e in journal.entries(limit=MAX_ENTRIES) if e.created_at >= since]


def day_start(moment: datetime | None = None) -> datetime:
    """Return midnight UTC of ``moment``'s day (default: now)."""
    now = (moment or datetime.now(UTC)).astimezone(UTC)
    return datetime(now.year, now.month, now.day, tzinfo=UTC)


def committed_today(journal: Journal, now: datetime | None = None) -> float:
    """Return the credits committed since midnight UTC."""
    return sum(committed(e) for e in entries_since(journal, day_start(now)) if commits_credits(e))


@dataclass
class _Row:
    day: date
    model: str
    tasks: int = 0
    estimated: float = 0.0
    actual: float = 0.0
    actual_known: int = 0


def summarize(entries: Iterable[JournalEntry]) -> dict[str, Any]:
    """Group entries by UTC day and model: tasks, estimated and (where known) actual credits."""
    rows: dict[tuple[date, str], _Row] = {}
    for entry in entries:
        if not commits_credits(entry):
            continue
        day = entry.created_at.astimezone(UTC).date()
        row = rows.setdefault((day, entry.model), _Row(day, entry.model))
        row.tasks += 1
        row.estimated += float(entry.estimated_credits or 0.0)
        actual = actual_credits(entry)
        if actual is not None:
            row.actual += actual
            row.actual_known += 1
    ordered = sorted(rows.values(), key=lambda r: (r.day, r.model), reverse=True)
    return {
        "rows": [
            {
                "day": row.day.isoformat(),
                "model": row.model,
                "tasks": row.tasks,
                "estimated_credits": round(row.estimated, 2),
                "actual_credits": round(row.actual, 2) if row.actual_known else None,
                "actual_known_for": row.actual_known,
            }
            for row in ordered
        ],
        "total_estimated": round(sum(r.estimated for r in ordered), 2),
        "total_actual_known": round(sum(r.actual for r in ordered), 2),
    }


def spend(journal: Journal, days: int, now: datetime | None = None) -> dict[str, Any]:
    """Return the summary of the last ``days`` UTC days (today included)."""
    since = day_start(now) - timedelta(days=days - 1)
    summary = summarize(entries_since(journal, since))
    return {"since": since.date().isoformat(), **summary}
