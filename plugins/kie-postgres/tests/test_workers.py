"""Three worker processes, one PostgreSQL, the emulator at KIE's documented limits."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from kie_emulator.config import EmulatorConfig
from kie_emulator.server import EmulatorServer
from kie_postgres.journal import PostgresJournal
from kie_postgres.pool import shared_pool
from kie_postgres.queue import enqueue, enqueue_many, wait_for_entry
from kie_postgres.testing import CountingApp, WorkerProcess, max_in_window

from kie_core.journal import JournalState
from kie_core.request import VideoRequest

KEY = "kie-worker-test-key"
MODEL = "kling-2.5-turbo"


class Emulator:
    def __init__(self) -> None:
        config = EmulatorConfig(
            api_key=KEY,
            credits=1e9,
            task_seconds=1.0,
            create_limit=20,
            create_window=10.0,
            query_limit=10,
            query_window=1.0,
            tick_interval=0.05,
        )
        self.server = EmulatorServer(config)
        self.counting = CountingApp(self.server.app)
        self.server.app = self.counting  # type: ignore[assignment]

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def charges(self) -> list[Any]:
        return [e for e in self.server.emulator.ledger if e.kind == "charge"]


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    emu = Emulator()
    emu.server.start()
    try:
        yield emu
    finally:
        emu.server.stop()


def requests(count: int, tag: str) -> list[VideoRequest]:
    return [
        VideoRequest(model=MODEL, prompt=f"{tag} shot {n}: a fox in fresh snow", duration=5)
        for n in range(count)
    ]


def job_states(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT status::text, count(*) FROM procrastinate_jobs GROUP BY 1"
        ).fetchall()
    return {status: int(n) for status, n in rows}


def wait_until_done(url: str, count: int, workers: list[WorkerProcess], limit: float) -> None:
    """Wait for every job to finish (a safety bound only: no timing is asserted)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        states = job_states(url)
        if states.get("succeeded", 0) + states.get("failed", 0) >= count:
            return
        time.sleep(1.0)
    pytest.fail(f"jobs not finished: {job_states(url)}")


def start_workers(
    count: int, url: str, emu: Emulator, out: Path, tmp_path: Path
) -> list[WorkerProcess]:
    return [
        WorkerProcess(
            database_url=url,
            base_url=emu.base_url,
            api_key=KEY,
            output_dir=out,
            log=tmp_path / f"worker-{n}.log",
        ).start()
        for n in range(count)
    ]


def check_ledger(emu: Emulator, count: int) -> None:
    charges = emu.charges()
    state = emu.server.emulator.snapshot()
    assert len(charges) == count
    assert len(state["tasks"]) == count
    assert all(item["count"] == 1 for item in state["createCounts"])
    assert len(state["createCounts"]) == count
    assert max_in_window([c.time_ms / 1000 for c in charges], 10.0) <= 20
    assert emu.counting.statuses[429] == 0, dict(emu.counting.refused)


def check_journal(url: str, count: int, out: Path) -> None:
    journal = PostgresJournal(shared_pool(url))
    entries = journal.entries(limit=count + 10)
    assert len(entries) == count
    assert {e.state for e in entries} == {JournalState.DOWNLOADED}
    assert len({e.fingerprint for e in entries}) == count
    assert len(list(out.glob("*.mp4"))) == count
    assert job_states(url) == {"succeeded": count}


@pytest.mark.slow
def test_three_workers_run_300_tasks_at_the_accounts_limit(
    database_url: str, emulator: Emulator, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    jobs = enqueue_many(requests(300, "batch"), database_url=database_url, output_dir=str(out))
    workers = start_workers(3, database_url, emulator, out, tmp_path)
    try:
        wait_until_done(database_url, len(jobs), workers, limit=900)
    finally:
        for worker in workers:
            worker.stop()
    check_ledger(emulator, 300)
    check_journal(database_url, 300, out)
    file_gets = emulator.counting.file_gets
    assert len(file_gets) == 300
    assert set(file_gets.values()) == {1}


@pytest.mark.slow
def test_a_worker_killed_mid_run_loses_nothing_and_pays_nothing_twice(
    database_url: str, emulator: Emulator, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    count = 300  # the same run as above, with one worker killed a fifth of the way through
    jobs = enqueue_many(requests(count, "kill"), database_url=database_url, output_dir=str(out))
    workers = start_workers(3, database_url, emulator, out, tmp_path)
    try:
        deadline = time.monotonic() + 300
        while len(emulator.charges()) < count // 5:
            if time.monotonic() > deadline:  # a hang guard, not a timing check
                pytest.fail(f"the workers created nothing: {job_states(database_url)}")
            time.sleep(0.2)
        workers[0].kill()
        wait_until_done(database_url, len(jobs), workers[1:], limit=900)
    finally:
        for worker in workers:
            worker.stop()
    check_ledger(emulator, count)
    check_journal(database_url, count, out)
    with psycopg.connect(database_url) as conn:
        retried = conn.execute("SELECT count(*) FROM procrastinate_jobs WHERE attempts > 0")
        assert retried.fetchone() != (0,)


def test_the_python_api_enqueues_and_gives_the_entry_back(
    database_url: str, emulator: Emulator, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    job = enqueue(requests(1, "api")[0], database_url=database_url, output_dir=str(out))
    workers = start_workers(1, database_url, emulator, out, tmp_path)
    try:
        entry = wait_for_entry(job, database_url=database_url, timeout=300)
    finally:
        workers[0].stop()
    assert entry is not None
    assert entry.state is JournalState.DOWNLOADED
    assert entry.output_path is not None and Path(entry.output_path).is_file()


def test_a_worker_finishes_a_task_whose_process_died(
    database_url: str, emulator: Emulator, tmp_path: Path
) -> None:
    from kie_core.client import Client

    out = tmp_path / "out"
    with Client(KEY, base_url=emulator.base_url, database_url=database_url) as kie:
        handle = kie.submit(requests(1, "orphan")[0])  # then the process "dies"
    workers = [
        WorkerProcess(
            database_url=database_url,
            base_url=emulator.base_url,
            api_key=KEY,
            output_dir=out,
            extra=("--orphan-after", "0.5", "--sweep-interval", "0.5"),
            log=tmp_path / "worker.log",
        ).start()
    ]
    journal = PostgresJournal(shared_pool(database_url))
    try:
        entry = journal.get(handle.task_id)
        deadline = time.monotonic() + 300
        while entry is not None and entry.state is not JournalState.DOWNLOADED:
            if time.monotonic() > deadline:  # a hang guard, not a timing check
                pytest.fail(f"the orphaned entry was not finished: {entry}")
            time.sleep(0.5)
            entry = journal.get(handle.task_id)
    finally:
        workers[0].stop()
    assert entry is not None and entry.output_path is not None
    assert Path(entry.output_path).parent == out
    assert len(emulator.charges()) == 1
