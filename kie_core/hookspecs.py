"""The hook specification every kie provider plugin implements.

A plugin is a module (or object) registered under the ``kie.providers`` entry point group that
implements some of the hooks below with :data:`hookimpl`::

    from kie_core.plugin import hookimpl

    @hookimpl
    def kie_register_models(register):
        register(MY_MODEL)

The hooks are registration-shaped: the core calls each once, when the registry loads the plugin,
and afterwards dispatches requests through the registry, not through the plugin manager.

A distribution that adds ``kie`` subcommands (the emulator, the MCP server, the gallery...)
registers a module implementing :meth:`CommandProvider.kie_register_commands` under the
``kie.commands`` entry point group.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import typer

    from kie_core.emulation import EndpointSchema
    from kie_core.families.base import TaskFamily
    from kie_core.models import VideoModel

#: The pluggy project name of kie's hooks.
PROJECT_NAME = "kie"

#: Marker for hook specifications (used by the core only).
hookspec = pluggy.HookspecMarker(PROJECT_NAME)

#: Marker for hook implementations; plugins decorate their hook functions with it.
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


class VideoProvider:
    """The hooks of a kie provider plugin."""

    @hookspec
    def kie_register_models(self, register: Callable[[VideoModel], None]) -> None:
        """Advertise the plugin's models.

        Called once, when the registry loads the plugin. Call ``register`` with each
        :class:`~kie_core.models.VideoModel` the plugin provides. A model carries its
        :class:`~kie_core.models.ModelSpec` (name, aliases, variants, durations, aspect ratios,
        resolutions, inputs, prompt limit, forbidden combinations, prices, deprecation), its task
        family, and ``build_call``, which maps a validated
        :class:`~kie_core.request.VideoRequest` to the endpoint call (method, path, JSON body).
        A model whose spec is malformed, or whose name is already taken, is refused and recorded
        as an error of this plugin; the plugin's other models still load.

        Returns nothing; registration happens through ``register``.
        """

    @hookspec
    def kie_register_families(self, register: Callable[[TaskFamily], None]) -> None:
        """Advertise task families that are not reachable through a registered model.

        Called once, when the registry loads the plugin. The family of every registered model
        is known already; use this hook only for a family whose status records or callbacks
        kie must read without one of the plugin's models (for example a family kept for old
        tasks after its models were retired). A :class:`~kie_core.families.base.TaskFamily`
        builds the status call and reads its status record and callback body into the
        normalized :class:`~kie_core.status.TaskStatus`.

        Returns nothing; registration happens through ``register``.
        """

    @hookspec
    def kie_register_emulations(self, register: Callable[[EndpointSchema], None]) -> None:
        """Teach the offline emulator the endpoints of the plugin's models.

        Called at most once per registry, and only when the emulator or the contract suite asks
        for declarations (never by ``kie generate`` against the real KIE). Call ``register`` with
        one :class:`~kie_core.emulation.EndpointSchema` per KIE model id the plugin's models call
        (Market models) or per dedicated endpoint they use (``/api/v1/veo/generate``...): the
        accepted fields with their types, enums, ranges, lengths, defaults and required flags,
        the rules spanning several fields, the credit prices, the result kind and, for dedicated
        endpoints, the route and its status protocol. Write it from the KIE docs, not from the
        plugin's payload code: the emulator validates requests against it and charges its
        prices, and the contract suite compares the plugin's payloads and estimates with it.
        Import the declarations inside the hook so loading the plugin stays cheap.

        Returns nothing; registration happens through ``register``.
        """


class CommandProvider:
    """The hook of a distribution adding ``kie`` subcommands (entry points ``kie.commands``)."""

    @hookspec
    def kie_register_commands(self, cli: typer.Typer) -> None:
        """Add subcommands to the ``kie`` command line.

        Called once per ``kie`` invocation, before the command line is parsed, with the root
        :class:`typer.Typer` application. Add commands with ``cli.command("name")(function)`` or
        groups with ``cli.add_typer(sub_app, name="name")``; a command registered under a name the
        core already uses replaces the core's (the core's ``emulator`` command only says how to
        install the emulator). Keep the module light: import heavy code inside the commands, since
        every ``kie`` invocation, ``kie --help`` included, loads it. A module that fails to import
        or whose hook raises is recorded (``kie plugins`` shows why) and the rest keep working.

        Returns nothing; registration happens on ``cli``.
        """
