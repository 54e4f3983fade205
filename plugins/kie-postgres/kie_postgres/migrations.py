"""The database schema of kie-postgres, as versioned migrations the project applies itself.

Each migration is a version number, a name and its SQL. :func:`migrate` applies the ones a
database lacks, in order, each in its own transaction, under an advisory lock so that many
processes starting at once migrate it exactly once; ``kie_schema_migrations`` records what was
applied. A database newer than this package is refused rather than misread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg import Connection

#: Key of the advisory lock held while migrating (any constant unique to kie).
MIGRATION_LOCK = 0x6B69_6501

#: The journal states in which an identical request is (or may be) alive at KIE: at most one
#: non-deliberate entry per (fingerprint, base URL) may be in one of them.
ACTIVE_STATES_SQL = "('submitting', 'created', 'running', 'succeeded', 'ambiguous')"


@dataclass(frozen=True)
class Migration:
    """One schema change: applied once, in version order."""

    version: int
    name: str
    sql: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "journal",
        f"""
        CREATE TABLE kie_journal (
            id bigserial PRIMARY KEY,
            fingerprint text NOT NULL,
            model text NOT NULL,
            provider text NOT NULL,
            family text NOT NULL,
            kie_model text,
            endpoint text NOT NULL,
            payload text NOT NULL,
            base_url text NOT NULL,
            state text NOT NULL CHECK (state IN ('submitting', 'created', 'running',
                'succeeded', 'downloaded', 'failed', 'ambiguous', 'rejected')),
            task_id text,
            variant text,
            estimated_credits double precision,
            result_urls text NOT NULL DEFAULT '[]',
            output_path text,
            sha256 text,
            size bigint,
            error text,
            deliberate boolean NOT NULL DEFAULT false,
            created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
        );
        CREATE UNIQUE INDEX kie_journal_one_active ON kie_journal (fingerprint, base_url)
            WHERE state IN {ACTIVE_STATES_SQL} AND NOT deliberate;
        CREATE INDEX kie_journal_by_fingerprint ON kie_journal (fingerprint, base_url, id);
        CREATE INDEX kie_journal_by_task ON kie_journal (task_id, id);
        CREATE INDEX kie_journal_by_state ON kie_journal (state, id);
        """,
    ),
    Migration(
        2,
        "rate limits",
        """
        CREATE TABLE kie_rate_limits (
            key_hash text NOT NULL,
            kind text NOT NULL,
            tat timestamptz NOT NULL,
            PRIMARY KEY (key_hash, kind)
        );
        """,
    ),
    Migration(
        3,
        "journal output folder and actual charge",
        """
        ALTER TABLE kie_journal ADD COLUMN output_dir text;
        ALTER TABLE kie_journal ADD COLUMN actual_credits double precision;
        CREATE INDEX kie_journal_by_day ON kie_journal (created_at);
        """,
    ),
    Migration(
        4,
        "queue jobs and their journal entries",
        """
        CREATE TABLE kie_job_entries (
            job_id bigint PRIMARY KEY,
            entry_id bigint NOT NULL REFERENCES kie_journal (id),
            recorded_at timestamptz NOT NULL DEFAULT clock_timestamp()
        );
        """,
    ),
    Migration(
        5,
        "leases on unfinished entries",
        """
        ALTER TABLE kie_journal ADD COLUMN lease_owner text;
        ALTER TABLE kie_journal ADD COLUMN lease_until timestamptz;
        CREATE INDEX kie_job_entries_by_entry ON kie_job_entries (entry_id);
        """,
    ),
    Migration(
        6,
        "gallery views",
        """
        CREATE INDEX kie_journal_by_model ON kie_journal (model, id);
        CREATE INDEX kie_journal_view ON kie_journal (model, state, created_at)
            INCLUDE (estimated_credits, actual_credits);
        """,
    ),
)

#: The schema version this package writes and reads.
SCHEMA_VERSION = MIGRATIONS[-1].version


class SchemaTooNewError(RuntimeError):
    """The database was migrated by a newer kie-postgres than the one running."""


def applied_versions(conn: Connection[Any]) -> list[int]:
    """Return the versions recorded in ``kie_schema_migrations`` (empty before the first)."""
    exists = conn.execute("SELECT to_regclass('kie_schema_migrations') IS NOT NULL").fetchone()
    if not exists or not _first(exists):
        return []
    rows = conn.execute("SELECT version FROM kie_schema_migrations ORDER BY version").fetchall()
    return [int(_first(row)) for row in rows]


def _first(row: Any) -> Any:
    return next(iter(row.values())) if isinstance(row, dict) else row[0]


def migrate(conn: Connection[Any], migrations: tuple[Migration, ...] = MIGRATIONS) -> list[int]:
    """Apply the migrations the database lacks; return the versions applied now.

    Raises:
        SchemaTooNewError: the database holds a version this package does not know.
    """
    applied_now: list[int] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS kie_schema_migrations ("
            " version integer PRIMARY KEY, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT clock_timestamp())"
        )
        done = set(applied_versions(conn))
        known = {m.version for m in migrations}
        unknown = sorted(done - known)
        if unknown:
            raise SchemaTooNewError(
                f"the database has kie schema version {max(unknown)}, newer than this "
                f"kie-postgres understands ({max(known)}); upgrade kie-postgres"
            )
        for migration in sorted(migrations, key=lambda m: m.version):
            if migration.version in done:
                continue
            with conn.transaction():
                conn.execute(migration.sql.encode())
                conn.execute(
                    "INSERT INTO kie_schema_migrations (version, name) VALUES (%s, %s)",
                    (migration.version, migration.name),
                )
            applied_now.append(migration.version)
    return applied_now
