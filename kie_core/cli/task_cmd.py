"""``kie status``, ``kie wait``, ``kie download`` and ``kie credits``: one task, one account."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kie_core.cli.context import CliState, command_output, get_state
from kie_core.cli.options import (
    FamilyOption,
    JsonOption,
    OutputDirOption,
    QuietOption,
    TimeoutOption,
)

if TYPE_CHECKING:
    from kie_core.cli.output import Output
    from kie_core.status import TaskHandle, TaskStatus

TaskIdArgument = Annotated[str, typer.Argument(help="The KIE task id.")]


def status(
    ctx: typer.Context,
    *,
    task_id: TaskIdArgument,
    family: FamilyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Show a task's current state, result links and failure reason (one status query)."""
    state = get_state(ctx)
    output = command_output(ctx, json_mode=json_output)
    target = task_target(state, task_id, family)
    with state.client() as client:
        reading = client.status(target, family=family)
    show_status(output, reading)


def wait(
    ctx: typer.Context,
    *,
    task_id: TaskIdArgument,
    family: FamilyOption = None,
    timeout: TimeoutOption = None,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Wait until a task finishes, with live progress; exit 1 if it failed."""
    from kie_core.cli.generate_cmd import wait_for
    from kie_core.cli.progress import TaskDisplay

    state = get_state(ctx)
    output = command_output(ctx, json_mode=json_output, quiet=quiet)
    target = task_target(state, task_id, family)
    with state.client() as client, TaskDisplay(output) as display:
        display.add("task", task_id, "waiting")
        reading = wait_for(output, client, target, display, timeout=timeout, family=family)
        display.finish("task", reading.state.value)
    show_status(output, reading)


def download(
    ctx: typer.Context,
    *,
    task_id: TaskIdArgument,
    output_dir: OutputDirOption = Path(),
    family: FamilyOption = None,
    timeout: TimeoutOption = None,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Download a task's video, waiting first if it is still running.

    An expired result link is refreshed through download-url; a download cut short resumes.
    """
    from kie_core.cli.generate_cmd import wait_for
    from kie_core.cli.progress import TaskDisplay

    state = get_state(ctx)
    output = command_output(ctx, json_mode=json_output, quiet=quiet)
    target = task_target(state, task_id, family)
    ensure_folder(output_dir)
    with state.client() as client, TaskDisplay(output) as display:
        display.add("task", task_id, "checking")
        reading = client.status(target, family=family)
        if not reading.done:
            reading = wait_for(output, client, target, display, timeout=timeout, family=family)
        path = client.download(reading, output_dir, on_progress=display.downloader("task"))
        display.finish("task", "downloaded")
    if output.json_mode:
        output.result_json({"task_id": task_id, "path": str(path)})
    else:
        output.success(f"saved {path}")
        output.result_line(str(path))


def credits(ctx: typer.Context, *, json_output: JsonOption = False) -> None:
    """Show the account's remaining credits."""
    state = get_state(ctx)
    output = command_output(ctx, json_mode=json_output)
    with state.client() as client:
        balance = client.credits()
    if output.json_mode:
        output.result_json({"credits": balance})
    else:
        output.result_line(f"{balance:g}")


def task_target(state: CliState, task_id: str, family: str | None) -> TaskHandle | str:
    """Return the journaled handle of ``task_id`` (model, family), or the bare id.

    An unknown ``--family`` is refused here, before any request.
    """
    from kie_core.errors import InvalidRequestError

    if family is not None:
        known = sorted(state.registry().families())
        if family not in known:
            raise InvalidRequestError(
                f"--family {family!r} is not a known task family; accepted: {', '.join(known)}",
                field="family",
                value=family,
                accepted=known,
            )
    entry = state.journal().get(task_id)
    handle = entry.handle() if entry is not None else None
    if handle is not None and (family is None or handle.family == family):
        return handle
    return task_id


def ensure_folder(folder: Path) -> None:
    """Create the output folder, refusing (exit 2) when it cannot be made or written into."""
    import tempfile

    from kie_core.errors import InvalidRequestError

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidRequestError(
            f"--output: cannot create folder {str(folder)!r}: {exc.strerror}; nothing was sent",
            field="output",
            value=str(folder),
        ) from None
    try:
        # A real write: permission bits, read-only mounts and ACLs all show up here.
        with tempfile.TemporaryFile(dir=folder, prefix=".kie-write-check-"):
            pass
    except OSError as exc:
        raise InvalidRequestError(
            f"--output: cannot write into folder {str(folder)!r}: {exc.strerror}; nothing was sent",
            field="output",
            value=str(folder),
        ) from None


def show_status(output: Output, reading: TaskStatus) -> None:
    """Print a status reading: a small table, or JSON with ``--json``."""
    if output.json_mode:
        output.result_json(reading.model_dump(mode="json", exclude={"raw"}))
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    rows: list[tuple[str, str | None]] = [
        ("task", reading.task_id),
        ("state", reading.state.value + (f" ({reading.raw_state})" if reading.raw_state else "")),
        ("progress", f"{reading.progress}%" if reading.progress is not None else None),
        ("credits", f"{reading.credits:g}" if reading.credits is not None else None),
        ("created", reading.created_at.isoformat() if reading.created_at else None),
        ("completed", reading.completed_at.isoformat() if reading.completed_at else None),
        ("fail code", reading.fail_code),
        ("fail reason", reading.fail_message),
        ("expired", "yes" if reading.expired else None),
    ]
    rows.extend(("result", url) for url in reading.result_urls)
    for name, value in rows:
        if value is not None:
            table.add_row(name, Text(value))
    output.render(table)
