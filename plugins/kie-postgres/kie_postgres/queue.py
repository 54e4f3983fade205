"""Generation jobs on procrastinate: the queue lives in the same PostgreSQL database.

:data:`app` is the procrastinate application with one task, ``kie.generate``: submit a
:class:`~kie_core.request.VideoRequest`, wait for it, download the result and record each step
in the journal. :func:`enqueue` puts a request on the queue and returns the job id;
:func:`job_entry` and :func:`wait_for_entry` give the journal entry back. ``kie worker`` (see
:mod:`kie_postgres.worker`) runs the jobs.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import procrastinate
from procrastinate.psycopg_connector import PsycopgConnector

from kie_core.journal import JournalEntry
from kie_core.stores import configured_database_url
from kie_postgres.journal import entry_from_row
from kie_postgres.pool import shared_pool

if TYPE_CHECKING:
    from kie_core.request import VideoRequest

#: The procrastinate queue kie's jobs go to.
QUEUE = "kie"

#: The name of the generation task.
TASK_NAME = "kie.generate"

#: Key of the advisory lock held while the queue's schema is created.
QUEUE_SCHEMA_LOCK = 0x6B69_6503

#: Job statuses after which a job will not run again.
FINISHED = frozenset({"succeeded", "failed", "cancelled", "aborted"})


class RetryableJobError(Exception):
    """A job stopped for a passing reason (network, database, service): run it again later.

    The retried job resumes from the journal: it never creates its task a second time.
    """


#: A job is retried on passing errors only, with growing waits (2, 4, 8... seconds).
RETRY = procrastinate.RetryStrategy(
    max_attempts=8, exponential_wait=2, retry_exceptions={RetryableJobError}
)

app = procrastinate.App(connector=PsycopgConnector())
"""The procrastinate application of kie's jobs (bind it to a database with :func:`queue_app`)."""


@app.task(name=TASK_NAME, queue=QUEUE, retry=RETRY, pass_context=True)
async def generate(
    context: procrastinate.JobContext, request: dict[str, Any], output_dir: str | None = None
) -> int:
    """Submit, wait for, download and journal one request; return its journal entry id."""
    from kie_postgres.worker import current_runtime

    job_id = context.job.id
    if job_id is None:  # pragma: no cover - a job run by a worker always has an id
        raise RuntimeError("the job has no id")
    return await current_runtime().run_job(job_id, request, output_dir)


def database_url_or_env(database_url: str | None) -> str:
    """Return ``database_url`` or ``$KIE_DATABASE_URL``.

    Raises:
        ConfigurationError: neither is set.
    """
    url = configured_database_url(database_url)
    if url is None:
        from kie_core.errors import ConfigurationError

        raise ConfigurationError(
            "the queue needs a PostgreSQL database: set KIE_DATABASE_URL or pass --database-url"
        )
    return url


def queue_app(database_url: str) -> procrastinate.App:
    """Return :data:`app` bound to the database at ``database_url``."""
    return app.with_connector(PsycopgConnector(conninfo=database_url))


def ensure_schema(database_url: str) -> None:
    """Create the journal's and the queue's tables when the database lacks them (idempotent)."""
    pool = shared_pool(database_url)  # migrates kie's own tables
    with pool.connection() as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (QUEUE_SCHEMA_LOCK,))
        row = conn.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS ok").fetchone()
        if row is None or not row["ok"]:
            conn.execute(procrastinate.schema.SchemaManager.get_schema().encode())


def _job_args(request: VideoRequest, output_dir: str | None) -> dict[str, Any]:
    return {
        "request": request.model_dump(mode="json", exclude_none=True),
        "output_dir": output_dir,
    }


def enqueue_many(
    requests: Iterable[VideoRequest],
    *,
    database_url: str | None = None,
    output_dir: str | None = None,
) -> list[int]:
    """Put requests on the queue; return their job ids, in order.

    Nothing is sent to KIE here: a worker (``kie worker``) submits each request, so the
    never-pay-twice rules and the shared rate limit apply there.
    """
    url = database_url_or_env(database_url)
    ensure_schema(url)
    bound = queue_app(url)
    with bound.open():
        # Defer through the bound app's job manager (the task object belongs to ``app``).
        deferrer = procrastinate.tasks.configure_task(
            name=TASK_NAME, job_manager=bound.job_manager, queue=QUEUE
        )
        return list(deferrer.batch_defer(*(_job_args(r, output_dir) for r in requests)))


def enqueue(
    request: VideoRequest, *, database_url: str | None = None, output_dir: str | None = None
) -> int:
    """Put one request on the queue and return its job id (see :func:`enqueue_many`)."""
    return enqueue_many([request], database_url=database_url, output_dir=output_dir)[0]


def job_status(job_id: int, *, database_url: str | None = None) -> str | None:
    """Return the procrastinate status of a job (``todo``, ``doing``, ``succeeded``...)."""
    pool = shared_pool(database_url_or_env(database_url))
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT status::text AS status FROM procrastinate_jobs WHERE id = %s", (job_id,)
        ).fetchone()
    return None if row is None else str(row["status"])


def job_entry(job_id: int, *, database_url: str | None = None) -> JournalEntry | None:
    """Return the journal entry of a job, once its worker submitted the request."""
    pool = shared_pool(database_url_or_env(database_url))
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT j.* FROM kie_job_entries e JOIN kie_journal j ON j.id = e.entry_id"
            " WHERE e.job_id = %s",
            (job_id,),
        ).fetchone()
    return entry_from_row(row) if row is not None else None


def wait_for_entry(
    job_id: int,
    *,
    database_url: str | None = None,
    timeout: float | None = None,
    interval: float = 0.5,
) -> JournalEntry | None:
    """Wait until a job is finished and return its journal entry (None if it never got one).

    Raises:
        TimeoutError: the job did not finish within ``timeout`` seconds.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        status = job_status(job_id, database_url=database_url)
        if status is None or status in FINISHED:
            return job_entry(job_id, database_url=database_url)
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError(f"job {job_id} is still {status} after {timeout:g} s")
        time.sleep(interval)
