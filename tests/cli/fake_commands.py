"""A small command plugin for the CLI tests: adds ``kie hello`` through the command hook."""

from __future__ import annotations

import typer

from kie_core.hookspecs import hookimpl


def hello(name: str = typer.Argument("world", help="Whom to greet.")) -> None:
    """Say hello (added by a command plugin)."""
    typer.echo(f"hello, {name}")


@hookimpl
def kie_register_commands(cli: typer.Typer) -> None:
    cli.command("hello")(hello)
