"""``kie tasks`` and ``kie resume``: the local journal of every create request, and finishing it.

The journal row of a request is written before the request is sent and updated at every step,
so after a crash ``kie resume`` waits for every task still running, downloads every result not
downloaded yet, and lists the requests whose answer was lost (ambiguous): those are re-sent
only with ``--resend-ambiguous``, because KIE has no idempotency key and a re-send may pay twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kie_core.cli.context import CliState, command_output, get_state
from kie_core.cli.exitcodes import ExitCode, exit_code_for
from kie_core.cli.options import JsonOption, QuietOption, TimeoutOption
from kie_core.cli.output import error_text

if TYPE_CHECKING:
    from kie_core.cli.output import Output
    from kie_core.cli.progress import TaskDisplay
    from kie_core.client import Client
    from kie_core.journal import JournalEntry


#: Table columns that must stay whole (ids are copied from them).
_NO_WRAP = frozenset({"#", "line", "task id"})


def tasks(
    ctx: typer.Context,
    *,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Show at most N tasks.")] = 20,
    state_filter: Annotated[
        list[str] | None,
        typer.Option(
            "--state",
            "-s",
            help="Only tasks in this state (repeatable): submitting, created, running, "
            "succeeded, downloaded, failed, ambiguous, rejected.",
        ),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """List recent tasks from the local journal: state, model, cost, output file."""
    output = command_output(ctx, json_mode=json_output)
    states = parse_states(state_filter or [])
    entries = get_state(ctx).journal().entries(limit=limit, states=states)
    if output.json_mode:
        output.result_json([entry.model_dump(mode="json") for entry in entries])
        return
    if not entries:
        output.info("no tasks in the journal" + (" in that state" if states else ""))
        return
    if output.stdout.width < WIDE_TABLE:
        _task_blocks(output, entries)
        return
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Tasks (newest first)", box=box.SIMPLE_HEAD)
    for column in ("#", "created", "task id", "model", "state", "credits", "output / error"):
        table.add_column(column, overflow="fold", no_wrap=column in _NO_WRAP)
    for entry in entries:
        table.add_row(
            str(entry.id),
            entry.created_at.astimezone().strftime("%m-%d %H:%M"),
            Text(entry.task_id or "-"),
            Text(entry.model),
            Text(entry.state.value, style=_STATE_STYLES.get(entry.state.value, "")),
            _credits(entry),
            Text(entry.output_path or entry.error or "-"),
        )
    output.render(table)


#: Narrower terminals get ``kie tasks`` as blocks: the table needs this many columns.
WIDE_TABLE = 120


def _credits(entry: JournalEntry) -> str:
    estimate = f"{entry.estimated_credits:g}" if entry.estimated_credits is not None else "-"
    if entry.actual_credits is not None and entry.actual_credits != entry.estimated_credits:
        return f"{estimate} (charged {entry.actual_credits:g})"
    return estimate


def _task_blocks(output: Output, entries: list[JournalEntry]) -> None:
    """Two or three short lines per task, so names and ids stay whole at 80 columns."""
    from rich.console import Group
    from rich.text import Text

    lines: list[Text] = [Text("Tasks (newest first)", style="bold underline")]
    for entry in entries:
        head = Text(f"#{entry.id}  ", style="bold")
        head.append(entry.model)
        head.append("  ")
        head.append(entry.state.value, style=_STATE_STYLES.get(entry.state.value, ""))
        head.append(f"  {_credits(entry)} credits  ")
        head.append(entry.created_at.astimezone().strftime("%m-%d %H:%M"), style="dim")
        lines.append(head)
        lines.append(Text(f"    task {entry.task_id or '-'}"))
        detail = entry.output_path or entry.error
        if detail:
            lines.append(Text(f"    {detail}", overflow="fold"))
    output.render(Group(*lines))


_STATE_STYLES = {
    "downloaded": "green",
    "succeeded": "green",
    "failed": "red",
    "rejected": "red",
    "ambiguous": "yellow",
}


def parse_states(values: list[str]) -> list[Any] | None:
    """Read ``--state`` values into journal states (exit 2 naming the accepted ones)."""
    if not values:
        return None
    from kie_core.errors import InvalidRequestError
    from kie_core.journal import JournalState

    accepted = [state.value for state in JournalState]
    states = []
    for value in values:
        if value.lower() not in accepted:
            raise InvalidRequestError(
                f"--state {value!r} is not a journal state; accepted: {', '.join(accepted)}",
                field="state",
                value=value,
                accepted=accepted,
            )
        states.append(JournalState(value.lower()))
    return states


@dataclass
class ResumeOutcome:
    """What ``kie resume`` did with one journal entry."""

    entry_id: int
    model: str
    task_id: str | None
    outcome: str
    path: str | None = None
    error: str | None = None
    exit_code: ExitCode = ExitCode.OK

    def to_json(self) -> dict[str, Any]:
        """Return the outcome as JSON-ready data."""
        return {
            "entry_id": self.entry_id,
            "model": self.model,
            "task_id": self.task_id,
            "outcome": self.outcome,
            "path": self.path,
            "error": self.error,
        }


def resume(
    ctx: typer.Context,
    *,
    resend_ambiguous: Annotated[
        bool,
        typer.Option(
            "--resend-ambiguous",
            help="Send again the requests whose answer was lost (they may have been created "
            "and charged already: this may pay twice).",
        ),
    ] = False,
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="DIR",
            help="Download every result here instead of the folder each task's command named "
            "(as journaled; the current folder when none was).",
            file_okay=False,
            show_default=False,
        ),
    ] = None,
    timeout: TimeoutOption = None,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Finish every unfinished task in the journal: wait, download; list ambiguous requests.

    Each result goes to the folder its command named (kept in the journal) unless -o is given;
    a partial download left there is finished (or removed once the result is saved elsewhere).
    Exits 4 while ambiguous requests remain, until they are re-sent or checked.
    """
    from kie_core.cli.progress import TaskDisplay
    from kie_core.cli.task_cmd import ensure_folder
    from kie_core.journal import JournalState

    state = get_state(ctx)
    output = command_output(ctx, json_mode=json_output, quiet=quiet)
    pending = state.journal().unfinished()
    if not pending:
        output.info("nothing to resume: every journaled task is finished")
        if output.json_mode:
            output.result_json([])
        return
    if output_dir is not None:
        ensure_folder(output_dir)
    outcomes: list[ResumeOutcome] = []
    with state.client() as client, TaskDisplay(output) as display:
        here = client.base_url.rstrip("/")
        outcomes.extend(
            ResumeOutcome(
                entry.id,
                entry.model,
                entry.task_id,
                "skipped",
                error=f"sent to {entry.base_url}: run `kie --base-url {entry.base_url} resume`",
            )
            for entry in pending
            if entry.base_url.rstrip("/") != here
        )
        pending = [entry for entry in pending if entry.base_url.rstrip("/") == here]
        unsure = (JournalState.AMBIGUOUS, JournalState.SUBMITTING)
        lost = [entry for entry in pending if entry.state in unsure]
        followable = [e for e in pending if e.state not in unsure and e.task_id is not None]
        if resend_ambiguous:
            for entry in lost:
                outcome = _resend(state, output, client, entry)
                new_entry = _entry_for(state, outcome.task_id) if outcome.task_id else None
                if new_entry is not None:
                    followable.append(new_entry)
                else:
                    outcomes.append(outcome)
        for entry in followable:
            outcomes.append(
                _finish(output, client, display, entry, output_dir=output_dir, timeout=timeout)
            )
    if not resend_ambiguous:
        outcomes.extend(
            ResumeOutcome(
                entry.id,
                entry.model,
                entry.task_id,
                "ambiguous",
                error=entry.error,
                exit_code=ExitCode.SERVICE,
            )
            for entry in lost
        )
    _report(output, outcomes, lost if not resend_ambiguous else [])
    worst = _worst(outcomes)
    if worst is not ExitCode.OK:
        raise typer.Exit(worst)


