"""The gallery's filtered views of the PostgreSQL journal: a filter as one ``WHERE`` clause.

The PostgreSQL twin of :func:`kie_core.journal_query.where_clause`, with the same meaning: the
model and state match exactly, the day bounds compare moments (``created_at`` is a
``timestamptz``), and the text is looked for in the payload's prompt (``input.prompt``, else
``prompt``) ignoring case, its ``LIKE`` wildcards and backslashes matched literally.
"""

from __future__ import annotations

from typing import Any

from kie_core.journal_query import PROMPT_PATHS, EntryFilter

#: The payload's prompt as PostgreSQL text (the payload column is JSON text).
PROMPT_SQL = "COALESCE({}, '')".format(
    ", ".join(
        "payload::jsonb #>> '{" + ",".join(path.removeprefix("$.").split(".")) + "}'"
        for path in PROMPT_PATHS
    )
)

#: The sums of a filtered view, as :class:`kie_core.journal_query.EntryTotals` counts them.
TOTALS_SQL = (
    "SELECT count(*) AS count,"
    " COALESCE(sum(estimated_credits) FILTER (WHERE state NOT IN ('rejected', 'submitting')),"
    " 0) AS estimated_credits,"
    " COALESCE(sum(actual_credits), 0) AS actual_credits,"
    " count(actual_credits) AS actual_known,"
    " COALESCE(sum(CASE WHEN actual_credits IS NOT NULL THEN actual_credits"
    " WHEN state IN ('rejected', 'failed') THEN 0 ELSE estimated_credits END), 0)"
    " AS spent_credits FROM kie_journal WHERE {where}"
)

#: Every model name, by one index probe per model (a skip scan of ``kie_journal_by_model``).
MODELS_SQL = (
    "WITH RECURSIVE seen(model) AS (SELECT min(model) FROM kie_journal UNION ALL"
    " SELECT (SELECT min(model) FROM kie_journal WHERE model > seen.model) FROM seen"
    " WHERE seen.model IS NOT NULL) SELECT model FROM seen WHERE model IS NOT NULL"
)


def like_pattern(text: str) -> str:
    """Return the ``LIKE`` pattern finding ``text`` anywhere, its wildcards escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def where_clause(entry_filter: EntryFilter) -> tuple[str, dict[str, Any]]:
    """Return the PostgreSQL ``WHERE`` condition (``true`` when nothing filters) and its params."""
    conditions: list[str] = []
    params: dict[str, Any] = {}
    if entry_filter.model is not None:
        conditions.append("model = %(model)s")
        params["model"] = entry_filter.model
    if entry_filter.state is not None:
        conditions.append("state = %(state)s")
        params["state"] = entry_filter.state
    if entry_filter.created_from is not None:
        conditions.append("created_at >= %(created_from)s")
        params["created_from"] = entry_filter.created_from
    if entry_filter.created_before is not None:
        conditions.append("created_at < %(created_before)s")
        params["created_before"] = entry_filter.created_before
    if entry_filter.text:
        conditions.append(f"{PROMPT_SQL} ILIKE %(text)s ESCAPE '\\'")
        params["text"] = like_pattern(entry_filter.text)
    return (" AND ".join(conditions) or "true"), params
