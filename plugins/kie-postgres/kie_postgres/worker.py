"""``kie worker``: run kie's generation jobs from the procrastinate queue.

One worker process holds one :class:`~kie_core.client.AsyncClient` whose journal and rate limiter
are the PostgreSQL ones, and runs up to ``concurrency`` jobs at once. A job:

1. resumes from the journal when it ran before (its worker died): it follows the journaled task,
   it never creates it again;
2. otherwise submits the request (the journal's claim makes an identical request follow the one
   already sent), and records which entry the job owns;
3. polls the task's status at the poll schedule, or at once when another process records that
   the task ended (a callback received anywhere: ``NOTIFY kie_task_status``);
4. downloads the result and records it.

Each worker also finishes *orphaned* journal entries: a task created by a process that died
(``kie generate``, an in-process batch) with no job owning it. It leases them with
``FOR UPDATE SKIP LOCKED`` (:meth:`~kie_postgres.journal.PostgresJournal.lease_unfinished`),
so several workers split them, then waits for each task and downloads its result.

A worker that dies (``kill -9``, a lost machine) stops sending heartbeats; every worker checks
for such stalled jobs and puts them back on the queue, where another worker resumes them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import socket
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg

from kie_core.client import AsyncClient
from kie_core.errors import AmbiguousCreateError, KieError
from kie_core.journal import JournalEntry, JournalState
from kie_core.polling import PollPhase, PollSchedule
from kie_core.ratelimit import RateLimits
from kie_core.request import VideoRequest
from kie_core.status import TaskHandle, TaskStatus
from kie_postgres.journal import STATUS_CHANNEL, PostgresJournal, entry_from_row
from kie_postgres.pool import shared_pool
from kie_postgres.queue import QUEUE, RetryableJobError, ensure_schema, queue_app
from kie_postgres.stores import shared_rate_limiter

logger = logging.getLogger(__name__)

#: Key of the advisory lock held while a worker puts stalled jobs back on the queue.
RESCUE_LOCK = 0x6B69_6504


@dataclass(frozen=True)
class WorkerOptions:
    """How a worker runs.

    Attributes:
        database_url: the PostgreSQL database (queue, journal, rate limits).
        api_key: the KIE API key.
        base_url: the KIE API base URL (None: the client's default).
        upload_base_url: the upload host (None: the client's default).
        concurrency: jobs run at once.
        output_dir: where results go when a job names no folder.
        poll_interval: a fixed status poll interval (None: KIE's recommended schedule).
        limits: the account's budgets (every process of the account should use the same).
        heartbeat: seconds between two heartbeats of this worker.
        stalled_after: seconds without a heartbeat after which a worker counts as dead and
            its jobs go back on the queue.
        timeout: seconds a job waits for its task before giving up (it is then retried).
        orphan_after: seconds an unfinished journal entry that no job owns may stay unchanged
            before a worker leases it and finishes it (its process, a ``kie generate`` or an
            in-process batch, most likely died).
        sweep_interval: seconds between two looks for such orphaned entries.
    """

    database_url: str
    api_key: str
    base_url: str | None = None
    upload_base_url: str | None = None
    concurrency: int = 20
    output_dir: str = "."
    poll_interval: float | None = None
    limits: RateLimits | None = None
    heartbeat: float = 10.0
    stalled_after: float = 30.0
    timeout: float = 1800.0
    orphan_after: float = 600.0
    sweep_interval: float = 60.0


class StatusNotices:
    """Wakes the job waiting for a task when any process announces that the task ended.

    It listens on :data:`~kie_postgres.journal.STATUS_CHANNEL` on a connection of its own.
    """

    def __init__(self, database_url: str) -> None:
        self._url = database_url
        self._waiters: dict[str, asyncio.Event] = {}
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start listening (returns once the LISTEN is in place)."""
        conn = await psycopg.AsyncConnection.connect(self._url, autocommit=True)
        await conn.execute(f"LISTEN {STATUS_CHANNEL}")
        self._task = asyncio.create_task(self._listen(conn), name="kie-status-notices")

    async def _listen(self, conn: psycopg.AsyncConnection[Any]) -> None:
        try:
            async for notice in conn.notifies():
                event = self._waiters.get(notice.payload)
                if event is not None:
                    event.set()
        finally:
            await conn.close()

    async def stop(self) -> None:
        """Stop listening."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None

    async def sleep(self, task_id: str, seconds: float) -> bool:
        """Sleep up to ``seconds``; return True when woken early by a notice for ``task_id``."""
        event = self._waiters.setdefault(task_id, asyncio.Event())
        try:
            await asyncio.wait_for(event.wait(), timeout=seconds)
        except TimeoutError:
            return False
        finally:
            self._waiters.pop(task_id, None)
        return True


class WorkerRuntime:
    """What the jobs of one worker process share: the client, the journal, the notices."""

    def __init__(self, options: WorkerOptions) -> None:
        self.options = options
        pool = shared_pool(options.database_url)
        self.journal = PostgresJournal(pool)
        from kie_core.transport import ApiKey

        limiter = shared_rate_limiter(
            options.database_url, ApiKey(options.api_key).digest(), options.limits
        )
        schedule = None
        if options.poll_interval is not None:
            step = options.poll_interval
            schedule = PollSchedule(phases=(PollPhase(math.inf, step, step),))
        self.poll = schedule or PollSchedule()
        self.client = AsyncClient(
            options.api_key,
            base_url=options.base_url,
            upload_base_url=options.upload_base_url,
            journal=self.journal,
            rate_limiter=limiter,
            poll=self.poll,
        )
        self.notices = StatusNotices(options.database_url)
        self._pool = pool

    def _owned_entry(self, job_id: int) -> JournalEntry | None:
        with self._pool.connection() as conn:
            row = conn.execute(
                "SELECT j.* FROM kie_job_entries e JOIN kie_journal j ON j.id = e.entry_id"
                " WHERE e.job_id = %s",
                (job_id,),
            ).fetchone()
        return entry_from_row(row) if row is not None else None

    def _own(self, job_id: int, entry_id: int) -> None:
        with self._pool.connection() as conn:
            conn.execute(
                "INSERT INTO kie_job_entries (job_id, entry_id) VALUES (%s, %s)"
                " ON CONFLICT (job_id) DO NOTHING",
                (job_id, entry_id),
            )

    async def run_job(
        self, job_id: int, request_data: dict[str, Any], output_dir: str | None
    ) -> int:
        """Run one job; return the id of its journal entry.

        Raises:
            RetryableJobError: a passing failure; the job runs again later and resumes.
            KieError: the request was refused, or its create is ambiguous (not retried:
                ``kie resume`` or the user decides).
        """
        try:
            return await self._run_job(job_id, request_data, output_dir)
        except AmbiguousCreateError:
            raise
        except KieError as error:
            if getattr(error, "retryable", False):
                raise RetryableJobError(str(error)) from error
            raise
        except (OSError, psycopg.OperationalError, TimeoutError) as error:
            raise RetryableJobError(f"{type(error).__name__}: {error}") from error

    async def _run_job(
        self, job_id: int, request_data: dict[str, Any], output_dir: str | None
    ) -> int:
        entry = self._owned_entry(job_id)
        if entry is None:
            request = VideoRequest.model_validate(request_data)
            handle = await self.client.submit(request)
            found = self.journal.get(handle.task_id)
            if found is None:  # pragma: no cover - submit journals before it returns
                raise RuntimeError(f"task {handle.task_id} is not in the journal")
            entry = found
            self._own(job_id, entry.id)
        else:
            logger.info("job %s resumes journal entry #%s (%s)", job_id, entry.id, entry.state)
        if entry.state is JournalState.DOWNLOADED or entry.state is JournalState.FAILED:
            return entry.id
        followed = entry.handle()
        if followed is None:
            raise AmbiguousCreateError(
                f"journal entry #{entry.id} is {entry.state.value}: its create may or may not "
                "have reached KIE, so it is not sent again; see `kie resume`"
            )
        status = await self._wait(followed)
        if status.succeeded:
            folder = Path(output_dir or self.options.output_dir).expanduser()
            await self.client.download(status, folder)
        return entry.id

    async def _wait(self, handle: TaskHandle) -> TaskStatus:
        start = time.monotonic()
        while True:
            status = await self.client.status(handle)
            if status.state.terminal:
                return status
            elapsed = time.monotonic() - start
            if elapsed > self.options.timeout:
                raise TimeoutError(f"task {handle.task_id} still running after {elapsed:.0f} s")
            await self.notices.sleep(handle.task_id, self.poll.interval(elapsed))

    async def finish_entry(self, entry: JournalEntry) -> None:
        """Wait for a leased orphaned entry's task and download its result (no job owns it)."""
        handle = entry.handle()
        if handle is None:
            return
        status = await self._wait(handle)
        if status.succeeded:
            folder = Path(entry.output_dir or self.options.output_dir).expanduser()
            await self.client.download(status, folder)

    async def close(self) -> None:
        """Close the client and stop listening."""
        await self.notices.stop()
        await self.client.close()


_runtime: WorkerRuntime | None = None


def current_runtime() -> WorkerRuntime:
    """Return the runtime of the worker running in this process.

    Raises:
        RuntimeError: no worker runs in this process.
    """
    if _runtime is None:
        raise RuntimeError("kie jobs run in `kie worker` (kie_postgres.worker.run_worker)")
    return _runtime


async def rescue_stalled_jobs(app: Any, database_url: str, stalled_after: float) -> list[int]:
    """Put the jobs of dead workers back on the queue; return their ids.

    An advisory lock makes one worker at a time do it, so a job is never put back twice (which
    could run it on two workers at once).
    """
    pool = shared_pool(database_url)
    rescued: list[int] = []
    with pool.connection() as conn:
        got = conn.execute("SELECT pg_try_advisory_lock(%s) AS ok", (RESCUE_LOCK,)).fetchone()
        if got is None or not got["ok"]:
            return rescued
        try:
            manager = app.job_manager
            await manager.prune_stalled_workers(stalled_after)
            for job in await manager.get_stalled_jobs(
                queue=QUEUE, seconds_since_heartbeat=stalled_after
            ):
                await manager.retry_job(job)
                rescued.append(job.id)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (RESCUE_LOCK,))
    if rescued:
        logger.warning("put %d jobs of dead workers back on the queue: %s", len(rescued), rescued)
    return rescued


async def _rescue_forever(app: Any, options: WorkerOptions) -> None:
    while True:
        await asyncio.sleep(options.heartbeat)
        try:
            await rescue_stalled_jobs(app, options.database_url, options.stalled_after)
        except Exception:  # a failed rescue pass is retried at the next one
            logger.exception("checking for stalled jobs failed")


async def _sweep_forever(runtime: WorkerRuntime, options: WorkerOptions) -> None:
    """Lease and finish orphaned journal entries (see :meth:`PostgresJournal.lease_unfinished`)."""
    owner = f"{socket.gethostname()}:{os.getpid()}"
    following: dict[int, asyncio.Task[None]] = {}
    lease = timedelta(seconds=max(options.timeout, 300.0))
    while True:
        await asyncio.sleep(options.sweep_interval)
        for entry_id in [i for i, task in following.items() if task.done()]:
            following.pop(entry_id)
        try:
            leased = runtime.journal.lease_unfinished(
                owner,
                lease=lease,
                idle=timedelta(seconds=options.orphan_after),
                limit=options.concurrency,
            )
        except Exception:  # a failed sweep is retried at the next one
            logger.exception("looking for orphaned journal entries failed")
            continue
        for entry in leased:
            if entry.id not in following:
                logger.info("finishing orphaned journal entry #%s (%s)", entry.id, entry.state)
                following[entry.id] = asyncio.create_task(_finish_quietly(runtime, entry))


async def _finish_quietly(runtime: WorkerRuntime, entry: JournalEntry) -> None:
    try:
        await runtime.finish_entry(entry)
    except Exception:  # the lease ends and a later sweep tries again
        logger.exception("finishing journal entry #%s failed", entry.id)


async def run_worker(options: WorkerOptions, *, stop: asyncio.Event | None = None) -> None:
    """Run jobs until cancelled (or until ``stop`` is set)."""
    global _runtime
    ensure_schema(options.database_url)
    runtime = WorkerRuntime(options)
    await runtime.notices.start()
    _runtime = runtime
    app = queue_app(options.database_url)
    try:
        async with app.open_async():
            rescuer = asyncio.create_task(_rescue_forever(app, options))
            sweeper = asyncio.create_task(_sweep_forever(runtime, options))
            worker = asyncio.create_task(
                app.run_worker_async(
                    queues=[QUEUE],
                    concurrency=options.concurrency,
                    wait=True,
                    update_heartbeat_interval=options.heartbeat,
                    stalled_worker_timeout=options.stalled_after,
                    fetch_job_polling_interval=1.0,
                    install_signal_handlers=stop is None,
                )
            )
            waits: list[asyncio.Future[Any]] = [worker]
            if stop is not None:
                waits.append(asyncio.ensure_future(stop.wait()))
            try:
                await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in (rescuer, sweeper, worker, *waits):
                    task.cancel()
                for task in (rescuer, sweeper, worker, *waits):
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task
    finally:
        _runtime = None
        await runtime.close()
