"""One rate limit per account across every process: GCRA kept in PostgreSQL.

KIE counts creates (20 per 10 s) and status queries (10 per s) per account, whichever process
or machine sends them. :class:`PostgresRateLimiter` keeps one row per (hash of the API key,
kind of call) holding the *theoretical arrival time* (TAT) of the next free slot, and takes a
slot with one statement on the server's clock::

    granted = max(tat, clock_timestamp());  tat = granted + interval;  wait = granted - now

The row lock of that ``INSERT ... ON CONFLICT DO UPDATE`` serializes concurrent callers, so the
slots handed out to all processes together are spaced ``interval`` apart: at most ``limit``
sends in any window of ``period`` seconds (the interval is ``(period + margin) / limit``, the
same spacing as kie-core's in-process limiter). A caller waits for its slot exactly as with the
in-process limiter: :meth:`~PostgresRateLimiter.reserve` returns the delay, and the client
sleeps (or awaits) it. The API key itself never reaches the database, only its SHA-256.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from psycopg import Connection
from psycopg.rows import DictRow
from psycopg_pool import ConnectionPool

from kie_core.ratelimit import CallKind, RateLimits

_RESERVE_SQL = """
WITH clock AS (SELECT clock_timestamp() AS now)
INSERT INTO kie_rate_limits AS r (key_hash, kind, tat)
SELECT %(key)s, %(kind)s, clock.now + %(interval)s FROM clock
ON CONFLICT (key_hash, kind) DO UPDATE
    SET tat = GREATEST(r.tat, EXCLUDED.tat - %(interval)s) + %(interval)s
RETURNING r.tat - %(interval)s AS granted,
    EXTRACT(EPOCH FROM (r.tat - %(interval)s - (SELECT now FROM clock)))::float8 AS wait
"""

_PAUSE_SQL = """
INSERT INTO kie_rate_limits AS r (key_hash, kind, tat)
VALUES (%(key)s, %(kind)s, clock_timestamp() + %(pause)s)
ON CONFLICT (key_hash, kind) DO UPDATE SET tat = GREATEST(r.tat, EXCLUDED.tat)
"""


def _spacing(period: float, limit: int) -> timedelta:
    """Return ``period / limit`` rounded UP to the microsecond (the database's resolution).

    Rounding down would let ``limit + 1`` slots fit in one window.
    """
    return timedelta(microseconds=math.ceil(period * 1_000_000 / limit))


class PostgresRateLimiter:
    """Reservations against an account's budgets, shared through a PostgreSQL database.

    Args:
        pool: the connection pool (schema migrated).
        key_hash: a hash of the API key (``ApiKey.digest()``), never the key.
        limits: the budgets (KIE's published limits by default: 20 creates per 10 s,
            10 queries per s, 0.25 s margin).
    """

    def __init__(
        self,
        pool: ConnectionPool[Connection[DictRow]],
        key_hash: str,
        limits: RateLimits | None = None,
    ) -> None:
        self._pool = pool
        self.key_hash = key_hash
        self.limits = limits or RateLimits()
        self._intervals = {
            CallKind.CREATE: _spacing(
                self.limits.create_period + self.limits.margin, self.limits.creates
            ),
            CallKind.QUERY: _spacing(
                self.limits.query_period + self.limits.margin, self.limits.queries
            ),
        }

    def interval(self, kind: CallKind | str) -> float:
        """Return the spacing, in seconds, between two slots of ``kind``."""
        return self._intervals[CallKind(kind)].total_seconds()

    def reserve(self, kind: CallKind | str) -> float:
        """Reserve the next send slot of ``kind`` for this account; return the seconds to wait.

        The slot is taken at once: wait the returned delay, then send.
        """
        return self.reserve_slot(kind)[1]

    def reserve_slot(self, kind: CallKind | str) -> tuple[datetime, float]:
        """Reserve the next slot of ``kind``; return when it is (server clock) and the wait."""
        call_kind = CallKind(kind)
        with self._pool.connection() as conn:
            row = conn.execute(
                _RESERVE_SQL,
                {
                    "key": self.key_hash,
                    "kind": call_kind.value,
                    "interval": self._intervals[call_kind],
                },
            ).fetchone()
        if row is None:  # pragma: no cover - INSERT ... RETURNING always returns the row
            raise RuntimeError("the rate limit table returned no slot")
        return row["granted"], max(0.0, float(row["wait"]))

    def pause(self, kind: CallKind | str, seconds: float) -> None:
        """Hold every further reservation of ``kind``, in every process, for ``seconds``."""
        if seconds <= 0:
            return
        with self._pool.connection() as conn:
            conn.execute(
                _PAUSE_SQL,
                {
                    "key": self.key_hash,
                    "kind": CallKind(kind).value,
                    "pause": timedelta(seconds=seconds),
                },
            )

    def __repr__(self) -> str:
        limits = self.limits
        return (
            f"<PostgresRateLimiter creates={limits.creates}/{limits.create_period:g}s "
            f"queries={limits.queries}/{limits.query_period:g}s>"
        )
