"""Where the journal and the rate limits live: the store interfaces and how one is chosen.

kie keeps two kinds of shared state: the task *journal* (what keeps it from paying twice, and
what ``kie resume`` finishes) and the *rate limits* (what keeps an account under KIE's budgets).
Each is reached through a small interface, :class:`JournalStore` and :class:`RateLimitStore`,
with two implementations:

- the embedded default: the SQLite :class:`~kie_core.journal.Journal` and the in-process
  :class:`~kie_core.ratelimit.RateLimiter` (one machine, no server);
- PostgreSQL, from the ``kie-postgres`` distribution: one database serves every process on every
  machine (a web service's app servers and workers, a fleet of queue workers).

One setting chooses: ``KIE_DATABASE_URL`` (or ``--database-url``, or
``Client(database_url=...)``). A ``postgresql://`` URL loads the kie-postgres stores on first
use; without a URL the embedded default is used.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from kie_core.errors import ConfigurationError

if TYPE_CHECKING:
    from datetime import datetime

    from kie_core.journal import JournalEntry, JournalState, SpendRow
    from kie_core.journal_query import EntryFilter, EntryTotals
    from kie_core.ratelimit import CallKind, RateLimits
    from kie_core.status import TaskHandle, TaskStatus
    from kie_core.transport import ApiKey

#: Environment variable naming the database that holds the journal and the rate limits.
DATABASE_URL_ENV = "KIE_DATABASE_URL"

#: URL schemes served by the kie-postgres stores.
POSTGRES_SCHEMES = ("postgresql", "postgres")

#: The module of the kie-postgres distribution that opens its stores.
POSTGRES_STORES_MODULE = "kie_postgres.stores"

#: The one-line hint shown when a PostgreSQL URL is configured without kie-postgres.
INSTALL_HINT = "pip install kie-postgres"


@runtime_checkable
class JournalStore(Protocol):
    """What the clients, the callback receiver and the CLI need of a task journal.

    :class:`kie_core.journal.Journal` (SQLite) and ``kie_postgres.PostgresJournal`` implement
    it. Every write is one transaction; a state never moves backwards.
    """

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
        """Record a create request that must be sent anyway (state SUBMITTING); return its id."""
        ...

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
        """Claim the right to send a request, or get the identical one to follow.

        The check for an identical request and the insert are atomic: of N processes
        claiming the same request at once exactly one gets ``(new entry, True)``.
        """
        ...

    def created(self, entry_id: int, handle: TaskHandle) -> None:
        """Record that KIE accepted the request and gave it a task id."""
        ...

    def rejected(self, entry_id: int, error: str) -> None:
        """Record that KIE refused the request: nothing was created."""
        ...

    def ambiguous(self, entry_id: int, error: str) -> None:
        """Record that the request was sent but its answer was lost."""
        ...

    def mark_resent(self, entry_id: int) -> bool:
        """Close an AMBIGUOUS entry about to be sent again; False when it is not AMBIGUOUS."""
        ...

    def record_status(self, task_id: str, status: TaskStatus) -> None:
        """Record a status reading of a task."""
        ...

    def record_actual(self, task_id: str, credits: float) -> None:
        """Record what KIE actually charged for a task."""
        ...

    def downloaded(self, task_id: str, path: str, sha256: str, size: int) -> None:
        """Record that the task's result was saved and verified."""
        ...

    def get_entry(self, entry_id: int) -> JournalEntry | None:
        """Return the entry with this id, or None."""
        ...

    def get(self, task_id: str) -> JournalEntry | None:
        """Return the newest entry of a KIE task id, or None."""
        ...

    def find_active(self, fingerprint: str, base_url: str) -> JournalEntry | None:
        """Return the newest identical request that is (or may be) alive at KIE."""
        ...

    def find_existing(self, fingerprint: str, base_url: str) -> JournalEntry | None:
        """Return the newest identical request that was (or may have been) paid for."""
        ...

    def spent_today(self, now: datetime | None = None) -> float:
        """Return the credits spent today (UTC day) by every process."""
        ...

    def others_moved(self, task_id: str, since: datetime) -> bool:
        """Return whether any other entry could have moved the balance since ``since``."""
        ...

    def spend(self, *, since: datetime | None = None) -> list[SpendRow]:
        """Return the spend per UTC day and model, oldest day first."""
        ...

    def entries(
        self, *, limit: int = 50, states: Iterable[JournalState] | None = None
    ) -> list[JournalEntry]:
        """Return up to ``limit`` entries, newest first, optionally only in some states."""
        ...

    def unfinished(self) -> list[JournalEntry]:
        """Return what ``kie resume`` must look at, oldest first."""
        ...

    def close(self) -> None:
        """Release the store's connections."""
        ...


