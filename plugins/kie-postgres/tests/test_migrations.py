from __future__ import annotations

import threading

import psycopg
import pytest
from kie_postgres.migrations import (
    MIGRATIONS,
    SCHEMA_VERSION,
    Migration,
    SchemaTooNewError,
    applied_versions,
    migrate,
)
from psycopg.rows import dict_row


def connect(url: str) -> psycopg.Connection[dict[str, object]]:
    return psycopg.connect(url, autocommit=True, row_factory=dict_row)


def test_a_fresh_database_gets_every_migration_once(database_url: str) -> None:
    with connect(database_url) as conn:
        assert migrate(conn) == [m.version for m in MIGRATIONS]
        assert migrate(conn) == []
        assert applied_versions(conn) == [m.version for m in MIGRATIONS]
        names = conn.execute("SELECT name FROM kie_schema_migrations ORDER BY version").fetchall()
        assert [row["name"] for row in names] == [m.name for m in MIGRATIONS]
        tables = conn.execute(
            "SELECT to_regclass('kie_journal') IS NOT NULL AS j,"
            " to_regclass('kie_rate_limits') IS NOT NULL AS r,"
            " to_regclass('kie_job_entries') IS NOT NULL AS e"
        ).fetchone()
        assert tables == {"j": True, "r": True, "e": True}


def test_an_older_database_is_brought_up_to_date(database_url: str) -> None:
    with connect(database_url) as conn:
        assert migrate(conn, MIGRATIONS[:2]) == [1, 2]
        conn.execute(
            "INSERT INTO kie_journal (fingerprint, model, provider, family, endpoint, payload,"
            " base_url, state) VALUES ('f', 'm', 'p', 'market', 'POST /x', '{}', 'b', 'created')"
        )
        assert migrate(conn) == [m.version for m in MIGRATIONS[2:]]
        row = conn.execute("SELECT output_dir, actual_credits FROM kie_journal").fetchone()
        assert row == {"output_dir": None, "actual_credits": None}
        assert applied_versions(conn)[-1] == SCHEMA_VERSION


def test_a_newer_database_is_refused(database_url: str) -> None:
    with connect(database_url) as conn:
        migrate(conn)
        conn.execute("INSERT INTO kie_schema_migrations (version, name) VALUES (999, 'future')")
        with pytest.raises(SchemaTooNewError, match="999"):
            migrate(conn)


def test_a_failing_migration_leaves_nothing_half_done(database_url: str) -> None:
    broken = (*MIGRATIONS, Migration(SCHEMA_VERSION + 1, "broken", "CREATE TABLE x (; nonsense"))
    with connect(database_url) as conn:
        with pytest.raises(psycopg.errors.SyntaxError):
            migrate(conn, broken)
        assert applied_versions(conn) == []
        assert migrate(conn) == [m.version for m in MIGRATIONS]


def test_processes_starting_together_migrate_once(database_url: str) -> None:
    applied: list[list[int]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def start() -> None:
        try:
            with connect(database_url) as conn:
                barrier.wait()
                applied.append(migrate(conn))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(v for versions in applied for v in versions) == [m.version for m in MIGRATIONS]
