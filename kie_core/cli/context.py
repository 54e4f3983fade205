"""The state one ``kie`` invocation shares between its global options and its command.

Everything heavy (the registry and its plugins, the HTTP client, the sqlite journal) is created
on first use, so a command only pays for what it touches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import typer

from kie_core.cli.output import Output
from kie_core.cli.settings import Settings

if TYPE_CHECKING:
    from kie_core.client import AsyncClient, Client
    from kie_core.journal import Journal
    from kie_core.polling import PollSchedule
    from kie_core.registry import Registry


@dataclass
class CliState:
    """Settings, output and lazily built services of one invocation.

    Attributes:
        settings: where the key, URLs and journal come from.
        output: the streams (its ``json_mode`` / ``quiet`` are the global ones).
        poll_interval: a fixed status poll interval in seconds instead of KIE's recommended
            schedule (``--poll-interval``; handy against the emulator).
    """

    settings: Settings
    output: Output
    poll_interval: float | None = None
    _journal: Journal | None = field(default=None, repr=False)

    def registry(self) -> Registry:
        """Return the registry of installed models (plugins load on first use)."""
        from kie_core import registry

        return registry.default_registry()

    def journal(self) -> Journal:
        """Return the task journal (``--journal``, ``KIE_JOURNAL`` or the platform default)."""
        if self._journal is None:
            from kie_core.journal import Journal

            self._journal = Journal(self.settings.journal)
        return self._journal

    def require_key(self) -> None:
        """Refuse (exit 3) before any network call when no usable API key is configured.

        A key with characters an HTTP header cannot carry is refused here too, without
        showing it.
        """
        key = self.settings.api_key
        if key is not None:
            from kie_core.errors import ConfigurationError
            from kie_core.transport import ApiKey

            try:
                ApiKey(key)
            except ValueError as exc:
                raise ConfigurationError(f"{exc} (KIE_API_KEY, --api-key or api_key)") from None
        if self.settings.api_key is None:
            from kie_core.cli.settings import default_config_path
            from kie_core.errors import ConfigurationError

            raise ConfigurationError(
                "no KIE.ai API key: set KIE_API_KEY, pass --api-key, or add api_key to "
                f"{default_config_path()} "
                "(get a key at https://kie.ai/api-key; try `kie generate ... --emulator` "
                "without one)"
            )

    def client(self) -> Client:
        """Return a synchronous client configured from the settings."""
        from kie_core.client import Client

        self.require_key()
        return Client(
            self.settings.api_key,
            base_url=self.settings.base_url,
            upload_base_url=self.settings.upload_base_url,
            registry=self.registry(),
            journal=self.journal(),
            poll=self._poll_schedule(),
            daily_budget=self.settings.daily_budget,
        )

    def async_client(self) -> AsyncClient:
        """Return an asynchronous client configured from the settings."""
        from kie_core.client import AsyncClient

        self.require_key()
        return AsyncClient(
            self.settings.api_key,
            base_url=self.settings.base_url,
            upload_base_url=self.settings.upload_base_url,
            registry=self.registry(),
            journal=self.journal(),
            poll=self._poll_schedule(),
            daily_budget=self.settings.daily_budget,
        )

    def _poll_schedule(self) -> PollSchedule | None:
        if self.poll_interval is None:
            return None
        import math

        from kie_core.polling import PollPhase, PollSchedule

        step = self.poll_interval
        return PollSchedule(phases=(PollPhase(math.inf, step, step),))

    def close(self) -> None:
        """Release what this invocation opened (the journal)."""
        if self._journal is not None:
            self._journal.close()
            self._journal = None


def get_state(ctx: typer.Context) -> CliState:
    """Return the invocation state the global callback stored on the context."""
    root = ctx.find_root()
    state = root.obj
    if not isinstance(state, CliState):
        raise RuntimeError("kie command invoked without the global options callback")
    return state


def command_output(ctx: typer.Context, *, json_mode: bool = False, quiet: bool = False) -> Output:
    """Return the output for a command, adding its own ``--json`` / ``--quiet``."""
    return get_state(ctx).output.with_mode(json_mode=json_mode, quiet=quiet)
