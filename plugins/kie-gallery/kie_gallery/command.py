"""The ``kie gallery`` command, added to ``kie`` through the ``kie.commands`` entry point.

Only typer and the standard library are imported when the module loads: the web stack is
imported when the command runs, so ``kie --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kie_core.hookspecs import hookimpl


def gallery(
    ctx: typer.Context,
    *,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            metavar="ADDRESS",
            help="Interface to listen on. Anything but loopback needs --allow-remote.",
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", min=0, max=65535, help="TCP port.")] = 8765,
    allow_remote: Annotated[
        bool,
        typer.Option(
            "--allow-remote",
            help="Listen on a non-loopback interface; every request then needs the access "
            "token printed at start (or given with --token).",
        ),
    ] = False,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            metavar="TOKEN",
            envvar="KIE_GALLERY_TOKEN",
            help="Access token for --allow-remote (default: a random one).",
        ),
    ] = None,
    output_dir: Annotated[
        Path,
        typer.Option(
            "--output-dir",
            "-o",
            metavar="DIR",
            help="Where 'download again' and 'generate again' save videos when the task has "
            "no folder of its own.",
        ),
    ] = Path(),
    page_size: Annotated[
        int, typer.Option("--page-size", min=1, max=200, help="Tasks per page.")
    ] = 12,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the gallery in the default web browser.")
    ] = False,
) -> None:
    """Browse the journal in a web browser: every video with its prompt, model and cost.

    Serves on http://127.0.0.1:8765 by default (loopback only).
    """
    from kie_gallery.serve import serve

    serve(
        ctx,
        host=host,
        port=port,
        allow_remote=allow_remote,
        token=token,
        output_dir=output_dir,
        page_size=page_size,
        open_browser=open_browser,
    )


@hookimpl
def kie_register_commands(cli: typer.Typer) -> None:
    """Add ``kie gallery``."""
    cli.command("gallery")(gallery)
