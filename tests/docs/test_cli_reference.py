"""Every command of the `kie` app, with each option and argument, is in the CLI reference."""

from __future__ import annotations

from typing import Any

import pytest
import typer.main

from kie_core.cli.app import app
from tests.docs.markdown import DOCS, section_named, sections

PAGE = DOCS / "cli.md"
GLOBAL_SECTION = "Configuration and global options"


# typer builds click commands (its own vendored click in recent versions), read here by their
# documented attributes: a group has `commands`, a parameter has `param_type_name` and `opts`.


def root() -> Any:
    command = typer.main.get_command(app)
    assert hasattr(command, "commands"), "the kie app is not a command group"
    return command


def leaf_commands(group: Any, prefix: str = "kie") -> dict[str, Any]:
    """Every runnable command by its full invocation (`kie callbacks serve`)."""
    found: dict[str, Any] = {}
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if hasattr(command, "commands"):
            found.update(leaf_commands(command, path))
        else:
            found[path] = command
    return found


def documented_names(param: Any) -> list[str]:
    """The spellings a section must show: the long flag (or the only flag), or the argument."""
    if param.param_type_name == "argument":
        return [(param.metavar or param.name or "").upper()]
    flags = [opt for opt in param.opts if opt.startswith("--")] or list(param.opts)
    return flags[:1]


def params(command: Any) -> list[Any]:
    return [p for p in command.params if "--help" not in p.opts]


COMMANDS = leaf_commands(root())


def test_the_app_has_its_commands() -> None:
    assert {"kie models", "kie generate", "kie resume"} <= set(COMMANDS)


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_each_command_has_an_entry_listing_every_option(path: str) -> None:
    section = section_named(PAGE, path)
    assert section is not None, f"docs/cli.md has no heading for `{path}`"
    assert f"```text\n{path}" in section.body, f"the `{path}` entry shows no synopsis"
    for param in params(COMMANDS[path]):
        for name in documented_names(param):
            assert f"`{name}" in section.body, f"`{path}` entry does not document {name}"


def test_every_global_option_is_documented() -> None:
    section = section_named(PAGE, GLOBAL_SECTION)
    assert section is not None
    for param in params(root()):
        for name in documented_names(param):
            assert f"`{name}" in section.body, f"global option {name} is not documented"


def test_the_page_documents_no_command_that_does_not_exist() -> None:
    documented = {s.name for s in sections(PAGE) if s.name.startswith("kie ")}
    assert documented <= set(COMMANDS), (
        f"entries for unknown commands: {documented - set(COMMANDS)}"
    )
