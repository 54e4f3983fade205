from __future__ import annotations

import hashlib
import itertools
import multiprocessing
from datetime import datetime, timedelta

import psycopg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kie_postgres.pool import close_pools, shared_pool
from kie_postgres.ratelimit import PostgresRateLimiter

from kie_core.ratelimit import CallKind, RateLimits
from kie_core.stores import RateLimitStore, open_rate_limit_store
from kie_core.transport import ApiKey

KEY = "kie-secret-key-never-stored"


def limiter(url: str, key: str = KEY, limits: RateLimits | None = None) -> PostgresRateLimiter:
    return PostgresRateLimiter(shared_pool(url), ApiKey(key).digest(), limits)


def test_it_is_a_rate_limit_store_chosen_by_a_postgres_url(database_url: str) -> None:
    store = open_rate_limit_store(database_url, ApiKey(KEY))
    assert isinstance(store, PostgresRateLimiter)
    assert isinstance(store, RateLimitStore)
    assert store is open_rate_limit_store(database_url, ApiKey(KEY))


def test_a_burst_is_spaced_at_the_accounts_rate(database_url: str) -> None:
    lim = limiter(database_url)
    slots = [lim.reserve_slot(CallKind.CREATE) for _ in range(25)]
    interval = timedelta(microseconds=512_500)
    grants = [granted for granted, _ in slots]
    assert all(b - a == interval for a, b in itertools.pairwise(grants))
    # Any 10 s window holds at most 20 of them.
    assert grants[20] - grants[0] > timedelta(seconds=10)
    waits = [wait for _, wait in slots]
    assert waits[0] < waits[-1]
    assert waits[-1] > 24 * interval.total_seconds() - 1.0


def test_creates_and_queries_have_their_own_budgets(database_url: str) -> None:
    lim = limiter(database_url)
    for _ in range(5):
        lim.reserve(CallKind.CREATE)
    granted, _ = lim.reserve_slot(CallKind.QUERY)
    second, _ = lim.reserve_slot("query")
    assert second - granted == timedelta(seconds=1.25 / 10)


def test_accounts_do_not_share_a_budget(database_url: str) -> None:
    first = limiter(database_url, "key-one-aaaa")
    other = limiter(database_url, "key-two-bbbb")
    for _ in range(10):
        first.reserve(CallKind.CREATE)
    assert other.reserve(CallKind.CREATE) == 0.0


def test_limits_are_configurable(database_url: str) -> None:
    lim = limiter(database_url, limits=RateLimits(creates=4, create_period=2.0, margin=0.0))
    a, _ = lim.reserve_slot(CallKind.CREATE)
    b, _ = lim.reserve_slot(CallKind.CREATE)
    assert b - a == timedelta(seconds=0.5)


def test_a_pause_holds_every_process_back(database_url: str) -> None:
    lim = limiter(database_url)
    other = limiter(database_url)
    lim.pause(CallKind.CREATE, 30.0)
    assert other.reserve(CallKind.CREATE) > 25.0
    lim.pause(CallKind.QUERY, 0.0)
    assert other.reserve(CallKind.QUERY) == 0.0


def test_the_database_holds_a_hash_of_the_key_never_the_key(database_url: str) -> None:
    limiter(database_url).reserve(CallKind.CREATE)
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("SELECT key_hash, kind FROM kie_rate_limits").fetchall()
        dump = "".join(str(r) for r in conn.execute("SELECT * FROM kie_rate_limits").fetchall())
    assert rows == [(ApiKey(KEY).digest(), "create")]
    assert KEY not in dump
    assert hashlib.sha256(KEY.encode()).hexdigest().startswith(rows[0][0])


def _reserve_many(url: str, count: int, out: multiprocessing.Queue[list[datetime]]) -> None:
    lim = limiter(url)
    out.put([lim.reserve_slot(CallKind.CREATE)[0] for _ in range(count)])
    close_pools()


def test_processes_share_one_budget(database_url: str) -> None:
    context = multiprocessing.get_context("fork")
    results: multiprocessing.Queue[list[datetime]] = context.Queue()
    workers = [
        context.Process(target=_reserve_many, args=(database_url, 10, results)) for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    grants = sorted(g for _ in workers for g in results.get(timeout=60))
    for worker in workers:
        worker.join(timeout=30)
    interval = timedelta(seconds=10.25 / 20)
    assert len(grants) == 40
    assert all(b - a >= interval for a, b in itertools.pairwise(grants))


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    creates=st.integers(min_value=1, max_value=50),
    period=st.floats(min_value=0.5, max_value=60.0),
    calls=st.integers(min_value=2, max_value=30),
)
def test_no_window_ever_holds_more_than_the_limit(
    database_url: str, creates: int, period: float, calls: int
) -> None:
    key = f"key-{creates}-{period}-{calls}"
    lim = limiter(database_url, key, RateLimits(creates=creates, create_period=period, margin=0))
    grants = [lim.reserve_slot(CallKind.CREATE)[0] for _ in range(calls)]
    window = timedelta(seconds=period)
    for index, start in enumerate(grants):
        inside = [g for g in grants[index:] if g - start < window]
        assert len(inside) <= creates
