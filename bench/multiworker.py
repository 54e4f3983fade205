"""Three ``kie worker`` processes on one account: the shared rate limit against KIE's limit.

One throw-away PostgreSQL (queue, journal, rate limits), the emulator at KIE's documented limits
in this process (counting every answer it gives, 429s included), and three worker processes
that run the same batch together. The figures: the creates per second the three sustain as a
share of the account's limit, the 429 answers, and the workers' CPU per task against the
single-process run (``AsyncClient.generate_many`` in one process, as in the ``batch``
benchmark).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.batch import (
    DEFAULT_CONCURRENCY,
    KIE_CREATE_WINDOW,
    KIE_CREATES,
    KIE_QUERIES,
    KIE_QUERY_WINDOW,
    LIMIT_TASK_SECONDS,
    run_batch,
)
from bench.report import Aim, Figure, Section
from bench.stats import achieved_rate, per_item

#: Worker processes sharing the account.
WORKERS = 3

#: Jobs each worker runs at once.
WORKER_CONCURRENCY = 20

#: The key of the benchmark's emulator (not a secret: the emulator is local).
API_KEY = "bench-key-not-secret"

_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """Return the user + system CPU seconds a live process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _registered_workers(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM procrastinate_workers"
            " WHERE last_heartbeat > now() - interval '30 seconds'"
        ).fetchone()
    return int(row[0]) if row else 0


def _finished_jobs(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('succeeded', 'failed')"
        ).fetchone()
    return int(row[0]) if row else 0


def _wait_for(done: Callable[[], bool], what: str, limit: float = 120.0) -> None:
    deadline = time.monotonic() + limit
    while not done():
        if time.monotonic() > deadline:
            raise RuntimeError(f"gave up waiting for {what} after {limit:g} s (see worker-*.log)")
        time.sleep(0.5)


def run_workers(tasks: int, folder: Path) -> dict[str, Any]:
    """Run ``tasks`` jobs on :data:`WORKERS` workers; return what was measured."""
    from kie_emulator.config import EmulatorConfig
    from kie_emulator.server import EmulatorServer
    from kie_postgres.cluster import TemporaryCluster
    from kie_postgres.pool import close_pools
    from kie_postgres.queue import enqueue_many, ensure_schema
    from kie_postgres.testing import CountingApp, WorkerProcess, max_in_window

    from bench.batch_worker import BENCH_MODEL
    from kie_core.request import VideoRequest

    server = EmulatorServer(
        EmulatorConfig(
            api_key=API_KEY,
            credits=1e12,
            task_seconds=LIMIT_TASK_SECONDS,
            create_limit=KIE_CREATES,
            create_window=KIE_CREATE_WINDOW,
            query_limit=KIE_QUERIES,
            query_window=KIE_QUERY_WINDOW,
        )
    )
    counting = CountingApp(server.app)
    server.app = counting  # type: ignore[assignment]
    out = folder / "videos"
    out.mkdir()
    with TemporaryCluster() as cluster:
        url = cluster.create_database("bench")
        ensure_schema(url)
        server.start()
        workers = [
            WorkerProcess(
                database_url=url,
                base_url=server.base_url,
                api_key=API_KEY,
                output_dir=out,
                concurrency=WORKER_CONCURRENCY,
                poll_interval=None,
                extra=(),
                log=folder / f"worker-{n}.log",
            ).start()
            for n in range(WORKERS)
        ]
        try:
            _wait_for(lambda: _registered_workers(url) >= WORKERS, "the workers to start")
            cpu_before = [process_cpu(w.pid) for w in workers]
            start = time.perf_counter()
            requests = [
                VideoRequest(model=BENCH_MODEL, prompt=f"multi-worker task {n}", duration=5)
                for n in range(tasks)
            ]
            enqueue_many(requests, database_url=url, output_dir=str(out))
            _wait_for(lambda: _finished_jobs(url) >= tasks, "every job", limit=tasks * 2 + 600)
            wall = time.perf_counter() - start
            cpu = sum(process_cpu(w.pid) - b for w, b in zip(workers, cpu_before, strict=True))
        finally:
            for worker in workers:
                worker.stop()
            close_pools()
            server.stop()
    ledger = server.emulator.ledger
    times = [entry.time_ms / 1000 for entry in ledger if entry.kind == "charge"]
    state = server.emulator.snapshot()
    return {
        "tasks": tasks,
        "workers": WORKERS,
        "wall": wall,
        "cpu": cpu,
        "create_times": times,
        "emulator_tasks": len(state["tasks"]),
        "max_creates_per_window": max_in_window(times, KIE_CREATE_WINDOW),
        "rate_limited": counting.statuses.get(429, 0),
        "statuses": dict(counting.statuses),
        "files_downloaded": sum(counting.file_gets.values()),
        "videos": len(list(out.glob("*.mp4"))),
    }


