"""``kie mcp``: serve the kie tools to an agent over stdio, or streamable HTTP on loopback.

Registered through the ``kie.commands`` entry point; imports only typer and the standard
library at load time, so ``kie --help`` does not pay for the MCP SDK.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kie_core.hookspecs import hookimpl

#: The HTTP transport's default port.
DEFAULT_PORT = 8765


def mcp(
    ctx: typer.Context,
    *,
    http: Annotated[
        bool,
        typer.Option("--http", help="Serve streamable HTTP on a loopback address, not stdio."),
    ] = False,
    host: Annotated[
        str, typer.Option("--host", help="Loopback address for --http (127.0.0.1, ::1).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port for --http.")] = (
        DEFAULT_PORT
    ),
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir",
            envvar="KIE_MCP_OUTPUT_DIR",
            file_okay=False,
            help="The one folder collect downloads into (default: <Videos>/kie).",
            show_default=False,
        ),
    ] = None,
    input_dirs: Annotated[
        list[Path] | None,
        typer.Option(
            "--input-dir",
            file_okay=False,
            help="A folder local input files may come from (repeatable; env KIE_MCP_INPUT_DIRS; "
            "the output folder always may).",
            show_default=False,
        ),
    ] = None,
    max_call_credits: Annotated[
        str | None,
        typer.Option(
            "--max-call-credits",
            metavar="CREDITS",
            help="Credits one generate call may commit, or 'none' (env KIE_MCP_MAX_CALL_CREDITS; "
            "default 500).",
            show_default=False,
        ),
    ] = None,
    daily_credits: Annotated[
        str | None,
        typer.Option(
            "--daily-credits",
            metavar="CREDITS",
            help="Credits a UTC day may commit, per the journal, or 'none' (env "
            "KIE_MCP_DAILY_CREDITS, else KIE_DAILY_BUDGET; default 2000).",
            show_default=False,
        ),
    ] = None,
    allow_models: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-model",
            help="A model the agent may use (repeatable; env KIE_MCP_MODELS, comma separated; "
            "default: every installed model).",
            show_default=False,
        ),
    ] = None,
    max_wait: Annotated[
        float,
        typer.Option(
            "--max-wait", min=1, max=45, help="Longest wait of one tasks call, in seconds."
        ),
    ] = 45.0,
) -> None:
    """Serve kie's tools to an AI agent over MCP (stdio by default).

    The agent can list models, estimate, generate (1-16 requests, under the credit caps),
    follow tasks (bounded waits with progress notifications), collect results into the
    output folder, and read credits and spend. It cannot change the caps, the folders, the
    allowed models or the API key, and never sees the key.
    """
    import os

    from kie_core.cli.context import get_state
    from kie_mcp import config as cfg

    state = get_state(ctx)
    env = os.environ
    try:
        if http:
            host = cfg.check_loopback(host)
        config = cfg.McpConfig(
            output_dir=(output_dir or _default_output_dir()).expanduser(),
            input_dirs=tuple(p.expanduser() for p in input_dirs or ()) or cfg.env_paths(env),
            max_call_credits=cfg.cap_setting(
                max_call_credits,
                "--max-call-credits",
                (cfg.CALL_CAP_ENV,),
                cfg.DEFAULT_CALL_CAP,
                env,
            ),
            daily_credits=cfg.cap_setting(
                daily_credits,
                "--daily-credits",
                (cfg.DAILY_CAP_ENV, cfg.DAILY_BUDGET_ENV),
                cfg.DEFAULT_DAILY_CAP,
                env,
            ),
            allowed_models=tuple(allow_models or ()) or cfg.split_list(env.get(cfg.MODELS_ENV)),
            poll_seconds=min(state.poll_interval or 3.0, max_wait),
            max_wait_seconds=max_wait,
            api_key=state.settings.api_key,
            base_url=state.settings.base_url,
            upload_base_url=state.settings.upload_base_url,
            journal=state.settings.journal,
        )
    except cfg.ConfigError as exc:
        state.output.error(str(exc))
        raise typer.Exit(2) from None
    state.require_key()
    registry = state.registry()
    for name in config.allowed_models:
        registry.get(name)  # an unknown model stops here, naming the installed ones

    from kie_mcp.run import serve_http, serve_stdio

    if http:
        serve_http(config, host=host, port=port)
    else:
        serve_stdio(config)


def _default_output_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_videos_dir()) / "kie"


@hookimpl
def kie_register_commands(cli: typer.Typer) -> None:
    """Add ``kie mcp`` to the ``kie`` command line."""
    cli.command("mcp")(mcp)