def _entry_for(state: CliState, task_id: str) -> JournalEntry | None:
    return state.journal().get(task_id)


def _finish(
    output: Output,
    client: Client,
    display: TaskDisplay,
    entry: JournalEntry,
    *,
    output_dir: Path | None,
    timeout: float | None,
) -> ResumeOutcome:
    from kie_core.cli.task_cmd import ensure_folder
    from kie_core.errors import KieError, TaskFailedError

    handle = entry.handle()
    assert handle is not None  # followable entries have a task id
    key = handle.task_id
    journaled = Path(entry.output_dir) if entry.output_dir else None
    folder = output_dir if output_dir is not None else (journaled or Path())
    display.add(key, f"{entry.model} {key}", entry.state.value)
    try:
        if output_dir is None:
            ensure_folder(folder)
        reading = client.wait(
            handle,
            timeout=timeout,
            on_update=display.updater(key),
            on_error=display.failing(key),
        )
        path = client.download(reading, folder, on_progress=display.downloader(key))
    except TaskFailedError as exc:
        display.finish(key, "failed", exc.fail_code or "")
        return ResumeOutcome(
            entry.id, entry.model, key, "failed", error=exc.message, exit_code=ExitCode.TASK_FAILED
        )
    except KieError as exc:
        display.finish(key, "error")
        output.error(f"task {key}: {error_text(exc)}")
        return ResumeOutcome(
            entry.id, entry.model, key, "error", error=error_text(exc), exit_code=exit_code_for(exc)
        )
    display.finish(key, "downloaded")
    if journaled is not None:
        _remove_stale_parts(output, journaled, path)
    return ResumeOutcome(entry.id, entry.model, key, "downloaded", path=str(path))


