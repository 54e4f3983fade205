"""``kie batch``: many requests from a JSON Lines or CSV file, one progress view, one summary.

Every line is checked first (shape, model, files, values, estimate); a malformed line stops
the batch before anything is sent. The requests then run through the asynchronous client, whose
shared rate limiter keeps the batch within KIE's limits, at most ``--concurrency`` at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kie_core.cli.context import command_output, get_state
from kie_core.cli.exitcodes import ExitCode, exit_code_for
from kie_core.cli.options import JsonOption, OutputDirOption, QuietOption, TimeoutOption
from kie_core.cli.output import error_text

if TYPE_CHECKING:
    from kie_core.cli.batch_file import BatchLine
    from kie_core.cli.output import Output
    from kie_core.cli.planning import Plan
    from kie_core.cli.progress import TaskDisplay
    from kie_core.client import AsyncClient


#: Table columns that must stay whole (ids are copied from them).
_NO_WRAP = frozenset({"#", "line", "task id"})


@dataclass
class BatchResult:
    """How one line of a batch ended."""

    line: int
    model: str
    task_id: str | None = None
    state: str = "pending"
    estimated_credits: float | None = None
    credits: float | None = None
    path: str | None = None
    error: str | None = None
    exit_code: ExitCode = ExitCode.OK
    followed: bool = False

    def to_json(self) -> dict[str, Any]:
        """Return the result as JSON-ready data."""
        return {
            "line": self.line,
            "model": self.model,
            "task_id": self.task_id,
            "state": self.state,
            "followed": self.followed,
            "estimated_credits": self.estimated_credits,
            "credits": self.credits,
            "path": self.path,
            "error": self.error,
        }


def batch(
    ctx: typer.Context,
    *,
    file: Annotated[
        Path,
        typer.Argument(help="A .jsonl or .csv file: one request per line or row.", dir_okay=False),
    ],
    concurrency: Annotated[
        int, typer.Option("--concurrency", "-c", min=1, max=100, help="Tasks in flight at once.")
    ] = 20,
    output_dir: OutputDirOption = Path(),
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Check every line and print the plan; send nothing."),
    ] = False,
    max_credits: Annotated[
        float | None,
        typer.Option("--max-credits", min=0.0, help="Refuse to start when the total is higher."),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask before using deprecated models.")
    ] = False,
    again: Annotated[
        bool,
        typer.Option(
            "--again",
            help="Create new tasks even for lines the journal already holds (running, finished "
            "or downloaded in the last 14 days); without it a rerun sends only new lines.",
        ),
    ] = False,
    timeout: TimeoutOption = None,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Run many requests from a file: check all, then create, wait and download each.

    Columns: model, prompt, duration, aspect_ratio, resolution, image, last_frame,
    reference_images, video, audio, extend_task_id, negative_prompt, seed, callback_url,
    options (a JSON object). Relative paths are relative to the file's folder.
    """
    import asyncio

    from kie_core.cli.batch_file import MEDIA_COLUMNS, read_batch
    from kie_core.cli.folders import ensure_folder
    from kie_core.cli.generate_cmd import check_budget
    from kie_core.cli.planning import plan_request
    from kie_core.errors import InvalidRequestError

    state = get_state(ctx)
    output = command_output(ctx, json_mode=json_output, quiet=quiet)
    registry = state.registry()
    lines = read_batch(file)
    plans: list[tuple[BatchLine, Plan]] = []
    for line in lines:
        try:
            plans.append((line, plan_request(registry, line.request, MEDIA_COLUMNS)))
        except InvalidRequestError as exc:
            raise InvalidRequestError(
                f"{file.name}, line {line.number}, field {exc.field!r}: {exc.message}",
                field=f"line {line.number}: {exc.field}",
                value=exc.value,
                accepted=exc.accepted,
            ) from None
    estimates = [plan.estimate for _, plan in plans]
    total = sum(e for e in estimates if e is not None)
    unknown = sum(1 for e in estimates if e is None)
    for message in sorted({w for _, plan in plans for w in plan.resolved.warnings}):
        output.warn(message)
    if dry_run:
        _show_dry_run(output, plans, total, unknown)
        return
    ensure_folder(output_dir)
    client = state.async_client()
    try:
        # Lines the journal already holds are followed, not paid for: only new lines count.
        known = (
            set()
            if again
            else {
                index
                for index, (_, plan) in enumerate(plans)
                if client.find_identical(plan.prepared) is not None
            }
        )
        fresh = [e for index, e in enumerate(estimates) if index not in known]
        total = sum(e for e in fresh if e is not None)
        unknown = sum(1 for e in fresh if e is None)
        check_budget(output, None if unknown else total, max_credits)
        if fresh:
            client.check_daily_budget(None if unknown else total)
        if not yes and any(plan.resolved.warnings for _, plan in plans):
            _confirm_deprecated(output)
    except BaseException:
        asyncio.run(client.close())
        raise
    output.info(
        f"{len(plans)} request(s), estimated {total:g} credits"
        + (f" (+{unknown} without a published price)" if unknown else "")
        + (
            f"; {len(known)} already in the journal: followed, not sent again "
            "(--again sends them anew)"
            if known
            else ""
        )
    )
    run = _run_all(
        client,
        output,
        plans,
        total=total,
        unknown=unknown,
        output_dir=output_dir,
        concurrency=concurrency,
        again=again,
        timeout=timeout,
    )
    try:
        results = asyncio.run(run)
    except KeyboardInterrupt:
        output.error("interrupted; created tasks keep running on KIE: `kie resume` downloads them")
        raise typer.Exit(130) from None
    _summary(output, results)
    worst = _worst(results)
    if worst is not ExitCode.OK:
        raise typer.Exit(worst)


