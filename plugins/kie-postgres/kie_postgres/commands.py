"""``kie worker`` and ``kie queue batch``: the multi-machine commands (``kie.commands`` hook).

This module imports only typer and the standard library at load time (``kie --help`` start-up
is measured); psycopg and procrastinate load inside the commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kie_core.hookspecs import hookimpl

#: The workers' default window margin: larger than a single process's 0.25 s, because sends
#: from several processes on busy machines are delayed more (0.4 s keeps 96% of the create
#: budget: 20 creates per 10.4 s).
WORKER_MARGIN = 0.4

queue_app = typer.Typer(
    name="queue",
    help="Put requests on the PostgreSQL job queue (kie-postgres); `kie worker` runs them.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _database_url(ctx: typer.Context) -> str:
    from kie_core.cli.context import get_state
    from kie_postgres.queue import database_url_or_env

    return database_url_or_env(get_state(ctx).settings.database_url)


@queue_app.command("batch")
def queue_batch(
    ctx: typer.Context,
    *,
    file: Annotated[
        Path,
        typer.Argument(help="A .jsonl or .csv file: one request per line or row.", dir_okay=False),
    ],
    output_dir: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="DIR",
            help="Folder the workers download results into (on the worker's machine).",
            file_okay=False,
        ),
    ] = Path(),
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the job ids as JSON on stdout.")
    ] = False,
) -> None:
    """Check every line of a batch file, then enqueue one job per request (nothing is sent).

    The batch form of `kie batch FILE`, run by `kie worker` processes on any machine sharing the
    database: the journal there keeps an identical request from being paid twice, and the
    account's rate limit holds across all workers. `kie tasks` follows progress.
    """
    from kie_core.cli.batch_file import MEDIA_COLUMNS, read_batch
    from kie_core.cli.context import command_output, get_state
    from kie_core.cli.planning import plan_request
    from kie_core.errors import InvalidRequestError
    from kie_postgres.queue import enqueue_many

    state = get_state(ctx)
    output = command_output(ctx, json_mode=json_output)
    url = _database_url(ctx)
    registry = state.registry()
    lines = read_batch(file)
    for line in lines:
        try:
            plan_request(registry, line.request, MEDIA_COLUMNS)
        except InvalidRequestError as exc:
            raise InvalidRequestError(
                f"{file.name}, line {line.number}, field {exc.field!r}: {exc.message}",
                field=f"line {line.number}: {exc.field}",
                value=exc.value,
                accepted=exc.accepted,
            ) from None
    jobs = enqueue_many(
        [line.request for line in lines], database_url=url, output_dir=str(output_dir)
    )
    if output.json_mode:
        output.result_json({"jobs": jobs})
        return
    output.info(f"enqueued {len(jobs)} job(s) (ids {jobs[0]}-{jobs[-1]}); `kie worker` runs them")


def worker(
    ctx: typer.Context,
    *,
    concurrency: Annotated[
        int, typer.Option("--concurrency", "-c", min=1, max=500, help="Jobs run at once.")
    ] = 20,
    output_dir: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="DIR",
            help="Folder for results of jobs that name none.",
            file_okay=False,
        ),
    ] = Path(),
    creates: Annotated[
        int, typer.Option("--creates", min=1, help="Account budget: creates per period.")
    ] = 20,
    create_period: Annotated[
        float, typer.Option("--create-period", min=0.001, help="Create period, seconds.")
    ] = 10.0,
    queries: Annotated[
        int, typer.Option("--queries", min=1, help="Account budget: queries per period.")
    ] = 10,
    query_period: Annotated[
        float, typer.Option("--query-period", min=0.001, help="Query period, seconds.")
    ] = 1.0,
    margin: Annotated[
        float,
        typer.Option(
            "--margin",
            min=0.0,
            help="Seconds added to each budget window: a send delayed longer than this (a "
            "busy machine) could put one call too many in KIE's window.",
        ),
    ] = WORKER_MARGIN,
    heartbeat: Annotated[
        float, typer.Option("--heartbeat", min=0.1, help="Seconds between heartbeats.")
    ] = 10.0,
    orphan_after: Annotated[
        float,
        typer.Option(
            "--orphan-after",
            min=0.0,
            help="Finish unfinished journal entries no job owns once unchanged this many "
            "seconds (their process died).",
        ),
    ] = 600.0,
    sweep_interval: Annotated[
        float,
        typer.Option("--sweep-interval", min=0.1, help="Seconds between looks for them."),
    ] = 60.0,
    stalled_after: Annotated[
        float,
        typer.Option(
            "--stalled-after",
            min=0.5,
            help="Seconds without heartbeat after which a worker is dead and its jobs rerun.",
        ),
    ] = 30.0,
) -> None:
    """Run kie generation jobs from the PostgreSQL queue until interrupted.

    Every worker of an account (any machine) shares the journal and the rate limits in the
    database (--database-url / KIE_DATABASE_URL): together they stay within the account's
    budgets, and a job whose worker died is resumed on another one without paying twice.
    """
    import asyncio

    from kie_core.cli.context import get_state
    from kie_core.ratelimit import RateLimits
    from kie_postgres.worker import WorkerOptions, run_worker

    state = get_state(ctx)
    state.require_key()
    settings = state.settings
    assert settings.api_key is not None
    options = WorkerOptions(
        database_url=_database_url(ctx),
        api_key=settings.api_key,
        base_url=settings.base_url,
        upload_base_url=settings.upload_base_url,
        concurrency=concurrency,
        output_dir=str(output_dir),
        poll_interval=state.poll_interval,
        limits=RateLimits(
            creates=creates,
            create_period=create_period,
            queries=queries,
            query_period=query_period,
            margin=margin,
        ),
        heartbeat=heartbeat,
        stalled_after=stalled_after,
        orphan_after=orphan_after,
        sweep_interval=sweep_interval,
    )
    state.output.info(f"kie worker: {concurrency} jobs at once; Ctrl+C stops")
    try:
        asyncio.run(run_worker(options))
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


@hookimpl
def kie_register_commands(cli: typer.Typer) -> None:
    """Add ``kie worker`` and ``kie queue``."""
    cli.command("worker")(worker)
    cli.add_typer(queue_app, name="queue")
