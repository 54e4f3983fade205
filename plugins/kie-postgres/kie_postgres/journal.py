"""The task journal in PostgreSQL: every process of every machine shares one.

It implements :class:`kie_core.stores.JournalStore` with the semantics of the SQLite
:class:`kie_core.journal.Journal`, and makes "never pay twice" a database guarantee:

- a partial unique index allows at most one entry per (fingerprint, base URL) in an active
  state (submitting, created, running, succeeded, ambiguous), so no interleaving of processes
  can journal, and therefore send, the same create twice;
- :meth:`PostgresJournal.claim` is the identical-request rule as one statement (look for an
  identical entry, else ``INSERT ... ON CONFLICT DO NOTHING RETURNING``), then reads the entry
  that won when the insert lost a race;
- every move of an entry is one ``UPDATE ... WHERE state IN (allowed) RETURNING``, so a late or
  repeated update never moves it backwards, and of two processes re-sending one ambiguous entry
  only one gets it (:meth:`PostgresJournal.mark_resent`);
- a status that ends a task sends ``NOTIFY kie_task_status`` (payload: the task id), so a job
  waiting for that task in another process polls at once (a callback received anywhere).

Times are the database server's clock, so machines with skewed clocks agree.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg import Connection
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import DictRow
from psycopg_pool import ConnectionPool

from kie_core.errors import InvalidRequestError
from kie_core.journal import (
    _ACTIVE_STATES,
    _EXISTING_STATES,
    _TRANSITIONS,
    RESULT_RETENTION,
    STALE_SUBMITTING,
    JournalEntry,
    JournalState,
    SpendRow,
    _spent,
    check_daily_budget,
    redact,
)
from kie_core.journal_query import EntryFilter, EntryTotals
from kie_core.status import TaskHandle, TaskState, TaskStatus
from kie_postgres.migrations import ACTIVE_STATES_SQL
from kie_postgres.views import MODELS_SQL, TOTALS_SQL, where_clause

logger = logging.getLogger(__name__)

#: The channel a status that ends a task is announced on (payload: the task id).
STATUS_CHANNEL = "kie_task_status"

#: States in which an identical request was (or may have been) paid for: a new identical
#: request follows such an entry instead of being sent (kie-core's rule: DOWNLOADED included).
EXISTING_STATES = _EXISTING_STATES

#: How many times a claim that lost a race to an entry that vanished again is retried.
CLAIM_ATTEMPTS = 5

#: Key of the advisory lock that serializes daily-budget checks across processes.
BUDGET_LOCK = 0x6B69_6502

_REDACTED = "***"

_COLUMNS = (
    "fingerprint, model, provider, family, kie_model, endpoint, payload, base_url, state,"
    " estimated_credits, output_dir, deliberate"
)
_VALUES = (
    "%(fingerprint)s, %(model)s, %(provider)s, %(family)s, %(kie_model)s, %(endpoint)s,"
    " %(payload)s, %(base_url)s, 'submitting', %(estimated_credits)s, %(output_dir)s,"
    " %(deliberate)s"
)

_EXISTING_SQL = (
    "SELECT * FROM kie_journal WHERE fingerprint = %(fingerprint)s AND base_url = %(base_url)s"
    " AND state = ANY(%(states)s) AND created_at >= clock_timestamp() - %(retention)s"
    " ORDER BY id DESC LIMIT 1"
)

_CLAIM_SQL = f"""
WITH existing AS ({_EXISTING_SQL}),
inserted AS (
    INSERT INTO kie_journal ({_COLUMNS})
    SELECT {_VALUES} WHERE NOT EXISTS (SELECT 1 FROM existing)
    ON CONFLICT (fingerprint, base_url) WHERE state IN {ACTIVE_STATES_SQL} AND NOT deliberate
    DO NOTHING
    RETURNING *
)
SELECT true AS claimed, * FROM inserted
UNION ALL
SELECT false AS claimed, * FROM existing
"""


def _normalize_base_url(base_url: str) -> str:
    return base_url.rstrip("/")


def _dump_payload(payload: dict[str, Any]) -> str:
    # Kept verbatim (it may be sent again): only the key itself is scrubbed.
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    key = os.environ.get("KIE_API_KEY")
    if key and len(key) >= 4 and key in text:
        text = text.replace(key, _REDACTED)
    return text


def _sources(target: JournalState) -> list[str]:
    """Return the states an entry may move to ``target`` from (kie-core's transitions)."""
    return [state.value for state, targets in _TRANSITIONS.items() if target in targets]


def entry_from_row(row: dict[str, Any]) -> JournalEntry:
    """Build a :class:`~kie_core.journal.JournalEntry` from a ``kie_journal`` row."""
    values = dict(row)
    values["payload"] = json.loads(values["payload"])
    values["result_urls"] = json.loads(values.get("result_urls") or "[]")
    values["state"] = JournalState(values["state"])
    fields = JournalEntry.model_fields
    return JournalEntry(**{name: value for name, value in values.items() if name in fields})


def safe_url(conninfo: str) -> str:
    """Return a ``postgresql://user@host:port/dbname`` URL of a connection string, no password.

    Works for a URL or a ``key=value`` string; what the string leaves out is left out.
    """
    try:
        params = conninfo_to_dict(conninfo)
    except psycopg.Error:
        return "postgresql://(an unreadable connection string)"
    user = f"{params['user']}@" if params.get("user") else ""
    host = str(params.get("host") or "")
    socket_dir = ""
    if host.startswith("/"):
        host, socket_dir = "", f"?host={host}"
    elif "," not in host and ":" in host:
        host = f"[{host}]"
    port = f":{params['port']}" if params.get("port") else ""
    dbname = f"/{params['dbname']}" if params.get("dbname") else "/"
    return f"postgresql://{user}{host}{port}{dbname}{socket_dir}"


class PostgresJournal:
    """The task journal in a PostgreSQL database, shared by every process that uses it.

    Args:
        pool: the connection pool (see :func:`kie_postgres.pool.shared_pool`); the schema must
            be migrated.

    Attributes:
        path: always None (the journal is not a file); kept for code that shows a path.
    """

    path = None

    def __init__(self, pool: ConnectionPool[Connection[DictRow]]) -> None:
        self._pool = pool
        self._closed = False

    def __repr__(self) -> str:
        return f"PostgresJournal(database={self._pool.name!r})"

    def describe(self) -> str:
        """Return the database the journal is in, as a URL without its password."""
        conninfo = self._pool.conninfo
        return safe_url(conninfo if isinstance(conninfo, str) else conninfo())

    def __enter__(self) -> PostgresJournal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop using the journal (the shared pool stays open for the process's other users)."""
        self._closed = True

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the journal is closed")

    def _all(self, sql: str, params: Any = None) -> list[DictRow]:
        self._check_open()
        with self._pool.connection() as conn:
            return conn.execute(sql, params).fetchall()

    def _one(self, sql: str, params: Any = None) -> DictRow | None:
        rows = self._all(sql, params)
        return rows[0] if rows else None

    # --- writes ----------------------------------------------------------------------------

    def _new_row(self, **values: Any) -> dict[str, Any]:
        values["payload"] = _dump_payload(values["payload"])
        values["base_url"] = _normalize_base_url(values["base_url"])
        return values

    def begin(
        self,
        *,
        fingerprint: str,
        model: str,
        provider: str,
        family: str,
        kie_model: str | None,
        endpoint: str,
        payload: dict[str, Any],
        base_url: str,
        estimated_credits: float | None,
        output_dir: str | None = None,
    ) -> int:
        """Record a create request that must go out anyway (a deliberate re-send).

        The entry is marked deliberate, so it never collides with an identical active entry
        (the user chose to pay again). Use :meth:`claim` for every other send.

        Returns:
            The new entry's id, in state SUBMITTING.
        """
        values = self._new_row(
            fingerprint=fingerprint,
            model=model,
            provider=provider,
            family=family,
            kie_model=kie_model,
            endpoint=endpoint,
            payload=payload,
            base_url=base_url,
            estimated_credits=estimated_credits,
            output_dir=output_dir,
            deliberate=True,
        )
        row = self._one(
            f"INSERT INTO kie_journal ({_COLUMNS}) VALUES ({_VALUES}) RETURNING id", values
        )
        if row is None:  # pragma: no cover - INSERT ... RETURNING always returns the row
            raise RuntimeError("the journal did not return a row id")
        return int(row["id"])

    def claim(
        self,
        *,
        fingerprint: str,
        model: str,
        provider: str,
        family: str,
        kie_model: str | None,
        endpoint: str,
        payload: dict[str, Any],
        base_url: str,
        estimated_credits: float | None,
        output_dir: str | None = None,
        again: bool = False,
        daily_budget: float | None = None,
    ) -> tuple[JournalEntry, bool]:
        """Claim the right to send a create request, or get the identical one to follow.

        One statement looks for an identical entry paid for (or maybe paid for) within KIE's
        14-day retention and, when there is none, inserts a SUBMITTING entry; the partial
        unique index turns a concurrent identical insert into ``DO NOTHING``, and the winner's
        entry is then read. Of N processes claiming the same request at once, exactly one
        gets ``True`` and sends it.

        Args:
            fingerprint: see :func:`kie_core.journal.fingerprint`.
            model: the kie model name.
            provider: the plugin providing it.
            family: the task family.
            kie_model: KIE's model id, when the family has one.
            endpoint: method and path of the create call.
            payload: the create body, never the key.
            base_url: the API base URL it goes to.
            estimated_credits: the local estimate.
            output_dir: the folder the result is meant for.
            again: insert a new (deliberate) entry even when an identical request exists.
            daily_budget: refuse (nothing inserted) when today's spend (UTC day, every
                process) plus this estimate would exceed it.

        Returns:
            ``(entry, True)`` for the new SUBMITTING entry, or ``(existing entry, False)``.

        Raises:
            BudgetExceededError: the daily budget would be exceeded; nothing was inserted.
        """
        values = self._new_row(
            fingerprint=fingerprint,
            model=model,
            provider=provider,
            family=family,
            kie_model=kie_model,
            endpoint=endpoint,
            payload=payload,
            base_url=base_url,
            estimated_credits=estimated_credits,
            output_dir=output_dir,
            deliberate=again,
        )
        values["states"] = [state.value for state in EXISTING_STATES]
        values["retention"] = RESULT_RETENTION
        self._check_open()
        for _ in range(CLAIM_ATTEMPTS):
            with self._pool.connection() as conn:
                if daily_budget is not None:
                    with conn.transaction():
                        conn.execute("SELECT pg_advisory_xact_lock(%s)", (BUDGET_LOCK,))
                        self._check_budget(conn, daily_budget, estimated_credits)
                        row = self._claim_once(conn, values, again)
                else:
                    row = self._claim_once(conn, values, again)
                if row is None:
                    # The insert lost to an identical entry committed after this statement's
                    # snapshot: read it now.
                    row = conn.execute(_EXISTING_SQL, values).fetchone()
                    if row is not None:
                        return entry_from_row(row), False
                    continue
                return entry_from_row(row), bool(row["claimed"])
        raise RuntimeError(
            f"could not claim or find the journal entry of request {fingerprint[:12]} after "
            f"{CLAIM_ATTEMPTS} attempts"
        )

    @staticmethod
    def _claim_once(
        conn: Connection[DictRow], values: dict[str, Any], again: bool
    ) -> DictRow | None:
        if again:
            return conn.execute(
                f"INSERT INTO kie_journal ({_COLUMNS}) VALUES ({_VALUES})"
                " RETURNING true AS claimed, *",
                values,
            ).fetchone()
        return conn.execute(_CLAIM_SQL, values).fetchone()

    def _check_budget(
        self, conn: Connection[DictRow], budget: float, estimate: float | None
    ) -> None:
        check_daily_budget(budget, self._spent_since_midnight(conn), estimate)

    @staticmethod
    def _spent_since_midnight(conn: Connection[DictRow]) -> float:
        rows = conn.execute(
            "SELECT state, estimated_credits, actual_credits FROM kie_journal"
            " WHERE created_at >= date_trunc('day', clock_timestamp() AT TIME ZONE 'UTC')"
            " AT TIME ZONE 'UTC'"
        ).fetchall()
        return sum(
            _spent(JournalState(r["state"]), r["estimated_credits"], r["actual_credits"])
            for r in rows
        )

    def created(self, entry_id: int, handle: TaskHandle) -> None:
        """Record that KIE accepted the request and gave it a task id (state CREATED)."""
        self._move_entry(
            entry_id,
            JournalState.CREATED,
            {"task_id": handle.task_id, "variant": handle.variant, "error": None},
        )

    def rejected(self, entry_id: int, error: str) -> None:
        """Record that KIE refused the create request: nothing was created (state REJECTED)."""
        self._move_entry(entry_id, JournalState.REJECTED, {"error": redact(error)})

    def ambiguous(self, entry_id: int, error: str) -> None:
        """Record that the request was sent but its answer was lost (state AMBIGUOUS)."""
        self._move_entry(entry_id, JournalState.AMBIGUOUS, {"error": redact(error)})

    def mark_resent(self, entry_id: int) -> bool:
        """Close an AMBIGUOUS entry the user chose to send again (state REJECTED, with a note).

        One ``UPDATE ... WHERE state = 'ambiguous' RETURNING``: of several processes re-sending
        the same entry, only one is told to go ahead.

        Returns:
            True when this call closed the entry; False when it was not AMBIGUOUS.
        """
        note = "re-sent by the user; this first attempt may or may not have created a task"
        row = self._one(
            "UPDATE kie_journal SET state = 'rejected', updated_at = clock_timestamp(),"
            " error = CASE WHEN error IS NULL OR error = '' THEN %(note)s"
            " ELSE error || '; ' || %(note)s END"
            " WHERE id = %(id)s AND state = 'ambiguous' RETURNING id",
            {"note": note, "id": entry_id},
        )
        return row is not None

    def record_status(self, task_id: str, status: TaskStatus) -> None:
        """Record a status reading: RUNNING, SUCCEEDED (with result URLs) or FAILED (with why).

        A reading never moves an entry backwards. A reading that ends the task is announced
        on :data:`STATUS_CHANNEL`.
        """
        fields: dict[str, Any] = {}
        if status.state is TaskState.SUCCEEDED:
            target = JournalState.SUCCEEDED
            if status.result_urls:
                fields["result_urls"] = json.dumps(list(status.result_urls))
        elif status.state is TaskState.FAILED:
            target = JournalState.FAILED
            parts = (status.fail_code, status.fail_message)
            reason = " ".join(part for part in parts if part) or status.raw_state or "failed"
            fields["error"] = redact(reason)
        else:
            target = JournalState.RUNNING
        credits = getattr(status, "credits", None)
        if credits is not None and status.state.terminal:
            fields["actual_credits"] = float(credits)
        notify = target in (JournalState.SUCCEEDED, JournalState.FAILED)
        self._move_task(task_id, target, fields, notify=notify)

    def record_actual(self, task_id: str, credits: float) -> None:
        """Record what KIE actually charged for a task, whatever the entry's state."""
        self._all(
            "UPDATE kie_journal SET actual_credits = %s, updated_at = clock_timestamp()"
            " WHERE task_id = %s RETURNING id",
            (float(credits), task_id),
        )

    def downloaded(self, task_id: str, path: str, sha256: str, size: int) -> None:
        """Record that the task's result was saved and verified (state DOWNLOADED).

        An entry that had no output folder gets the file's folder as one.
        """
        self._move_task(
            task_id,
            JournalState.DOWNLOADED,
            {"output_path": path, "sha256": sha256, "size": size},
            output_dir=str(Path(path).parent),
        )

    def _move_entry(self, entry_id: int, target: JournalState, fields: dict[str, Any]) -> None:
        assignments = "".join(f", {column} = %({column})s" for column in fields)
        row = self._one(
            f"UPDATE kie_journal SET state = %(target)s, updated_at = clock_timestamp()"
            f"{assignments} WHERE id = %(id)s AND state = ANY(%(sources)s) RETURNING id",
            {**fields, "target": target.value, "id": entry_id, "sources": _sources(target)},
        )
        if row is None:
            logger.debug("journal: entry %s not moved to %s", entry_id, target)

    def _move_task(
        self,
        task_id: str,
        target: JournalState,
        fields: dict[str, Any],
        *,
        notify: bool = False,
        output_dir: str | None = None,
    ) -> None:
        assignments = "".join(f", {column} = %({column})s" for column in fields)
        if output_dir is not None:
            assignments += ", output_dir = COALESCE(output_dir, %(output_dir)s)"
        sql = (
            f"UPDATE kie_journal SET state = %(target)s, updated_at = clock_timestamp()"
            f"{assignments} WHERE task_id = %(task_id)s AND state = ANY(%(sources)s)"
            " RETURNING id"
        )
        params = {
            **fields,
            "target": target.value,
            "task_id": task_id,
            "sources": _sources(target),
            "output_dir": output_dir,
            "channel": STATUS_CHANNEL,
        }
        self._check_open()
        with self._pool.connection() as conn, conn.transaction():
            moved = conn.execute(sql, params).fetchall()
            if notify and moved:
                conn.execute("SELECT pg_notify(%(channel)s, %(task_id)s)", params)
        if not moved:
            logger.debug("journal: no entry of task %s moved to %s", task_id, target)

    # --- reads -----------------------------------------------------------------------------

    def get_entry(self, entry_id: int) -> JournalEntry | None:
        """Return the entry with this id, or None."""
        row = self._one("SELECT * FROM kie_journal WHERE id = %s", (entry_id,))
        return entry_from_row(row) if row is not None else None

    def get(self, task_id: str) -> JournalEntry | None:
        """Return the newest entry for a KIE task id, or None."""
        row = self._one(
            "SELECT * FROM kie_journal WHERE task_id = %s ORDER BY id DESC LIMIT 1", (task_id,)
        )
        return entry_from_row(row) if row is not None else None

    def _find(
        self, fingerprint: str, base_url: str, states: Iterable[JournalState]
    ) -> JournalEntry | None:
        row = self._one(
            _EXISTING_SQL,
            {
                "fingerprint": fingerprint,
                "base_url": _normalize_base_url(base_url),
                "states": [state.value for state in states],
                "retention": RESULT_RETENTION,
            },
        )
        return entry_from_row(row) if row is not None else None

    def find_active(self, fingerprint: str, base_url: str) -> JournalEntry | None:
        """Return the newest identical request that is (or may be) alive at KIE.

        Active means SUBMITTING, CREATED, RUNNING, SUCCEEDED or AMBIGUOUS, within KIE's
        14-day retention.
        """
        return self._find(fingerprint, base_url, _ACTIVE_STATES)

    def find_existing(self, fingerprint: str, base_url: str) -> JournalEntry | None:
        """Return the newest identical request that was (or may have been) paid for.

        Like :meth:`find_active`, DOWNLOADED entries included.
        """
        return self._find(fingerprint, base_url, EXISTING_STATES)

    def entries(
        self, *, limit: int = 50, states: Iterable[JournalState] | None = None
    ) -> list[JournalEntry]:
        """Return up to ``limit`` entries, newest first, optionally only in some states."""
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InvalidRequestError(
                f"limit must be a positive integer, got {limit!r}", field="limit", value=limit
            )
        if states is None:
            rows = self._all("SELECT * FROM kie_journal ORDER BY id DESC LIMIT %s", (limit,))
        else:
            wanted = [JournalState(state).value for state in states]
            if not wanted:
                return []
            rows = self._all(
                "SELECT * FROM kie_journal WHERE state = ANY(%s) ORDER BY id DESC LIMIT %s",
                (wanted, limit),
            )
        return [entry_from_row(row) for row in rows]

    def unfinished(self) -> list[JournalEntry]:
        """Return what ``kie resume`` must look at, oldest first.

        Every CREATED, RUNNING, SUCCEEDED (not downloaded) and AMBIGUOUS entry, and every
        SUBMITTING entry older than a minute (its process most likely died while sending).
        """
        rows = self._all(
            "SELECT * FROM kie_journal WHERE state IN ('created', 'running', 'succeeded',"
            " 'ambiguous') OR (state = 'submitting' AND created_at < clock_timestamp() - %s)"
            " ORDER BY id",
            (STALE_SUBMITTING,),
        )
        return [entry_from_row(row) for row in rows]

    def others_moved(self, task_id: str, since: datetime) -> bool:
        """Return whether any other entry could have moved the balance since ``since``.

        That is another entry created or changed since then, or one still in flight (its
        charge or refund may land at any moment): then a balance difference is not this task's
        charge alone.
        """
        row = self._one(
            "SELECT 1 AS moved FROM kie_journal WHERE (task_id IS NULL OR task_id != %s)"
            " AND (updated_at >= %s OR state IN ('created', 'running')) LIMIT 1",
            (task_id, since),
        )
        return row is not None

    def lease_unfinished(
        self, owner: str, *, lease: timedelta, idle: timedelta, limit: int = 20
    ) -> list[JournalEntry]:
        """Lease unfinished entries nobody is finishing; return them, oldest first.

        An entry qualifies when it is CREATED, RUNNING or SUCCEEDED (a task to wait for or a
        result to download), has not changed for ``idle`` (the process following it is most
        likely gone), is not owned by a queued or running job, and is not leased to another
        owner. The rows are picked ``FOR UPDATE SKIP LOCKED`` and leased in the same
        statement, so resumers on many machines split the work instead of following one task
        twice; a lease ends after ``lease`` (renew it by leasing again).
        """
        jobs_exist = self._one("SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS ok")
        owned = (
            " AND NOT EXISTS (SELECT 1 FROM kie_job_entries e JOIN procrastinate_jobs pj"
            " ON pj.id = e.job_id WHERE e.entry_id = j.id AND pj.status IN ('todo', 'doing'))"
            if jobs_exist is not None and jobs_exist["ok"]
            else ""
        )
        rows = self._all(
            "WITH picked AS (SELECT j.id FROM kie_journal j"
            " WHERE j.state IN ('created', 'running', 'succeeded')"
            " AND j.updated_at < clock_timestamp() - %(idle)s"
            " AND (j.lease_until IS NULL OR j.lease_until < clock_timestamp()"
            " OR j.lease_owner = %(owner)s)"
            f"{owned} ORDER BY j.id LIMIT %(limit)s FOR UPDATE OF j SKIP LOCKED)"
            " UPDATE kie_journal k SET lease_owner = %(owner)s,"
            " lease_until = clock_timestamp() + %(lease)s"
            " FROM picked WHERE k.id = picked.id RETURNING k.*",
            {"owner": owner, "lease": lease, "idle": idle, "limit": limit},
        )
        return sorted((entry_from_row(row) for row in rows), key=lambda e: e.id)

    def spent_today(self, now: datetime | None = None) -> float:
        """Return the credits spent today (UTC day) by every process.

        ``now`` is ignored: the day is the database server's.
        """
        self._check_open()
        with self._pool.connection() as conn:
            return self._spent_since_midnight(conn)

    def spend(self, *, since: datetime | None = None) -> list[SpendRow]:
        """Return the spend per UTC day and model, oldest day first.

        Args:
            since: only entries created at or after this moment (default: all).
        """
        rows = self._all(
            "SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, model, state,"
            " estimated_credits, actual_credits FROM kie_journal"
            " WHERE %(since)s::timestamptz IS NULL OR created_at >= %(since)s ORDER BY id",
            {"since": since},
        )
        totals: dict[tuple[str, str], SpendRow] = {}
        for row in rows:
            key = (row["day"], row["model"])
            current = totals.get(key) or SpendRow(day=row["day"], model=row["model"])
            totals[key] = current.add(
                JournalState(row["state"]), row["estimated_credits"], row["actual_credits"]
            )
        return sorted(totals.values(), key=lambda item: (item.day, item.model))

    # --- filtered views (the gallery) -------------------------------------------------------

    def page(
        self, entry_filter: EntryFilter, *, before_id: int | None = None, limit: int = 12
    ) -> list[JournalEntry]:
        """Return up to ``limit`` entries matching a filter, newest first, older than ``before_id``.

        A keyset page (``id < before_id ORDER BY id DESC``), so every page costs the same
        however deep it is.
        """
        where, params = where_clause(entry_filter)
        if before_id is not None:
            where, params = f"({where}) AND id < %(before_id)s", {**params, "before_id": before_id}
        rows = self._all(
            f"SELECT * FROM kie_journal WHERE {where} ORDER BY id DESC LIMIT %(limit)s",
            {**params, "limit": limit},
        )
        return [entry_from_row(row) for row in rows]

    def totals(self, entry_filter: EntryFilter) -> EntryTotals:
        """Return how many entries match a filter, and their estimate, charge and spend."""
        where, params = where_clause(entry_filter)
        row = self._one(TOTALS_SQL.format(where=where), params)
        if row is None:  # pragma: no cover - an aggregate always returns one row
            raise RuntimeError("the journal returned no totals")
        return EntryTotals(
            count=int(row["count"]),
            estimated_credits=float(row["estimated_credits"]),
            actual_credits=float(row["actual_credits"]),
            actual_known=int(row["actual_known"]),
            spent_credits=float(row["spent_credits"]),
        )

    def models(self) -> list[str]:
        """Return every model name that has an entry, sorted (one index probe per model)."""
        return [str(row["model"]) for row in self._all(MODELS_SQL)]

    def ensure_view_indexes(self) -> None:
        """Nothing to do: the view indexes are migration 6, applied when the pool opened."""
        self._check_open()
