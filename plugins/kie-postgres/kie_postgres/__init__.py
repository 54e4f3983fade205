"""kie's multi-machine mode: the journal and the rate limits in PostgreSQL, jobs on procrastinate.

Set ``KIE_DATABASE_URL=postgresql://...`` (or pass ``--database-url`` / ``database_url=``) and
every kie process using it shares one task journal (never paying twice is then a database
guarantee) and one rate limit per account. ``kie worker`` runs generation jobs from a
procrastinate queue in the same database; ``kie queue batch FILE`` enqueues a batch file.
"""

from __future__ import annotations

from kie_postgres.journal import STATUS_CHANNEL, PostgresJournal
from kie_postgres.migrations import MIGRATIONS, SCHEMA_VERSION, migrate
from kie_postgres.ratelimit import PostgresRateLimiter
from kie_postgres.stores import open_journal, shared_rate_limiter

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "STATUS_CHANNEL",
    "PostgresJournal",
    "PostgresRateLimiter",
    "migrate",
    "open_journal",
    "shared_rate_limiter",
]
