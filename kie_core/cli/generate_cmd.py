"""``kie generate``: validate, estimate, create, wait with live progress, download."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kie_core.cli.context import CliState, command_output, get_state
from kie_core.cli.exitcodes import ExitCode
from kie_core.cli.options import JsonOption, OutputDirOption, QuietOption, TimeoutOption

if TYPE_CHECKING:
    from datetime import datetime

    from kie_core.cli.output import Output
    from kie_core.cli.planning import Plan
    from kie_core.cli.progress import TaskDisplay
    from kie_core.client import Client
    from kie_core.status import TaskHandle, TaskStatus


def generate(
    ctx: typer.Context,
    *,
    model: Annotated[
        str, typer.Argument(metavar="MODEL", help="Model name or alias (see `kie models`).")
    ],
    prompt: Annotated[
        str, typer.Argument(metavar="PROMPT", help="What the video should show.")
    ] = "",
    duration: Annotated[
        int | None,
        typer.Option("--duration", "-d", metavar="SECONDS", help="Length in seconds."),
    ] = None,
    aspect_ratio: Annotated[
        str | None,
        typer.Option("--aspect-ratio", "-a", metavar="RATIO", help="For example 16:9."),
    ] = None,
    resolution: Annotated[
        str | None,
        typer.Option("--resolution", "-r", metavar="RES", help="For example 720p."),
    ] = None,
    image: Annotated[
        list[str] | None,
        typer.Option(
            "--image",
            "-i",
            metavar="PATH|URL",
            help="Image path or URL: the first frame (a second --image is the last frame when "
            "the model takes one).",
        ),
    ] = None,
    last_frame: Annotated[
        str | None,
        typer.Option("--last-frame", metavar="PATH|URL", help="Image path or URL: the last frame."),
    ] = None,
    reference_image: Annotated[
        list[str] | None,
        typer.Option(
            "--reference-image",
            metavar="PATH|URL",
            help="Reference image path or URL (repeatable).",
        ),
    ] = None,
    video: Annotated[
        str | None,
        typer.Option("--video", metavar="PATH|URL", help="Source video path or URL."),
    ] = None,
    audio: Annotated[
        str | None,
        typer.Option("--audio", metavar="PATH|URL", help="Audio path or URL."),
    ] = None,
    extend: Annotated[
        str | None,
        typer.Option("--extend", metavar="TASK_ID", help="Extend the video of this earlier task."),
    ] = None,
    negative_prompt: Annotated[
        str | None,
        typer.Option("--negative-prompt", metavar="TEXT", help="What to avoid."),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", metavar="N", help="Seed for reproducible output.")
    ] = None,
    option: Annotated[
        list[str] | None,
        typer.Option(
            "--option",
            "-O",
            metavar="KEY=VALUE",
            help="Model-specific setting (repeatable); the value is read as JSON when it can be "
            "(0.5, true, [1,2]).",
        ),
    ] = None,
    callback_url: Annotated[
        str | None,
        typer.Option("--callback-url", metavar="URL", help="KIE POSTs the result here."),
    ] = None,
    output_dir: OutputDirOption = Path(),
    no_wait: Annotated[bool, typer.Option("--no-wait", help="Print the task id and exit.")] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Print the endpoint, payload and estimate; send nothing, spend nothing.",
        ),
    ] = False,
    max_credits: Annotated[
        float | None,
        typer.Option(
            "--max-credits",
            metavar="CREDITS",
            min=0.0,
            help="Refuse to start when the estimate is higher.",
        ),
    ] = None,
    yes: Annotated[
        bool,
        typer.Option("--yes", "-y", help="Do not ask before using a deprecated model."),
    ] = False,
    again: Annotated[
        bool,
        typer.Option(
            "--again",
            help="Create a new task even when the journal holds an identical one (running, "
            "finished or downloaded in the last 14 days).",
        ),
    ] = False,
    timeout: TimeoutOption = None,
    emulator: Annotated[
        bool,
        typer.Option(
            "--emulator",
            help="Try it offline: run against a KIE emulator started for this command "
            "(no key needed, no credits spent, a real sample MP4 comes back).",
        ),
    ] = False,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Generate a video: validate locally, estimate, create, wait, download.

    Nothing is sent when a value is not accepted by the model. Local files are uploaded first.
    Example: kie generate kling-2.5-turbo "a fox runs through snow" -d 5 -a 16:9 -o out/
    """
    from kie_core.cli.planning import plan_request
    from kie_core.cli.request_args import assign_images, build_request, parse_options

    state = get_state(ctx)
    output = command_output(ctx, json_mode=json_output, quiet=quiet)
    registry = state.registry()
    spec = registry.get(model).spec
    first_frame, last, references = assign_images(
        spec, image or [], last_frame, reference_image or []
    )
    request = build_request(
        {
            "model": model,
            "prompt": prompt,
            "duration": duration,
            "aspect_ratio": aspect_ratio,
            "resolution": resolution,
            "first_frame": first_frame,
            "last_frame": last,
            "reference_images": references,
            "video": video,
            "audio": audio,
            "extend_task_id": extend,
            "negative_prompt": negative_prompt,
            "seed": seed,
            "callback_url": callback_url,
            "options": parse_options(option or []),
        }
    )
    plan = plan_request(registry, request)
    for message in plan.resolved.warnings:
        output.warn(message)
    if dry_run:
        show_plan(output, plan)
        return
    check_budget(output, plan.estimate, max_credits)
    if plan.resolved.warnings and not yes:
        confirm_deprecated(output, plan)
    with warnings.catch_warnings(), _maybe_emulated(state, output, emulator, no_wait) as target:
        from kie_core.models import DeprecatedModelWarning

        warnings.simplefilter("ignore", DeprecatedModelWarning)
        _run(target, output, plan, output_dir, no_wait=no_wait, again=again, timeout=timeout)