def _remove_stale_parts(output: Output, journaled: Path, saved: Path) -> None:
    """Remove the partial download an interrupted command left in its folder.

    The result was saved as ``saved``; a part file of the same name in the folder the command
    named is a leftover once the result landed somewhere else.
    """
    import contextlib

    part = journaled / f".{saved.name}.part"
    with contextlib.suppress(OSError):
        if part.is_file() and part.resolve() != saved.resolve():
            part.unlink()
            output.info(f"removed the stale partial download {part}")


def _resend(state: CliState, output: Output, client: Client, entry: JournalEntry) -> ResumeOutcome:
    """Send an ambiguous entry's create call again with :meth:`Client.resend`.

    The client closes the old entry with a note (it may have been paid) and journals the new
    send before it goes out, like any create, so a crash now is as safe as during
    ``kie generate``.
    """
    from kie_core.errors import AmbiguousCreateError, KieError
    from kie_core.journal import JournalState

    output.warn(
        f"re-sending journal entry {entry.id} ({entry.model}); if the first send was taken, "
        "this pays twice"
    )
    if entry.state is JournalState.SUBMITTING:
        # Listed by `kie resume` because it is stale: its process stopped while sending.
        state.journal().ambiguous(entry.id, "the process sending it stopped before the answer")
    try:
        handle = client.resend(entry.id)
    except AmbiguousCreateError as exc:
        output.error(f"entry {entry.id}: the answer was lost again: {error_text(exc)}")
        return ResumeOutcome(
            entry.id,
            entry.model,
            None,
            "ambiguous",
            error=error_text(exc),
            exit_code=ExitCode.SERVICE,
        )
    except KieError as exc:
        output.error(f"entry {entry.id}: {error_text(exc)}")
        return ResumeOutcome(
            entry.id,
            entry.model,
            None,
            "error",
            error=error_text(exc),
            exit_code=exit_code_for(exc),
        )
    new_entry = _entry_for(state, handle.task_id)
    new_id = new_entry.id if new_entry is not None else entry.id
    output.info(f"entry {entry.id} re-sent as task {handle.task_id} (journal entry {new_id})")
    return ResumeOutcome(new_id, entry.model, handle.task_id, "resent")


def _report(output: Output, outcomes: list[ResumeOutcome], lost: list[JournalEntry]) -> None:
    if output.json_mode:
        output.result_json([outcome.to_json() for outcome in outcomes])
    else:
        from rich import box
        from rich.table import Table
        from rich.text import Text

        table = Table(title="Resumed", box=box.SIMPLE_HEAD)
        for column in ("#", "model", "task id", "outcome", "file / error"):
            table.add_column(column, overflow="fold", no_wrap=column in _NO_WRAP)
        for outcome in outcomes:
            table.add_row(
                str(outcome.entry_id),
                Text(outcome.model),
                Text(outcome.task_id or "-"),
                Text(outcome.outcome, style=_STATE_STYLES.get(outcome.outcome, "")),
                Text(outcome.path or outcome.error or "-"),
            )
        output.render(table)
    if lost:
        output.warn(
            f"{len(lost)} request(s) were sent but their answer was lost: they may have been "
            "created and charged. Check the KIE console; `kie resume --resend-ambiguous` sends "
            "them again (and may pay twice)."
        )


def _worst(outcomes: list[ResumeOutcome]) -> ExitCode:
    codes = {outcome.exit_code for outcome in outcomes}
    for code in (
        ExitCode.AUTH_OR_CREDITS,
        ExitCode.SERVICE,
        ExitCode.TASK_FAILED,
        ExitCode.BAD_INPUT,
    ):
        if code in codes:
            return code
    return ExitCode.OK
