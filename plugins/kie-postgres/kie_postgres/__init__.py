"""kie's multi-machine mode: the journal and the rate limits in PostgreSQL, jobs on procrastinate.

Set ``KIE_DATABASE_URL=postgresql://...`` (or pass ``--database-url`` / ``database_url=``) and
every kie process using it shares one task journal (never paying twice is then a database
guarantee) and one rate limit per account. ``kie worker`` runs generation jobs from a
procrastinate queue in the same database; ``kie queue batch FILE`` enqueues a batch file.

The names below load on first use: ``kie --help`` imports this package (for its commands) and
must not pay for psycopg and procrastinate.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "PostgresJournal": "kie_postgres.journal",
    "STATUS_CHANNEL": "kie_postgres.journal",
    "PostgresRateLimiter": "kie_postgres.ratelimit",
    "MIGRATIONS": "kie_postgres.migrations",
    "SCHEMA_VERSION": "kie_postgres.migrations",
    "migrate": "kie_postgres.migrations",
    "open_journal": "kie_postgres.stores",
    "shared_rate_limiter": "kie_postgres.stores",
    "enqueue": "kie_postgres.queue",
    "enqueue_many": "kie_postgres.queue",
    "job_entry": "kie_postgres.queue",
    "wait_for_entry": "kie_postgres.queue",
}

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "STATUS_CHANNEL",
    "PostgresJournal",
    "PostgresRateLimiter",
    "enqueue",
    "enqueue_many",
    "job_entry",
    "migrate",
    "open_journal",
    "shared_rate_limiter",
    "wait_for_entry",
]


def __getattr__(name: str) -> Any:
    """Load an exported name from its module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kie_postgres' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