@contextmanager
def _maybe_emulated(
    state: CliState, output: Output, wanted: bool, no_wait: bool
) -> Iterator[CliState]:
    """Yield ``state``, or with ``--emulator`` a copy pointed at a fresh in-process emulator.

    The emulated run uses an in-memory journal, so nothing of it lingers in the user's journal
    for ``kie resume`` to chase after the emulator is gone.
    """
    if not wanted:
        yield state
        return
    if no_wait:
        from kie_core.errors import InvalidRequestError

        raise InvalidRequestError(
            "--no-wait cannot be combined with --emulator: the emulator stops with the command",
            field="no_wait",
            value=True,
        )
    import dataclasses

    from kie_core.cli.settings import Settings

    try:
        from kie_emulator.config import EmulatorConfig
        from kie_emulator.server import EmulatorServer
    except ImportError:
        from kie_core.cli.missing_cmd import EMULATOR_INSTALL, missing

        raise missing(
            "--emulator needs the KIE emulator (kie-emulator), which", EMULATOR_INSTALL
        ) from None

    with EmulatorServer(EmulatorConfig(task_seconds=3.0)) as server:
        output.info(
            f"using an offline KIE emulator at {server.base_url}: nothing reaches KIE.ai and "
            "no credits are spent"
        )
        emulated = dataclasses.replace(
            state,
            settings=Settings(
                api_key="emulator",
                base_url=server.base_url,
                upload_base_url=server.base_url,
                journal=":memory:",
            ),
            poll_interval=state.poll_interval or 0.5,
            _journal=None,
        )
        try:
            yield emulated
        finally:
            emulated.close()


def show_plan(output: Output, plan: Plan) -> None:
    """Print what a request would send and cost (``--dry-run``)."""
    output.info("dry run: nothing was sent, nothing was spent")
    if output.json_mode:
        output.result_json({"dry_run": True, **plan.describe()})
        return
    described = plan.describe()
    kie_model = f", KIE model {described['kie_model']}" if described["kie_model"] else ""
    output.result_line(
        f"model:    {described['model']} (variant {described['variant']}, "
        f"mode {described['mode']}{kie_model})"
    )
    output.result_line(f"endpoint: {plan.call.describe()}")
    for path in plan.uploads:
        output.result_line(f"upload:   {path} (uploaded before the create call)")
    output.result_line("payload:")
    output.result_line(plan.call.payload_json())
    output.result_line(f"estimate: {format_credits(plan.estimate)}")


def format_credits(value: float | None) -> str:
    """Return ``42 credits`` or ``unknown (no published price for these settings)``."""
    if value is None:
        return "unknown (no published price for these settings)"
    return f"{value:g} credits"


def check_budget(output: Output, estimate: float | None, max_credits: float | None) -> None:
    """Refuse to start when the estimate exceeds ``--max-credits`` (exit 3)."""
    if max_credits is None:
        return
    if estimate is None:
        output.error(
            "the cost of this request cannot be estimated (no published price matches), so "
            f"--max-credits {max_credits:g} cannot be honoured; nothing was sent"
        )
        raise typer.Exit(ExitCode.AUTH_OR_CREDITS)
    if estimate > max_credits:
        output.error(
            f"estimated {estimate:g} credits exceeds --max-credits {max_credits:g}; "
            "nothing was sent"
        )
        raise typer.Exit(ExitCode.AUTH_OR_CREDITS)


def check_balance(output: Output, client: Client, estimate: float | None) -> float | None:
    """Refuse to start when the live balance is lower than the estimate (exit 3).

    Returns:
        The balance read, or None when none was (no estimate to compare).
    """
    if estimate is None:
        output.warn("the cost of this request cannot be estimated; the balance is not checked")
        return None
    balance = client.credits()
    if estimate > balance:
        output.error(
            f"estimated {estimate:g} credits but the balance is {balance:g}; nothing was sent"
        )
        raise typer.Exit(ExitCode.AUTH_OR_CREDITS)
    output.info(f"estimated {estimate:g} credits (balance {balance:g})")
    return balance


