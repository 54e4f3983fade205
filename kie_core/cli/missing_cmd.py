"""Placeholders for commands that live in distributions kie-core does not install itself.

``kie emulator`` is brought by ``kie-emulator`` through the command hook; without it, the
placeholder below says so in one line with the install command, instead of "no such command".
"""

from __future__ import annotations

import typer

from kie_core.cli.exitcodes import ExitCode

#: The one-line install command of the emulator distribution.
EMULATOR_INSTALL = "pip install kie-emulator"

#: The one-line install command of the callback receiver's server stack.
SERVER_INSTALL = "pip install 'kie-core[server]'"


def missing(what: str, install: str) -> typer.Exit:
    """Print that ``what`` is not installed and how to install it; return the exit to raise."""
    typer.echo(f"error: {what} is not installed: {install}", err=True)
    return typer.Exit(ExitCode.BAD_INPUT)


def emulator(ctx: typer.Context) -> None:
    """Run an offline KIE.ai emulator (needs the kie-emulator distribution)."""
    raise missing("the KIE emulator (kie-emulator)", EMULATOR_INSTALL)


#: Lets the placeholder accept whatever options the real command takes, to answer them all alike.
PASS_THROUGH = {"allow_extra_args": True, "ignore_unknown_options": True}