def _confirm_deprecated(output: Output) -> None:
    if output.interactive and not output.confirm("Some lines use deprecated models. Continue?"):
        output.error("cancelled; nothing was sent")
        raise typer.Exit(ExitCode.BAD_INPUT)


def _show_dry_run(
    output: Output, plans: list[tuple[BatchLine, Plan]], total: float, unknown: int
) -> None:
    if output.json_mode:
        output.result_json(
            {
                "dry_run": True,
                "requests": [{"line": line.number, **plan.describe()} for line, plan in plans],
                "estimated_credits": total,
                "unpriced": unknown,
            }
        )
        return
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Batch plan (nothing sent)", box=box.SIMPLE_HEAD)
    for column in ("line", "model", "mode", "endpoint", "payload", "credits"):
        table.add_column(column, overflow="fold", no_wrap=column in _NO_WRAP)
    for line, plan in plans:
        table.add_row(
            str(line.number),
            Text(plan.resolved.spec.name),
            Text(plan.resolved.mode.name),
            Text(plan.call.describe()),
            Text(plan.call.payload_json()),
            f"{plan.estimate:g}" if plan.estimate is not None else "?",
        )
    output.render(table)
    output.result_line(f"total: {total:g} credits" + (f" (+{unknown} unpriced)" if unknown else ""))


async def _run_all(
    client: AsyncClient,
    output: Output,
    plans: list[tuple[BatchLine, Plan]],
    *,
    total: float,
    unknown: int,
    output_dir: Path,
    concurrency: int,
    again: bool,
    timeout: float | None,
) -> list[BatchResult]:
    import asyncio

    from kie_core.cli.progress import TaskDisplay

    async with client:
        if total > 0:
            balance = await client.credits()
            if total > balance:
                output.error(
                    f"estimated {total:g} credits but the balance is {balance:g}; nothing was sent"
                )
                raise typer.Exit(ExitCode.AUTH_OR_CREDITS)
        gate = asyncio.Semaphore(concurrency)
        done = 0
        stopped: list[BatchResult] = []
        with TaskDisplay(output) as display:
            display.add("batch", "batch", f"0/{len(plans)} done")

            async def one(line: BatchLine, plan: Plan) -> BatchResult:
                nonlocal done
                async with gate:
                    if stopped:
                        # The key or the balance failed: every further create would too.
                        cause = stopped[0]
                        result = BatchResult(
                            line.number,
                            plan.resolved.spec.name,
                            state="skipped",
                            estimated_credits=plan.estimate,
                            error=f"not sent: line {cause.line} failed with {cause.error}",
                            exit_code=cause.exit_code,
                        )
                    else:
                        result = await _run_one(
                            client, display, line, plan, output_dir, again=again, timeout=timeout
                        )
                        if result.exit_code is ExitCode.AUTH_OR_CREDITS:
                            stopped.append(result)
                done += 1
                display.set_state("batch", f"{done}/{len(plans)} done")
                return result

            return list(await asyncio.gather(*(one(line, plan) for line, plan in plans)))


