"""The ``kie`` typer application: global options, error reporting and the command table.

Command modules import only typer and the standard library at load time; the registry, the
client, the journal and the servers are imported inside the commands that use them, so
``kie --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from kie_core.cli import (
    batch_cmd,
    callbacks_cmd,
    generate_cmd,
    journal_cmd,
    missing_cmd,
    models_cmd,
    spend_cmd,
    task_cmd,
)
from kie_core.cli.context import CliState
from kie_core.cli.exitcodes import ExitCode, exit_code_for
from kie_core.cli.output import Output


class KieGroup(TyperGroup):
    """The root command group: turns kie's errors into one clear line and an exit code."""

    def invoke(self, ctx: Any) -> Any:
        """Run the command; report a :class:`~kie_core.errors.KieError` and exit with its code."""
        from kie_core.cli.settings import SettingsError

        try:
            return super().invoke(ctx)
        except SettingsError as exc:
            _output_of(ctx).error(str(exc))
            raise typer.Exit(ExitCode.BAD_INPUT) from None
        except Exception as exc:
            if not _is_kie_error(exc):
                raise
            _output_of(ctx).error(describe_error(exc))
            raise typer.Exit(exit_code_for(exc)) from None


def _is_kie_error(exc: BaseException) -> bool:
    import sys

    # kie_core.errors is loaded by whatever raised a KieError; if it is not loaded, this
    # exception cannot be one, and importing it just to check would slow every failure.
    errors = sys.modules.get("kie_core.errors")
    return errors is not None and isinstance(exc, errors.KieError)


def _output_of(ctx: Any) -> Output:
    state = ctx.obj
    return state.output if isinstance(state, CliState) else Output()


def describe_error(exc: BaseException) -> str:
    """Return the one-line message for an error, with a hint on what to do about it."""
    from kie_core import errors
    from kie_core.cli.output import error_text

    text = error_text(exc)
    if isinstance(exc, errors.AmbiguousCreateError):
        return (
            f"{text}; the task may exist and may have been charged, so it is not sent again by "
            "itself: see `kie tasks --state ambiguous`; `kie resume --resend-ambiguous` (or "
            "`kie generate ... --again`) sends it anyway and may pay twice"
        )
    if isinstance(exc, errors.TaskTimeoutError):
        return f"{text}; the task keeps running on KIE: `kie resume` or `kie wait` finishes it"
    if isinstance(exc, errors.TaskFailedError):
        return text if text.startswith("task failed") else f"task failed: {text}"
    return text


app = typer.Typer(
    name="kie",
    cls=KieGroup,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from kie_core import __version__

        typer.echo(f"kie {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    *,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="KIE API base URL (env KIE_BASE_URL).", show_default=False),
    ] = None,
    upload_base_url: Annotated[
        str | None,
        typer.Option(
            "--upload-base-url",
            help="KIE upload host base URL (env KIE_UPLOAD_BASE_URL).",
            show_default=False,
        ),
    ] = None,
    api_key: Annotated[
        str | None,
        typer.Option(
            "--api-key", help="KIE API key (env KIE_API_KEY); never printed.", show_default=False
        ),
    ] = None,
    journal: Annotated[
        Path | None,
        typer.Option(
            "--journal",
            help="Task journal file (env KIE_JOURNAL; default in the platform data folder).",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress display, no informational messages.")
    ] = False,
    poll_interval: Annotated[
        float | None,
        typer.Option(
            "--poll-interval",
            envvar="KIE_POLL_INTERVAL",
            min=0.05,
            metavar="SECONDS",
            help="Poll task status at this fixed interval instead of KIE's recommended "
            "schedule (2-30 s); the rate limiter still applies.",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Generate videos with the models of KIE.ai: validate, estimate, create, wait, download.

    Configuration comes from flags, then KIE_API_KEY / KIE_BASE_URL / KIE_UPLOAD_BASE_URL /
    KIE_JOURNAL / KIE_DAILY_BUDGET, then config.toml in the platform config folder (KIE_CONFIG
    names another).
    Exit codes: 0 ok, 1 task failed, 2 bad input, 3 authentication or credits, 4 network or
    service error.
    """
    from kie_core.cli.settings import load_settings

    output = Output(quiet=quiet, secrets=[api_key] if api_key else [])
    settings = load_settings(
        api_key=api_key,
        base_url=base_url,
        upload_base_url=upload_base_url,
        journal=str(journal) if journal is not None else None,
    )
    output.add_secret(settings.api_key)
    state = CliState(settings=settings, output=output, poll_interval=poll_interval)
    ctx.obj = state
    ctx.call_on_close(state.close)


app.command("models")(models_cmd.models)
app.command("plugins")(models_cmd.plugins)
app.command("generate")(generate_cmd.generate)
app.command("status")(task_cmd.status)
app.command("wait")(task_cmd.wait)
app.command("download")(task_cmd.download)
app.command("credits")(task_cmd.credits)
app.command("tasks")(journal_cmd.tasks)
app.command("resume")(journal_cmd.resume)
app.command("spend")(spend_cmd.spend)
app.command("batch")(batch_cmd.batch)
app.command("emulator", context_settings=missing_cmd.PASS_THROUGH, add_help_option=False)(
    missing_cmd.emulator
)
app.add_typer(callbacks_cmd.app, name="callbacks")


def main() -> None:
    """Run the ``kie`` command (the console-script entry point) with every installed extension."""
    from kie_core.cli.extensions import register_command_plugins

    register_command_plugins(app)
    app(prog_name="kie")
