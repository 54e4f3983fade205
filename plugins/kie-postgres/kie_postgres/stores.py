"""The entry points kie-core loads for a ``postgresql://`` database URL.

:mod:`kie_core.stores` imports this module on first use of a PostgreSQL URL and calls
:func:`open_journal` and :func:`shared_rate_limiter`.
"""

from __future__ import annotations

import threading

from kie_core.ratelimit import RateLimits
from kie_postgres.journal import PostgresJournal
from kie_postgres.pool import shared_pool
from kie_postgres.ratelimit import PostgresRateLimiter

_limiters: dict[tuple[str, str], PostgresRateLimiter] = {}
_lock = threading.Lock()


def open_journal(database_url: str) -> PostgresJournal:
    """Return a journal on the database at ``database_url`` (migrated on first use)."""
    return PostgresJournal(shared_pool(database_url))


def shared_rate_limiter(
    database_url: str, key_hash: str, limits: RateLimits | None = None
) -> PostgresRateLimiter:
    """Return the process's limiter of one account on one database.

    ``limits`` applies only when the limiter is created in this process; every process of an
    account should use the same limits.
    """
    with _lock:
        limiter = _limiters.get((database_url, key_hash))
        if limiter is None:
            limiter = PostgresRateLimiter(shared_pool(database_url), key_hash, limits)
            _limiters[(database_url, key_hash)] = limiter
        return limiter


def reset_shared_limiters() -> None:
    """Forget the process's limiters (tests that change the limits)."""
    with _lock:
        _limiters.clear()