async def _run_one(
    client: AsyncClient,
    display: TaskDisplay,
    line: BatchLine,
    plan: Plan,
    output_dir: Path,
    *,
    again: bool,
    timeout: float | None,
) -> BatchResult:
    import asyncio
    from datetime import UTC, datetime

    from kie_core.errors import KieError, TaskFailedError

    key = f"line {line.number}"
    result = BatchResult(line.number, plan.resolved.spec.name, estimated_credits=plan.estimate)
    display.add(key, f"{key} {result.model}", "submitting")
    started = datetime.now(UTC)
    try:
        handle = await client.submit(plan.prepared, again=again, output_dir=output_dir)
        result.task_id = handle.task_id
        result.followed = handle.created_at < started
        display.relabel(key, f"{key} {result.model} {handle.task_id}")
        saved = None
        if result.followed:
            # A journal read and file checks: off the event loop, as the client's own are.
            saved = await asyncio.to_thread(client.saved_file, handle.task_id, output_dir)
        if saved is not None:
            result.state = "already downloaded"
            result.path = str(saved)
            display.finish(key, result.state)
            display.remove(key)
            return result
        reading = await client.wait(
            handle,
            timeout=timeout,
            on_update=display.updater(key),
            on_error=display.failing(key),
        )
        result.credits = reading.credits
        path = await client.download(reading, output_dir, on_progress=display.downloader(key))
    except TaskFailedError as exc:
        result.state = "failed"
        result.error = exc.message
        result.exit_code = ExitCode.TASK_FAILED
    except KieError as exc:
        result.state = "error"
        result.error = error_text(exc)
        result.exit_code = exit_code_for(exc)
    else:
        result.state = "downloaded"
        result.path = str(path)
    display.finish(key, result.state)
    display.remove(key)
    return result


def _summary(output: Output, results: list[BatchResult]) -> None:
    if output.json_mode:
        output.result_json([result.to_json() for result in results])
    else:
        _summary_table(output, results)
    ok = sum(1 for r in results if r.state in ("downloaded", "already downloaded"))
    earlier = sum(1 for r in results if r.state == "already downloaded")
    followed = sum(1 for r in results if r.followed and r.state != "already downloaded")
    notes = [f"{earlier} already downloaded"] if earlier else []
    if followed:
        notes.append(f"{followed} followed an identical task already sent")
    output.info(
        f"{ok}/{len(results)} downloaded"
        + (f" ({', '.join(notes)}; nothing sent for them, --again sends anew)" if notes else "")
    )


def _summary_table(output: Output, results: list[BatchResult]) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    styles = {
        "downloaded": "green",
        "already downloaded": "green",
        "failed": "red",
        "error": "red",
    }
    table = Table(title="Batch summary", box=box.SIMPLE_HEAD)
    for column in ("line", "task id", "model", "state", "credits", "file / error"):
        table.add_column(column, overflow="fold", no_wrap=column in _NO_WRAP)
    for result in results:
        credits = result.credits if result.credits is not None else result.estimated_credits
        table.add_row(
            str(result.line),
            Text(result.task_id or "-"),
            Text(result.model),
            Text(result.state, style=styles.get(result.state, "")),
            f"{credits:g}" if credits is not None else "-",
            Text(result.path or output.scrub(result.error or "-")),
        )
    output.render(table)


def _worst(results: list[BatchResult]) -> ExitCode:
    codes = {result.exit_code for result in results}
    for code in (
        ExitCode.AUTH_OR_CREDITS,
        ExitCode.SERVICE,
        ExitCode.TASK_FAILED,
        ExitCode.BAD_INPUT,
    ):
        if code in codes:
            return code
    return ExitCode.OK
