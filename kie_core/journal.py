"""The task journal: a small SQLite database that remembers every create request and its fate.

A row is written *before* a create request is sent and updated at every step after it (created,
running, succeeded, downloaded, failed, rejected, ambiguous), so a ``kill -9`` at any moment loses
nothing: ``kie resume`` reads :meth:`Journal.unfinished` and picks up every task still running
and every result not yet downloaded (into the folder its command named, ``output_dir``), and
:meth:`Journal.claim` keeps an identical request from being paid for twice: the check for an
identical request and the insert of the new row are one write transaction, so of N identical
requests sent at once exactly one is sent. Each row keeps the estimate and, once KIE reports it,
what was actually charged; :meth:`Journal.spend` totals them and a daily budget is checked
inside the claim, across every process sharing the file.

The database is safe to share between threads and processes: it runs in WAL mode with a busy
timeout, every call is one short transaction, and writes take the write lock up front
(``BEGIN IMMEDIATE``) so two writers wait for each other instead of failing.

The API key is never stored: the payload is the create body, and any text that reaches the
journal (payloads, errors) is scrubbed of bearer tokens and of the ``KIE_API_KEY`` value.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from kie_core.calls import EndpointCall
from kie_core.errors import BudgetExceededError, InvalidRequestError, JournalError
from kie_core.journal_query import EntryFilter, EntryTotals, where_clause
from kie_core.status import TaskHandle, TaskState, TaskStatus

logger = logging.getLogger(__name__)

#: Environment variable naming the journal file.
JOURNAL_ENV = "KIE_JOURNAL"

#: The journal file's name inside the user data directory.
DEFAULT_FILENAME = "journal.sqlite3"

#: Schema version kept in ``PRAGMA user_version``. Version 2 added ``output_dir`` and
#: ``actual_credits``; an older journal is migrated in place when it is opened.
SCHEMA_VERSION = 2

#: How long a journal call waits for another writer before giving up.
BUSY_TIMEOUT_MS = 30_000

#: A SUBMITTING row older than this belongs to a process that died while sending.
STALE_SUBMITTING = timedelta(minutes=1)

#: How long KIE keeps generated media: an identical request older than this is not followed.
RESULT_RETENTION = timedelta(days=14)

#: Top-level create-body fields that say where to report, not what to generate.
CALLBACK_FIELDS = ("callBackUrl", "progressCallBackUrl")

_REDACTED = "***"
_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]+")


class JournalState(StrEnum):
    """Where a journaled create request is in its life."""

    SUBMITTING = "submitting"
    CREATED = "created"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    DOWNLOADED = "downloaded"
    FAILED = "failed"
    AMBIGUOUS = "ambiguous"
    REJECTED = "rejected"


#: States a row may move to from each state. Anything else is ignored, so a late or repeated
#: update can never move a row backwards (a downloaded result stays downloaded).
_TRANSITIONS: dict[JournalState, frozenset[JournalState]] = {
    JournalState.SUBMITTING: frozenset(
        {JournalState.CREATED, JournalState.REJECTED, JournalState.AMBIGUOUS}
    ),
    JournalState.AMBIGUOUS: frozenset({JournalState.CREATED, JournalState.REJECTED}),
    JournalState.CREATED: frozenset(
        {
            JournalState.RUNNING,
            JournalState.SUCCEEDED,
            JournalState.FAILED,
            JournalState.DOWNLOADED,
        }
    ),
    JournalState.RUNNING: frozenset(
        {
            JournalState.RUNNING,
            JournalState.SUCCEEDED,
            JournalState.FAILED,
            JournalState.DOWNLOADED,
        }
    ),
    JournalState.SUCCEEDED: frozenset({JournalState.SUCCEEDED, JournalState.DOWNLOADED}),
    JournalState.FAILED: frozenset(),
    JournalState.DOWNLOADED: frozenset({JournalState.DOWNLOADED}),
    JournalState.REJECTED: frozenset(),
}

#: States :meth:`Journal.find_active` reports: the request is (or may be) alive at KIE.
_ACTIVE_STATES = (
    JournalState.SUBMITTING,
    JournalState.CREATED,
    JournalState.RUNNING,
    JournalState.SUCCEEDED,
    JournalState.AMBIGUOUS,
)

#: States :meth:`Journal.claim` and :meth:`Journal.find_existing` report: an identical request
#: that was (or may have been) paid for, so sending it again would pay twice.
_EXISTING_STATES = (*_ACTIVE_STATES, JournalState.DOWNLOADED)

#: States whose credits count as spent when KIE did not say what it charged: a refused
#: request cost nothing, and a failed task is refunded.
_UNSPENT_STATES = (JournalState.REJECTED, JournalState.FAILED)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    fingerprint TEXT NOT NULL,
    model TEXT NOT NULL,
    provider TEXT NOT NULL,
    family TEXT NOT NULL,
    kie_model TEXT,
    endpoint TEXT NOT NULL,
    payload TEXT NOT NULL,
    base_url TEXT NOT NULL,
    state TEXT NOT NULL,
    task_id TEXT,
    variant TEXT,
    estimated_credits REAL,
    result_urls TEXT NOT NULL DEFAULT '[]',
    output_path TEXT,
    sha256 TEXT,
    size INTEGER,
    error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_by_fingerprint ON entries (fingerprint, base_url, id);
CREATE INDEX IF NOT EXISTS entries_by_task ON entries (task_id, id);
CREATE INDEX IF NOT EXISTS entries_by_state ON entries (state, id);
"""

