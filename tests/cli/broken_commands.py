"""A command plugin whose hook raises: the command line must keep working without it."""

from __future__ import annotations

import typer

from kie_core.hookspecs import hookimpl


@hookimpl
def kie_register_commands(cli: typer.Typer) -> None:
    raise RuntimeError("this extension is broken")