@runtime_checkable
class JournalViews(JournalStore, Protocol):
    """A journal that also serves filtered, paged views of itself (what ``kie gallery`` reads).

    Both the SQLite :class:`~kie_core.journal.Journal` and ``kie_postgres.PostgresJournal``
    implement it with the same semantics; a store given to the clients only needs
    :class:`JournalStore`. The filter and the totals are :mod:`kie_core.journal_query`'s.
    """

    def page(
        self, entry_filter: EntryFilter, *, before_id: int | None = None, limit: int = 12
    ) -> list[JournalEntry]:
        """Return up to ``limit`` matching entries, newest first, older than ``before_id``."""
        ...

    def totals(self, entry_filter: EntryFilter) -> EntryTotals:
        """Return how many entries match a filter, and their estimate, charge and spend."""
        ...

    def models(self) -> list[str]:
        """Return every model name that has an entry, sorted."""
        ...

    def ensure_view_indexes(self) -> None:
        """Make sure the indexes that keep the views fast exist (idempotent)."""
        ...

    def describe(self) -> str:
        """Return where the journal is, for people: a file path or a database URL.

        A URL is shown without its password.
        """
        ...


@runtime_checkable
class RateLimitStore(Protocol):
    """Reservations against an account's create and query budgets.

    :class:`kie_core.ratelimit.RateLimiter` (in-process) and ``kie_postgres.PostgresRateLimiter``
    (every process sharing one database) implement it. A reservation takes the slot at once and
    returns how long to wait before sending; the caller sleeps (or awaits) that long.
    """

    def reserve(self, kind: CallKind | str) -> float:
        """Reserve the next send slot of ``kind`` and return the seconds to wait for it."""
        ...

    def pause(self, kind: CallKind | str, seconds: float) -> None:
        """Hold every further reservation of ``kind`` for ``seconds`` (after a 429)."""
        ...


def configured_database_url(explicit: str | None = None) -> str | None:
    """Return ``explicit`` or ``$KIE_DATABASE_URL``, or None when neither is set."""
    value = explicit if explicit else os.environ.get(DATABASE_URL_ENV)
    return value.strip() if value and value.strip() else None


def _scheme(url: str) -> str:
    scheme, sep, _ = url.partition("://")
    return scheme.lower() if sep else ""


def check_database_url(url: str) -> str:
    """Return ``url`` when it names a database kie can use.

    Raises:
        ConfigurationError: naming the setting, the URL's scheme and the accepted ones (the
            URL itself is not repeated: it may hold a password).
    """
    scheme = _scheme(url).split("+", 1)[0]
    if scheme not in POSTGRES_SCHEMES:
        raise ConfigurationError(
            f"{DATABASE_URL_ENV} / --database-url must be a PostgreSQL URL "
            f"(postgresql://user@host/dbname), got a {scheme or 'scheme-less'} URL; leave it "
            "unset to use the embedded SQLite journal"
        )
    return url


def _postgres() -> Any:
    try:
        return importlib.import_module(POSTGRES_STORES_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name is not None and not exc.name.startswith("kie_postgres"):
            raise
        raise ConfigurationError(
            f"{DATABASE_URL_ENV} names a PostgreSQL database but kie-postgres is not "
            f"installed: {INSTALL_HINT}"
        ) from None


def open_journal_store(database_url: str) -> JournalStore:
    """Open the journal kept in the database at ``database_url`` (kie-postgres).

    Raises:
        ConfigurationError: the URL is not a PostgreSQL URL, or kie-postgres is missing.
    """
    store: JournalStore = _postgres().open_journal(check_database_url(database_url))
    return store


def open_rate_limit_store(
    database_url: str, api_key: ApiKey, limits: RateLimits | None = None
) -> RateLimitStore:
    """Return the rate limiter of ``api_key`` kept in the database at ``database_url``.

    The database keys it by a hash of the key, never the key.

    Raises:
        ConfigurationError: the URL is not a PostgreSQL URL, or kie-postgres is missing.
    """
    store: RateLimitStore = _postgres().shared_rate_limiter(
        check_database_url(database_url), api_key.digest(), limits
    )
    return store