#: Each schema version's changes, applied in order to a journal of an older version.
_MIGRATIONS: dict[int, tuple[str, ...]] = {
    2: (
        "ALTER TABLE entries ADD COLUMN output_dir TEXT",
        "ALTER TABLE entries ADD COLUMN actual_credits REAL",
        "CREATE INDEX IF NOT EXISTS entries_by_day ON entries (created_at)",
    ),
}


class JournalEntry(BaseModel):
    """One journaled create request, as stored.

    Attributes:
        id: the row id, returned by :meth:`Journal.begin`.
        fingerprint: see :func:`fingerprint`.
        model: the kie model name (``kling-2.5-turbo``).
        provider: the plugin that provides the model.
        family: the task family (``market``, ``veo``...).
        kie_model: KIE's model id, when the family has one.
        endpoint: method and path of the create call (``POST /api/v1/jobs/createTask``).
        payload: the create body, ``callBackUrl`` included, never the key.
        base_url: the API base URL the request went to.
        state: where the request is.
        task_id: KIE's task id, once known.
        estimated_credits: the local estimate at submit time.
        result_urls: the result files, once the task succeeded.
        output_path: where the result was saved, once downloaded.
        sha256: the saved file's SHA-256, once downloaded.
        size: the saved file's size in bytes, once downloaded.
        error: why the request failed, was refused or is ambiguous.
        created_at: when the row was written (before the create request was sent).
        updated_at: when the row last changed.
        variant: the model variant of the task handle, once created (an addition to the
            interface, so :meth:`handle` gives back the handle that was journaled).
        output_dir: the folder the command that sent the request meant the result for
            (``kie resume`` downloads there), or None when none was named.
        actual_credits: what KIE actually charged, when it said so (Market records carry
            ``creditsConsumed``; 0 for a refunded failure), or None when unknown.
    """

    model_config = ConfigDict(frozen=True)

    id: int
    fingerprint: str
    model: str
    provider: str
    family: str
    kie_model: str | None
    endpoint: str
    payload: dict[str, Any]
    base_url: str
    state: JournalState
    task_id: str | None
    estimated_credits: float | None
    result_urls: list[str] = Field(default_factory=list)
    output_path: str | None = None
    sha256: str | None = None
    size: int | None = None
    error: str | None = None
    created_at: datetime
    updated_at: datetime
    variant: str | None = None
    output_dir: str | None = None
    actual_credits: float | None = None

    @property
    def spent_credits(self) -> float:
        """The credits this entry counts as spent: the actual charge, else the estimate.

        A refused request and a failed task (KIE refunds failures) count 0 unless KIE said
        otherwise; an entry without any price counts 0.
        """
        return _spent(self.state, self.estimated_credits, self.actual_credits)

    def handle(self) -> TaskHandle | None:
        """Return the task handle to follow this task with, or None while there is no task id."""
        if self.task_id is None:
            return None
        return TaskHandle(
            task_id=self.task_id,
            model=self.model,
            provider=self.provider,
            family=self.family,
            kie_model=self.kie_model,
            variant=self.variant,
            estimated_credits=self.estimated_credits,
            created_at=self.created_at,
        )


