"""A command plugin built for a plugin API this kie-core does not provide."""

from __future__ import annotations

import typer

from kie_core.hookspecs import hookimpl

KIE_PLUGIN_API = ">=2,<3"


def future() -> None:
    """Never registered: the plugin is refused first."""
    typer.echo("from the future")


@hookimpl
def kie_register_commands(cli: typer.Typer) -> None:
    cli.command("future")(future)
