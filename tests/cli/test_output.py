"""Output streams, secret masking and the progress display (live and plain)."""

from __future__ import annotations

import io
import json

from rich.console import Console
from rich.table import Table

from kie_core.cli.exitcodes import ExitCode, exit_code_for
from kie_core.cli.output import Output
from kie_core.cli.progress import TaskDisplay
from kie_core.errors import (
    AmbiguousCreateError,
    AuthenticationError,
    ConfigurationError,
    GenerationFailedError,
    InsufficientCreditsError,
    InvalidRequestError,
    MaintenanceError,
    MalformedResponseError,
    RateLimitError,
    ServerError,
    TaskFailedError,
    TaskTimeoutError,
    TransportError,
    UnknownModelError,
)
from kie_core.status import TaskState, TaskStatus

SECRET = "sk-output-SECRET-9a8b"


def captured_output(*, terminal: bool, quiet: bool = False, json_mode: bool = False):
    output = Output(quiet=quiet, json_mode=json_mode, secrets=[SECRET])
    err = io.StringIO()
    out = io.StringIO()
    output._stderr = Console(file=err, force_terminal=terminal, width=120, highlight=False)
    output._stdout = Console(file=out, force_terminal=False, width=120)
    return output, err, out


def test_every_writer_masks_secrets(capsys):
    output, err, out = captured_output(terminal=False)
    output.info(f"key {SECRET} in a message")
    output.warn(f"key {SECRET}")
    output.error(f"key {SECRET} [task x]")
    output.result_line(f"line {SECRET}")
    output.result_json({"value": SECRET})
    table = Table()
    table.add_column("c")
    table.add_row(SECRET)
    output.render(table)
    output.render_err(table)
    stdout = capsys.readouterr().out
    everything = err.getvalue() + out.getvalue() + stdout
    assert SECRET not in everything
    assert everything.count("***") == 7
    assert "error: key *** [task x]" in err.getvalue()  # brackets are not read as markup
    assert json.loads(stdout.split("\n", 1)[1]) == {"value": "***"}


def test_quiet_silences_info_but_not_warnings_or_errors():
    output, err, _ = captured_output(terminal=False, quiet=True)
    output.info("progress")
    output.success("done")
    output.warn("careful")
    output.error("broken")
    assert err.getvalue() == "warning: careful\nerror: broken\n"


def test_with_mode_keeps_secrets_and_adds_flags():
    output = Output(secrets=[SECRET])
    command = output.with_mode(json_mode=True, quiet=True)
    assert command.json_mode and command.quiet
    assert command.scrub(SECRET) == "***"
    output.add_secret("another-secret")
    assert output.scrub("another-secret and " + SECRET) == "*** and ***"


def status(state: TaskState, raw: str, progress: int | None = None) -> TaskStatus:
    return TaskStatus(task_id="t1", state=state, raw_state=raw, progress=progress)


def test_plain_progress_prints_each_state_change_once():
    output, err, _ = captured_output(terminal=False)
    with TaskDisplay(output) as display:
        display.add("task", "cli-turbo t1", "created")
        update = display.updater("task")
        update(status(TaskState.PENDING, "waiting"))
        update(status(TaskState.RUNNING, "generating", 10))
        update(status(TaskState.RUNNING, "generating", 50))
        update(status(TaskState.SUCCEEDED, "success"))
        download = display.downloader("task")
        download(10, 100)
        download(100, 100)
        display.finish("task", "downloaded")
    lines = err.getvalue().splitlines()
    assert lines[0] == "cli-turbo t1: created"
    assert all(line.startswith("cli-turbo t1: ") for line in lines)
    assert [line.split(": ")[1].split()[0] for line in lines[1:]] == [
        "waiting",
        "generating",
        "success",
        "downloading",
        "downloaded",
    ]
    assert display.polls("task") == 4


def test_live_progress_shows_state_polls_and_download_on_a_terminal():
    output, err, _ = captured_output(terminal=True)
    assert output.show_progress
    with TaskDisplay(output) as display:
        display.add("task", "cli-turbo t1", "created")
        update = display.updater("task")
        update(status(TaskState.RUNNING, "generating", 40))
        update(status(TaskState.SUCCEEDED, "success"))
        display.downloader("task")(2048, 4096)
        display.finish("task", "downloaded")
    screen = err.getvalue()
    assert "cli-turbo t1" in screen
    assert "2 polls" in screen
    assert "downloaded" in screen
    assert "2.0/4.1 kB" in screen


def test_quiet_progress_draws_nothing():
    output, err, _ = captured_output(terminal=True, quiet=True)
    with TaskDisplay(output) as display:
        display.add("task", "t1")
        display.updater("task")(status(TaskState.RUNNING, "generating"))
        display.finish("task", "downloaded")
    assert err.getvalue() == ""


def test_exit_code_mapping():
    cases = {
        TaskFailedError("x"): ExitCode.TASK_FAILED,
        GenerationFailedError("x"): ExitCode.TASK_FAILED,
        InvalidRequestError("x", field="f"): ExitCode.BAD_INPUT,
        UnknownModelError("x", field="model"): ExitCode.BAD_INPUT,
        AuthenticationError("x"): ExitCode.AUTH_OR_CREDITS,
        InsufficientCreditsError("x"): ExitCode.AUTH_OR_CREDITS,
        ConfigurationError("x"): ExitCode.AUTH_OR_CREDITS,
        TransportError("x"): ExitCode.SERVICE,
        AmbiguousCreateError("x"): ExitCode.SERVICE,
        ServerError("x"): ExitCode.SERVICE,
        MaintenanceError("x"): ExitCode.SERVICE,
        RateLimitError("x"): ExitCode.SERVICE,
        MalformedResponseError("x"): ExitCode.SERVICE,
        TaskTimeoutError("x"): ExitCode.SERVICE,
        RuntimeError("x"): ExitCode.SERVICE,
    }
    for error, code in cases.items():
        assert exit_code_for(error) is code, error
