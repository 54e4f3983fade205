"""One connection pool per database URL and process, shared by the journal and the limiter.

A pool never crosses a fork: a child process opens its own. Every connection is in autocommit
mode (each statement is its own transaction unless a ``with conn.transaction()`` block says
otherwise) and returns rows as dicts. The schema is migrated once per pool, when it opens.
"""

from __future__ import annotations

import atexit
import os
import threading

from psycopg import Connection
from psycopg.rows import DictRow, dict_row
from psycopg_pool import ConnectionPool

from kie_postgres.migrations import migrate

#: Connections a process keeps open at most (a worker's jobs share them).
MAX_CONNECTIONS = 8

#: Seconds to wait for a free connection before giving up.
POOL_TIMEOUT = 60.0

_pools: dict[tuple[str, int], ConnectionPool[Connection[DictRow]]] = {}
_lock = threading.Lock()


def shared_pool(database_url: str) -> ConnectionPool[Connection[DictRow]]:
    """Return this process's pool of ``database_url``, opening and migrating it on first use."""
    key = (database_url, os.getpid())
    with _lock:
        pool = _pools.get(key)
        if pool is None:
            pool = ConnectionPool(
                database_url,
                min_size=1,
                max_size=MAX_CONNECTIONS,
                timeout=POOL_TIMEOUT,
                kwargs={"autocommit": True, "row_factory": dict_row},
                connection_class=Connection[DictRow],
                open=False,
                name="kie-postgres",
            )
            pool.open(wait=True, timeout=POOL_TIMEOUT)
            with pool.connection() as conn:
                migrate(conn)
            _pools[key] = pool
        return pool


def close_pools() -> None:
    """Close every pool this process opened (at exit, and in tests)."""
    with _lock:
        mine = [k for k in _pools if k[1] == os.getpid()]
        for key in mine:
            _pools.pop(key).close()


atexit.register(close_pools)