def record_balance_charge(
    state: CliState, client: Client, task_id: str, before: float, since: datetime
) -> None:
    """Journal a task's actual charge as the balance before minus after, when that is sure.

    Only for a task whose status did not say what it cost (KIE's dedicated APIs), and only
    when no other journaled request could have moved the balance meanwhile.
    """
    from kie_core.errors import KieError

    journal = state.journal()
    if journal.others_moved(task_id, since):
        return
    try:
        after = client.credits()
    except KieError:
        return
    if before - after >= 0 and not journal.others_moved(task_id, since):
        journal.record_actual(task_id, round(before - after, 6))


def confirm_deprecated(output: Output, plan: Plan) -> None:
    """Ask before spending on a deprecated model; proceed without asking when not interactive."""
    if not output.interactive:
        return
    cost = format_credits(plan.estimate)
    if not output.confirm(f"{plan.resolved.spec.name} is deprecated. Spend {cost} anyway?"):
        output.error("cancelled; nothing was sent")
        raise typer.Exit(ExitCode.BAD_INPUT)


def _run(
    state: CliState,
    output: Output,
    plan: Plan,
    output_dir: Path,
    *,
    no_wait: bool,
    again: bool,
    timeout: float | None,
) -> None:
    from datetime import UTC, datetime

    from kie_core.cli.folders import ensure_folder
    from kie_core.cli.progress import TaskDisplay

    if not no_wait or output_dir != Path():
        # With --no-wait a named folder is journaled for `kie resume`: check it now too.
        ensure_folder(output_dir)
    with state.client() as client:
        balance: float | None = None
        if again or client.find_identical(plan.prepared) is None:
            client.check_daily_budget(plan.estimate)
            balance = check_balance(output, client, plan.estimate)
        if plan.uploads:
            output.info(f"uploading {len(plan.uploads)} local file(s)")
        started = datetime.now(UTC)
        handle = client.submit(plan.prepared, again=again, output_dir=output_dir)
        if handle.created_at < started:
            report_followed(output, state, handle.task_id)
        else:
            output.info(f"task {handle.task_id} created ({plan.resolved.spec.name})")
        if no_wait:
            if output.json_mode:
                output.result_json(handle.model_dump(mode="json"))
            else:
                output.result_line(handle.task_id)
            return
        with TaskDisplay(output) as display:
            display.add("task", f"{handle.model} {handle.task_id}", "created")
            status = wait_for(output, client, handle, display, timeout=timeout)
            if status.credits is None and balance is not None and handle.created_at >= started:
                record_balance_charge(state, client, handle.task_id, balance, started)
            path = client.download(status, output_dir, on_progress=display.downloader("task"))
            display.finish("task", "downloaded")
        report_result(output, handle, status, path)


def report_followed(output: Output, state: CliState, task_id: str) -> None:
    """Say that an identical request was followed instead of paid for again."""
    from kie_core.journal import JournalState

    entry = state.journal().get(task_id)
    if entry is not None and entry.state is JournalState.DOWNLOADED:
        output.info(
            f"already downloaded: an identical request made task {task_id} "
            f"({entry.output_path}); nothing was sent (--again creates a new one)"
        )
        return
    what = "finished" if entry is not None and entry.state is JournalState.SUCCEEDED else "running"
    output.info(
        f"an identical request is already {what}: following task {task_id}; nothing was sent "
        "(--again creates a new one)"
    )


def wait_for(
    output: Output,
    client: Client,
    handle: TaskHandle | str,
    display: TaskDisplay,
    *,
    timeout: float | None,
    family: str | None = None,
    key: str = "task",
) -> TaskStatus:
    """Wait for a task with live progress; a failure is reported (as JSON with ``--json``)."""
    from kie_core.errors import TaskFailedError

    task_id = handle if isinstance(handle, str) else handle.task_id
    try:
        return client.wait(
            handle,
            timeout=timeout,
            on_update=display.updater(key),
            family=family,
            on_error=display.failing(key),
        )
    except TaskFailedError as exc:
        display.finish(key, "failed", exc.fail_code or "")
        if output.json_mode:
            output.result_json(
                {
                    "task_id": task_id,
                    "state": "failed",
                    "fail_code": exc.fail_code,
                    "fail_message": exc.message,
                }
            )
        raise
    except KeyboardInterrupt:
        output.error(
            f"interrupted; task {task_id} keeps running on KIE. `kie resume` (or "
            f"`kie download {task_id}`) fetches the result later"
        )
        raise typer.Exit(130) from None


def report_result(output: Output, handle: TaskHandle, status: TaskStatus, path: Path) -> None:
    """Print where the video landed (the path, or JSON with ``--json``)."""
    if output.json_mode:
        output.result_json(
            {
                "task_id": handle.task_id,
                "model": handle.model,
                "state": status.state.value,
                "estimated_credits": handle.estimated_credits,
                "credits": status.credits,
                "path": str(path),
                "urls": list(status.result_urls),
            }
        )
        return
    output.success(f"saved {path}")
    output.result_line(str(path))
