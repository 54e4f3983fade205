"""Distributions that add ``kie`` subcommands through the ``kie.commands`` entry point group.

Each entry point names a module (or object) implementing
:meth:`~kie_core.hookspecs.CommandProvider.kie_register_commands`. They load when the ``kie``
command starts, each inside its own guard: one that fails to import or whose hook raises is
recorded with its error and the others keep working. ``KIE_DISABLE_PLUGINS`` skips them by name
as it skips provider plugins.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import typer

#: The entry point group of distributions that add ``kie`` subcommands.
COMMANDS_GROUP = "kie.commands"


@dataclass
class CommandPluginInfo:
    """One command plugin: where it came from, the commands it added, and any error."""

    name: str
    distribution: str | None = None
    version: str | None = None
    value: str | None = None
    commands: tuple[str, ...] = ()
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the plugin loaded and registered its commands without error."""
        return self.error is None


#: What :func:`register_command_plugins` saw, by the id of the application it extended.
_seen: dict[int, list[CommandPluginInfo]] = {}


def command_plugins(cli: typer.Typer) -> list[CommandPluginInfo]:
    """Return the command plugins :func:`register_command_plugins` saw for ``cli``, by name."""
    return sorted(_seen.get(id(cli), []), key=lambda info: info.name)


def _disabled() -> set[str]:
    raw = os.environ.get("KIE_DISABLE_PLUGINS") or ""
    return {part.strip() for part in raw.split(",") if part.strip()}


def register_command_plugins(cli: typer.Typer) -> list[CommandPluginInfo]:
    """Load every ``kie.commands`` entry point and let it add its commands to ``cli``.

    Runs once per application object; later calls return what the first one saw. Returns
    what was seen, loaded or failed (also kept for :func:`command_plugins`).
    """
    from importlib.metadata import entry_points

    import pluggy

    from kie_core.hookspecs import PROJECT_NAME, CommandProvider

    if id(cli) in _seen:
        return command_plugins(cli)
    loaded = _seen[id(cli)] = []
    skip = _disabled()
    for entry in entry_points(group=COMMANDS_GROUP):
        if entry.name in skip:
            continue
        dist = getattr(entry, "dist", None)
        info = CommandPluginInfo(
            name=entry.name,
            distribution=dist.name if dist is not None else None,
            version=dist.version if dist is not None else None,
            value=entry.value,
        )
        loaded.append(info)
        before = (len(cli.registered_commands), len(cli.registered_groups))
        try:
            plugin = entry.load()
            manager = pluggy.PluginManager(PROJECT_NAME)
            manager.add_hookspecs(CommandProvider)
            manager.register(plugin, name=entry.name)
            manager.check_pending()
            manager.hook.kie_register_commands(cli=cli)
        except Exception as exc:  # a broken extension must never break the command line
            info.error = f"{type(exc).__name__}: {exc}"
            continue
        added = [c.name for c in cli.registered_commands[before[0] :]]
        added += [g.name for g in cli.registered_groups[before[1] :]]
        info.commands = tuple(sorted(name for name in added if name))
    return command_plugins(cli)
