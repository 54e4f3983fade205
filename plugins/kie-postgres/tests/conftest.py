"""A throw-away PostgreSQL cluster for the session, and a fresh database for each test."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from kie_postgres.cluster import TemporaryCluster
from kie_postgres.pool import close_pools
from kie_postgres.stores import reset_shared_limiters

_names = itertools.count(1)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[TemporaryCluster]:
    """A PostgreSQL server of its own in a temporary folder, removed after the session."""
    with TemporaryCluster() as cluster:
        yield cluster


@pytest.fixture
def database_url(pg_cluster: TemporaryCluster) -> Iterator[str]:
    """The URL of a new, empty database of the session's cluster."""
    url = pg_cluster.create_database(f"kie_test_{next(_names)}")
    yield url
    close_pools()
    reset_shared_limiters()