def fingerprint(call: EndpointCall, base_url: str) -> str:
    """Return the identity of a create call: equal fingerprints generate the same thing.

    It is the SHA-256 of canonical JSON of the method, path, body (without the callback URLs
    ``callBackUrl`` and ``progressCallBackUrl``, which only say where to report), query
    parameters and base URL (without a trailing slash).

    Args:
        call: the create call about to be sent, after local files were uploaded.
        base_url: the API base URL it goes to.
    """
    body = call.body
    if body is not None:
        body = {key: value for key, value in body.items() if key not in CALLBACK_FIELDS}
    canonical = json.dumps(
        {
            "method": call.method,
            "path": call.path,
            "body": body,
            "params": call.params,
            "base_url": _normalize_base_url(base_url),
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def default_journal_path() -> Path:
    """Return ``$KIE_JOURNAL``, or ``journal.sqlite3`` in the user data directory of ``kie``."""
    configured = os.environ.get(JOURNAL_ENV)
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("kie")) / DEFAULT_FILENAME


def redact(text: str) -> str:
    """Remove bearer tokens and the value of ``KIE_API_KEY`` from a text."""
    key = os.environ.get("KIE_API_KEY")
    if key and len(key) >= 4:
        text = text.replace(key, _REDACTED)
    return _BEARER.sub(lambda match: f"{match.group(1)} {_REDACTED}", text)


def _normalize_base_url(base_url: str) -> str:
    return base_url.rstrip("/")


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    # Fixed-width UTC text, so string order is time order in SQL comparisons.
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def _dump_payload(payload: dict[str, Any]) -> str:
    # The payload is kept verbatim (it may be sent again), so only the key itself is scrubbed.
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    key = os.environ.get("KIE_API_KEY")
    if key and len(key) >= 4 and key in text:
        text = text.replace(key, _REDACTED)
    return text


def journal_error(path: Path | None, exc: BaseException) -> JournalError:
    """Return the one-line error for a journal that cannot be used, naming the file and the fix."""
    if isinstance(exc, JournalError):
        return exc
    where = os.fspath(path) if path is not None else ":memory:"
    text = str(exc).lower()
    if isinstance(exc, IsADirectoryError) or (path is not None and path.is_dir()):
        message = (
            f"the journal {where} is a directory, not a file: point KIE_JOURNAL (or --journal) "
            f"at a file, for example {Path(where) / DEFAULT_FILENAME}"
        )
    elif isinstance(exc, PermissionError) or any(
        hint in text for hint in ("readonly", "read-only", "permission", "unable to open")
    ):
        message = (
            f"the journal {where} cannot be opened for writing (permission denied or a "
            "read-only file or folder): make it and its folder writable (chmod u+rw), or point "
            "KIE_JOURNAL (or --journal) at a writable file"
        )
    elif "locked" in text or "busy" in text:
        message = (
            f"the journal {where} stayed locked by another kie process for "
            f"{BUSY_TIMEOUT_MS // 1000} s: run the command again once it is done, or point "
            "KIE_JOURNAL (or --journal) at another file"
        )
    elif isinstance(exc, sqlite3.DatabaseError) and any(
        hint in text for hint in ("not a database", "malformed", "corrupt")
    ):
        message = (
            f"the journal {where} is not a readable kie journal (corrupt, or another kind of "
            f"file): move it aside (mv {where} {where}.bad) to start a new one, or point "
            "KIE_JOURNAL (or --journal) at another file"
        )
    else:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        message = (
            f"the journal {where} cannot be used ({reason}): point KIE_JOURNAL (or --journal) "
            "at a writable file"
        )
    return JournalError(message, path=where)


def _day_start(moment: datetime) -> datetime:
    day = moment.astimezone(UTC)
    return day.replace(hour=0, minute=0, second=0, microsecond=0)


def _spent(state: JournalState, estimated: float | None, actual: float | None) -> float:
    if actual is not None:
        return float(actual)
    if state in _UNSPENT_STATES:
        return 0.0
    return float(estimated or 0.0)


def check_daily_budget(budget: float, spent: float, estimate: float | None) -> None:
    """Refuse a request that would take today's spend over the daily budget.

    Raises:
        BudgetExceededError: naming the budget, what is left and the estimate.
    """
    left = max(budget - spent, 0.0)
    if estimate is None:
        raise BudgetExceededError(
            f"the daily budget is {budget:g} credits ({left:g} left today) and this request "
            "has no published price to check against it; nothing was sent",
            budget=budget,
            left=left,
        )
    if spent + estimate > budget + 1e-9:
        raise BudgetExceededError(
            f"the daily budget is {budget:g} credits and {left:g} are left today: this request "
            f"is estimated at {estimate:g}; nothing was sent",
            budget=budget,
            left=left,
        )


@dataclass(frozen=True)
class _NewRow:
    fingerprint: str
    model: str
    provider: str
    family: str
    kie_model: str | None
    endpoint: str
    payload: dict[str, Any]
    base_url: str
    estimated_credits: float | None
    output_dir: str | None


@dataclass(frozen=True)
class SpendRow:
    """What one model cost on one UTC day, per the journal.

    Attributes:
        day: the UTC day, ``YYYY-MM-DD``.
        model: the kie model name.
        tasks: requests journaled that day (refused ones included).
        estimated: the sum of the local estimates of the requests that were not refused.
        actual: the sum of what KIE said it charged, over the requests where it said so.
        unreported: how many non-refused requests have no actual charge recorded.
        spent: the credits counted against the daily budget (actual, else estimate).
    """

    day: str
    model: str
    tasks: int = 0
    estimated: float = 0.0
    actual: float = 0.0
    unreported: int = 0
    spent: float = 0.0

    def add(self, state: JournalState, estimated: float | None, actual: float | None) -> SpendRow:
        """Return these totals with one more entry counted."""
        refused = state is JournalState.REJECTED
        return SpendRow(
            day=self.day,
            model=self.model,
            tasks=self.tasks + 1,
            estimated=self.estimated + (0.0 if refused else float(estimated or 0.0)),
            actual=self.actual + float(actual or 0.0),
            unreported=self.unreported + (1 if actual is None and not refused else 0),
            spent=self.spent + _spent(state, estimated, actual),
        )


class Journal:
    """The task journal, one SQLite file shared by every kie process of the user.

    Args:
        path: the database file; ``None`` uses :func:`default_journal_path`; ``":memory:"``
            keeps the journal in this process only (tests, one-shot scripts).

    Attributes:
        path: the database file, or None for an in-memory journal.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        if path is not None and os.fspath(path) == ":memory:":
            self.path: Path | None = None
        else:
            self.path = Path(path).expanduser() if path is not None else default_journal_path()
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._pid = os.getpid()
        self._closed = False
        with self._lock:
            self._connection()

    def __repr__(self) -> str:
        return f"Journal(path={str(self.path) if self.path else ':memory:'!r})"

    def describe(self) -> str:
        """Return where the journal is, for people: its file, or ``:memory:``."""
        return str(self.path) if self.path is not None else ":memory:"

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- connection ------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        if self._closed:
            raise RuntimeError("the journal is closed")
        if self._conn is not None and self._pid != os.getpid():
            # A connection must never cross a fork: the child opens its own.
            self._conn = None
        if self._conn is None:
            self._conn = self._open()
            self._pid = os.getpid()
        return self._conn

    def _open(self) -> sqlite3.Connection:
        try:
            return self._open_database()
        except (sqlite3.Error, OSError) as exc:
            raise journal_error(self.path, exc) from None

    def _open_database(self) -> sqlite3.Connection:
        if self.path is None:
            target = ":memory:"
        else:
            if self.path.is_dir():
                raise IsADirectoryError(21, "is a directory", os.fspath(self.path))
            self.path.parent.mkdir(parents=True, exist_ok=True)
            target = os.fspath(self.path)
        conn = sqlite3.connect(
            target,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,
        )
        conn.row_factory = sqlite3.Row
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if self.path is not None:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            self._migrate(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _migrate(self, conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise JournalError(
                    f"the journal {self.path} has schema version {version}, newer than this "
                    f"kie-core understands ({SCHEMA_VERSION}); upgrade kie-core",
                    path=os.fspath(self.path) if self.path else None,
                )
            if version < 1:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
            for target in range(max(version, 1) + 1, SCHEMA_VERSION + 1):
                for statement in _MIGRATIONS[target]:
                    conn.execute(statement)
            if version < SCHEMA_VERSION:
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise journal_error(self.path, exc) from None
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            try:
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise journal_error(self.path, exc) from None

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            conn = self._connection()
            try:
                return list(conn.execute(sql, params).fetchall())
            except sqlite3.DatabaseError as exc:
                raise journal_error(self.path, exc) from None

    def close(self) -> None:
        """Close the database connection; the journal cannot be used afterwards."""
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None
            self._closed = True

    # --- writes ----------------------------------------------------------------------------

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
        """Record a create request about to be sent; call this BEFORE sending it.

        Unlike :meth:`claim` this never looks for an identical request: use it only for a
        send that must go out anyway.

        Returns:
            The new entry's id, in state SUBMITTING.
        """
        values = _NewRow(
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
        )
        with self._write() as conn:
            return self._insert(conn, values)

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

        The check for an identical request and the insert are ONE write transaction
        (``BEGIN IMMEDIATE``), so of N processes claiming the same request at once exactly one
        gets ``created=True`` and sends it; the others get that entry and follow it.

        Args:
            fingerprint: see :func:`fingerprint`.
            model: the kie model name.
            provider: the plugin providing it.
            family: the task family.
            kie_model: KIE's model id, when the family has one.
            endpoint: method and path of the create call.
            payload: the create body, never the key.
            base_url: the API base URL it goes to.
            estimated_credits: the local estimate.
            output_dir: the folder the result is meant for.
            again: insert a new entry even when an identical request exists.
            daily_budget: refuse (nothing inserted) when today's spend (UTC day, counted from
                the journal by every process) plus this estimate would exceed it.

        Returns:
            ``(entry, created)``: the new SUBMITTING entry and True, or the newest identical
            entry that was (or may have been) paid for within KIE's 14-day retention
            (SUBMITTING, CREATED, RUNNING, SUCCEEDED, DOWNLOADED or AMBIGUOUS) and False.

        Raises:
            BudgetExceededError: the daily budget would be exceeded; nothing was inserted.
        """
        values = _NewRow(
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
        )
        with self._write() as conn:
            if not again:
                row = self._existing_row(conn, fingerprint, base_url)
                if row is not None:
                    return _entry(row), False
            if daily_budget is not None:
                spent = self._spent_since(conn, _day_start(_now()))
                check_daily_budget(daily_budget, spent, estimated_credits)
            entry_id = self._insert(conn, values)
            row = conn.execute("SELECT * FROM entries WHERE id = ?", (entry_id,)).fetchone()
        return _entry(row), True

    @staticmethod
    def _insert(conn: sqlite3.Connection, values: _NewRow) -> int:
        stamp = _stamp(_now())
        cursor = conn.execute(
            "INSERT INTO entries (fingerprint, model, provider, family, kie_model, endpoint,"
            " payload, base_url, state, estimated_credits, output_dir, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                values.fingerprint,
                values.model,
                values.provider,
                values.family,
                values.kie_model,
                values.endpoint,
                _dump_payload(values.payload),
                _normalize_base_url(values.base_url),
                JournalState.SUBMITTING.value,
                values.estimated_credits,
                values.output_dir,
                stamp,
                stamp,
            ),
        )
        entry_id = cursor.lastrowid
        if entry_id is None:  # pragma: no cover - sqlite always sets it after an INSERT
            raise RuntimeError("the journal did not return a row id")
        return entry_id

    @staticmethod
    def _existing_row(
        conn: sqlite3.Connection, fingerprint: str, base_url: str
    ) -> sqlite3.Row | None:
        marks = ", ".join("?" for _ in _EXISTING_STATES)
        row: sqlite3.Row | None = conn.execute(
            f"SELECT * FROM entries WHERE fingerprint = ? AND base_url = ?"
            f" AND state IN ({marks}) AND created_at >= ? ORDER BY id DESC LIMIT 1",
            (
                fingerprint,
                _normalize_base_url(base_url),
                *(s.value for s in _EXISTING_STATES),
                _stamp(_now() - RESULT_RETENTION),
            ),
        ).fetchone()
        return row

    @staticmethod
    def _spent_since(conn: sqlite3.Connection, since: datetime) -> float:
        rows = conn.execute(
            "SELECT state, estimated_credits, actual_credits FROM entries WHERE created_at >= ?",
            (_stamp(since),),
        ).fetchall()
        return sum(
            _spent(JournalState(row["state"]), row["estimated_credits"], row["actual_credits"])
            for row in rows
        )

    def created(self, entry_id: int, handle: TaskHandle) -> None:
        """Record that KIE accepted the request and gave it a task id (state CREATED)."""
        self._move_entry(
            entry_id,
            JournalState.CREATED,
            task_id=handle.task_id,
            variant=handle.variant,
            error=None,
        )

    def rejected(self, entry_id: int, error: str) -> None:
        """Record that KIE refused the create request: nothing was created (state REJECTED)."""
        self._move_entry(entry_id, JournalState.REJECTED, error=redact(error))

    def ambiguous(self, entry_id: int, error: str) -> None:
        """Record that the request was sent but its answer was lost (state AMBIGUOUS)."""
        self._move_entry(entry_id, JournalState.AMBIGUOUS, error=redact(error))

    def mark_resent(self, entry_id: int) -> bool:
        """Close an AMBIGUOUS entry the user chose to send again (state REJECTED, with a note).

        The new send gets its own entry; this one stays in the journal as a record of the
        possibly paid first attempt. The check and the move happen in one write transaction,
        so of several processes re-sending the same entry only one is told to go ahead.

        Returns:
            True when this call closed the entry; False when it was not AMBIGUOUS (unknown,
            already re-sent by someone else, or never ambiguous): do not send it then.
        """
        note = "re-sent by the user; this first attempt may or may not have created a task"
        with self._write() as conn:
            row = conn.execute(
                "SELECT state, error FROM entries WHERE id = ?", (entry_id,)
            ).fetchone()
            if row is None or JournalState(row["state"]) is not JournalState.AMBIGUOUS:
                return False
            error = f"{row['error']}; {note}" if row["error"] else note
            self._apply(
                conn, entry_id, JournalState.AMBIGUOUS, JournalState.REJECTED, {"error": error}
            )
            return True

    def record_status(self, task_id: str, status: TaskStatus) -> None:
        """Record a status reading: RUNNING, SUCCEEDED (with result URLs) or FAILED (with why).

        A reading never moves a row backwards: a succeeded, failed or downloaded task stays so.
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
        self._move_task(task_id, target, **fields)
        if status.credits is not None and status.state.terminal:
            self.record_actual(task_id, status.credits)

    def record_actual(self, task_id: str, credits: float) -> None:
        """Record what KIE actually charged for a task (``creditsConsumed``, or a balance delta).

        It is kept whatever the entry's state, beside the estimate; ``kie spend`` shows both.
        """
        with self._write() as conn:
            conn.execute(
                "UPDATE entries SET actual_credits = ?, updated_at = ? WHERE task_id = ?",
                (float(credits), _stamp(_now()), task_id),
            )

    def downloaded(self, task_id: str, path: str, sha256: str, size: int) -> None:
        """Record that the task's result was saved and verified (state DOWNLOADED).

        An entry that had no output folder gets the file's folder as one.
        """
        self._move_task(
            task_id, JournalState.DOWNLOADED, output_path=path, sha256=sha256, size=size
        )
        with self._write() as conn:
            conn.execute(
                "UPDATE entries SET output_dir = ? WHERE task_id = ? AND output_dir IS NULL",
                (str(Path(path).parent), task_id),
            )

    def _move_entry(self, entry_id: int, target: JournalState, **fields: Any) -> None:
        with self._write() as conn:
            row = conn.execute("SELECT state FROM entries WHERE id = ?", (entry_id,)).fetchone()
            if row is None:
                logger.debug("journal: no entry %s to move to %s", entry_id, target)
                return
            self._apply(conn, entry_id, JournalState(row[0]), target, fields)

    def _move_task(self, task_id: str, target: JournalState, **fields: Any) -> None:
        with self._write() as conn:
            rows = conn.execute(
                "SELECT id, state FROM entries WHERE task_id = ?", (task_id,)
            ).fetchall()
            if not rows:
                logger.debug("journal: no entry for task %s", task_id)
            for entry_id, state in rows:
                self._apply(conn, int(entry_id), JournalState(state), target, fields)

    @staticmethod
    def _apply(
        conn: sqlite3.Connection,
        entry_id: int,
        current: JournalState,
        target: JournalState,
        fields: dict[str, Any],
    ) -> None:
        if target not in _TRANSITIONS[current]:
            logger.debug(
                "journal: entry %s stays %s (ignored move to %s)", entry_id, current, target
            )
            return
        values = {**fields, "state": target.value, "updated_at": _stamp(_now())}
        assignments = ", ".join(f"{column} = ?" for column in values)
        conn.execute(
            f"UPDATE entries SET {assignments} WHERE id = ?",
            (*values.values(), entry_id),
        )

    # --- reads -----------------------------------------------------------------------------

    def get_entry(self, entry_id: int) -> JournalEntry | None:
        """Return the entry with this id, or None."""
        rows = self._read("SELECT * FROM entries WHERE id = ?", (entry_id,))
        return _entry(rows[0]) if rows else None

    def get(self, task_id: str) -> JournalEntry | None:
        """Return the newest entry for a KIE task id, or None."""
        rows = self._read(
            "SELECT * FROM entries WHERE task_id = ? ORDER BY id DESC LIMIT 1", (task_id,)
        )
        return _entry(rows[0]) if rows else None

    def find_active(self, fingerprint: str, base_url: str) -> JournalEntry | None:
        """Return the newest entry for an identical request that is (or may be) alive at KIE.

        Active means SUBMITTING, CREATED, RUNNING, SUCCEEDED (not yet downloaded) or AMBIGUOUS.
        The caller follows a CREATED/RUNNING/SUCCEEDED task instead of paying for a second one,
        and refuses to send again while an identical request is SUBMITTING or AMBIGUOUS.
        Entries older than KIE's 14-day retention are not active: their results are gone.
        """
        marks = ", ".join("?" for _ in _ACTIVE_STATES)
        rows = self._read(
            f"SELECT * FROM entries WHERE fingerprint = ? AND base_url = ?"
            f" AND state IN ({marks}) AND created_at >= ? ORDER BY id DESC LIMIT 1",
            (
                fingerprint,
                _normalize_base_url(base_url),
                *(s.value for s in _ACTIVE_STATES),
                _stamp(_now() - RESULT_RETENTION),
            ),
        )
        return _entry(rows[0]) if rows else None

    def find_existing(self, fingerprint: str, base_url: str) -> JournalEntry | None:
        """Return the newest identical request that was (or may have been) paid for.

        Like :meth:`find_active`, DOWNLOADED entries included: a result already saved is not
        paid for again. Only a hint before uploading inputs: :meth:`claim` decides.
        """
        with self._lock:
            row = self._existing_row(self._connection(), fingerprint, base_url)
        return _entry(row) if row is not None else None

    def others_moved(self, task_id: str, since: datetime) -> bool:
        """Return whether any other entry could have moved the balance since ``since``.

        That is another entry created or changed since then, or one still in flight (its
        charge or refund may land at any moment). When none did, the balance before and after
        a task is that task's actual charge.
        """
        rows = self._read(
            "SELECT 1 FROM entries WHERE (task_id IS NULL OR task_id != ?)"
            " AND (updated_at >= ? OR state IN (?, ?)) LIMIT 1",
            (task_id, _stamp(since), JournalState.CREATED.value, JournalState.RUNNING.value),
        )
        return bool(rows)

    def spent_today(self, now: datetime | None = None) -> float:
        """Return the credits spent today (UTC day) by every process, per the journal.

        Each entry counts its actual charge when known, else its estimate (a refused request
        or a failed task counts 0).
        """
        with self._lock:
            return self._spent_since(self._connection(), _day_start(now or _now()))

    def spend(self, *, since: datetime | None = None) -> list[SpendRow]:
        """Return the spend per UTC day and model, oldest day first.

        Args:
            since: only entries created at or after this moment (default: all).
        """
        rows = self._read(
            "SELECT substr(created_at, 1, 10) AS day, model, state, estimated_credits,"
            " actual_credits FROM entries WHERE created_at >= ? ORDER BY created_at",
            (_stamp(since) if since is not None else "",),
        )
        totals: dict[tuple[str, str], SpendRow] = {}
        for row in rows:
            key = (row["day"], row["model"])
            current = totals.get(key) or SpendRow(day=row["day"], model=row["model"])
            totals[key] = current.add(
                JournalState(row["state"]), row["estimated_credits"], row["actual_credits"]
            )
        return sorted(totals.values(), key=lambda item: (item.day, item.model))

    def entries(
        self, *, limit: int = 50, states: Iterable[JournalState] | None = None
    ) -> list[JournalEntry]:
        """Return up to ``limit`` entries, newest first, optionally only in some states."""
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InvalidRequestError(
                f"limit must be a positive integer, got {limit!r}", field="limit", value=limit
            )
        wanted = [JournalState(state).value for state in states] if states is not None else None
        if wanted is not None and not wanted:
            return []
        if wanted is None:
            rows = self._read("SELECT * FROM entries ORDER BY id DESC LIMIT ?", (limit,))
        else:
            marks = ", ".join("?" for _ in wanted)
            rows = self._read(
                f"SELECT * FROM entries WHERE state IN ({marks}) ORDER BY id DESC LIMIT ?",
                (*wanted, limit),
            )
        return [_entry(row) for row in rows]

    def unfinished(self) -> list[JournalEntry]:
        """Return what ``kie resume`` must look at, oldest first.

        That is every CREATED, RUNNING and AMBIGUOUS entry, every SUCCEEDED entry whose result
        is not downloaded yet, and every SUBMITTING entry older than a minute (its process most
        likely died while sending).
        """
        stale_before = _stamp(_now() - STALE_SUBMITTING)
        rows = self._read(
            "SELECT * FROM entries WHERE state IN (?, ?, ?, ?)"
            " OR (state = ? AND created_at < ?) ORDER BY id",
            (
                JournalState.CREATED.value,
                JournalState.RUNNING.value,
                JournalState.SUCCEEDED.value,
                JournalState.AMBIGUOUS.value,
                JournalState.SUBMITTING.value,
                stale_before,
            ),
        )
        return [_entry(row) for row in rows]

    # --- filtered views (the gallery) ---------------------------------------------------------

    def page(
        self, entry_filter: EntryFilter, *, before_id: int | None = None, limit: int = 12
    ) -> list[JournalEntry]:
        """Return up to ``limit`` entries matching a filter, newest first, older than ``before_id``.

        A keyset page: the next page starts before the last id of this one, so every page costs
        the same however deep it is.
        """
        where, params = where_clause(entry_filter)
        if before_id is not None:
            where, params = f"({where}) AND id < ?", [*params, before_id]
        rows = self._read(
            f"SELECT * FROM entries WHERE {where} ORDER BY id DESC LIMIT ?", (*params, limit)
        )
        return [_entry(row) for row in rows]

    def totals(self, entry_filter: EntryFilter) -> EntryTotals:
        """Return how many entries match a filter, and their estimate, charge and spend."""
        where, params = where_clause(entry_filter)
        row = self._read(
            "SELECT COUNT(*),"
            " TOTAL(CASE WHEN state NOT IN ('rejected', 'submitting')"
            " THEN estimated_credits END),"
            " TOTAL(actual_credits), COUNT(actual_credits),"
            " TOTAL(CASE WHEN actual_credits IS NOT NULL THEN actual_credits"
            " WHEN state IN ('rejected', 'failed') THEN 0 ELSE estimated_credits END)"
            f" FROM entries WHERE {where}",
            tuple(params),
        )[0]
        return EntryTotals(
            count=int(row[0]),
            estimated_credits=float(row[1]),
            actual_credits=float(row[2]),
            actual_known=int(row[3]),
            spent_credits=float(row[4]),
        )

    def models(self) -> list[str]:
        """Return every model name that has an entry, sorted (one index probe per model)."""
        rows = self._read(
            "WITH RECURSIVE seen(model) AS (SELECT MIN(model) FROM entries UNION ALL"
            " SELECT (SELECT MIN(model) FROM entries WHERE model > seen.model) FROM seen"
            " WHERE seen.model IS NOT NULL) SELECT model FROM seen WHERE model IS NOT NULL"
        )
        return [str(row[0]) for row in rows]

    def ensure_view_indexes(self) -> None:
        """Create the indexes that keep :meth:`totals` and :meth:`models` fast on large journals.

        Idempotent and additive (the schema version is unchanged); the gallery calls it once
        at start. The totals index covers every filtered column but the prompt, so a view's
        count and spend come from the index alone instead of every row's payload.
        """
        with self._write() as conn:
            conn.execute(
                "CREATE INDEX IF NOT EXISTS entries_view ON entries"
                " (model, state, created_at, estimated_credits, actual_credits)"
            )


def _entry(row: sqlite3.Row) -> JournalEntry:
    return JournalEntry(
        id=row["id"],
        fingerprint=row["fingerprint"],
        model=row["model"],
        provider=row["provider"],
        family=row["family"],
        kie_model=row["kie_model"],
        endpoint=row["endpoint"],
        payload=json.loads(row["payload"]),
        base_url=row["base_url"],
        state=JournalState(row["state"]),
        task_id=row["task_id"],
        estimated_credits=row["estimated_credits"],
        result_urls=json.loads(row["result_urls"] or "[]"),
        output_path=row["output_path"],
        sha256=row["sha256"],
        size=row["size"],
        error=row["error"],
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
        variant=row["variant"],
        output_dir=row["output_dir"],
        actual_credits=row["actual_credits"],
    )