def bench_multiworker(section: Section, *, tasks: int) -> None:
    """Fill ``section``: ``tasks`` tasks on three workers, beside the single-process run."""
    from kie_postgres.cluster import ClusterError, find_bindir

    try:
        find_bindir()
    except ClusterError as exc:
        section.skipped = str(exc)
        return
    with tempfile.TemporaryDirectory(prefix="kie-bench-mw-") as folder:
        result = run_workers(tasks, Path(folder))
    single = run_batch(
        tasks=tasks,
        creates=KIE_CREATES,
        create_window=KIE_CREATE_WINDOW,
        queries=KIE_QUERIES,
        query_window=KIE_QUERY_WINDOW,
        task_seconds=LIMIT_TASK_SECONDS,
        concurrency=DEFAULT_CONCURRENCY,
        poll="default",
    )
    label = f"{WORKERS} workers, {tasks} tasks"
    limit_rate = KIE_CREATES / KIE_CREATE_WINDOW
    section.add(
        Figure(
            f"{label}: creates/s sustained together",
            achieved_rate(result["create_times"], KIE_CREATES),
            "/s",
            baseline=limit_rate,
            baseline_label="the account's limit, 20 per 10 s",
            aim=Aim("at least 95%", 0.95, at_most=False),
            note="ratio = share of the limit",
        )
    )
    section.add(
        Figure(
            f"{label}: 429 answers received",
            float(result["rate_limited"]),
            "",
            aim=Aim("0", 0, at_most=True),
            aim_on="value",
        )
    )
    section.add(
        Figure(
            f"{label}: most creates in any 10 s window",
            float(result["max_creates_per_window"]),
            "",
            aim=Aim("at most 20", KIE_CREATES, at_most=True),
            aim_on="value",
        )
    )
    worker_cpu = per_item(result["cpu"], tasks)
    single_cpu = per_item(single["cpu"], tasks)
    section.add(
        Figure(
            f"{label}: CPU per task (all workers)",
            worker_cpu * 1000 if worker_cpu is not None else None,
            "ms",
            baseline=single_cpu * 1000 if single_cpu is not None else None,
            baseline_label="one process, AsyncClient.generate_many",
        )
    )
    section.add(
        Figure(
            f"{label}: wall time",
            result["wall"],
            "s",
            baseline=single["wall"],
            baseline_label="one process",
        )
    )
    if result["emulator_tasks"] != tasks or result["videos"] != tasks:
        section.notes.append(
            f"only {result['videos']} of {tasks} videos saved; the emulator created "
            f"{result['emulator_tasks']} tasks"
        )
    section.notes.append(
        f"one throw-away PostgreSQL (queue, journal, GCRA limits), the emulator at KIE's "
        f"limits ({KIE_CREATES} creates/{KIE_CREATE_WINDOW:g} s, {KIE_QUERIES} queries/"
        f"{KIE_QUERY_WINDOW:g} s, task_seconds={LIMIT_TASK_SECONDS}), {WORKERS} `kie worker` "
        f"processes x {WORKER_CONCURRENCY} jobs, KIE's poll schedule; each job submits, "
        "waits, downloads and journals. Worker CPU is read from /proc between the moment "
        "all workers are up and the last job's end (start-up imports excluded); the "
        "single-process baseline journals nothing and downloads nothing, so the difference is "
        "the cost of the shared journal, limiter, queue and the download"
    )
    section.details = {
        "workers": {k: v for k, v in result.items() if k != "create_times"},
        "single_process": {k: v for k, v in single.items() if k != "create_times"},
    }
