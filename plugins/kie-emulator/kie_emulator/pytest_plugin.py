"""pytest plugin: the ``kie_emulator`` fixture, a running KIE.ai emulator per test.

One server is started lazily per session (on first use) and its state is reset before every
test, so the fixture is cheap. Nothing heavy is imported until a test asks for the fixture.

Per-test settings go through the ``kie_emulator`` marker or ``handle.configure()``::

    @pytest.mark.kie_emulator(task_seconds=1.0, link_ttl=2.0)
    def test_something(kie_emulator): ...
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import httpx

    from kie_emulator.config import EmulatorConfig, FaultRule
    from kie_emulator.ledger import LedgerEntry
    from kie_emulator.server import EmulatorServer
    from kie_emulator.state import Emulator
    from kie_emulator.tasks import Task

TEST_API_KEY = "kie-test-key"
"""The key the fixture's emulator accepts."""

TEST_DEFAULTS: dict[str, Any] = {
    "api_key": TEST_API_KEY,
    "task_seconds": 0.3,
    "callback_retry_delay": 0.05,
    "callback_timeout": 5.0,
    "slow_seconds": 5.0,
    "tick_interval": 0.02,
}
"""Settings of the fixture's emulator, chosen so suites run fast."""


class EmulatorHandle:
    """What the ``kie_emulator`` fixture yields: a running emulator and ways to steer it."""

    def __init__(self, server: EmulatorServer) -> None:
        self._server = server

    @property
    def base_url(self) -> str:
        """The base URL of both KIE hosts (API and upload)."""
        return self._server.base_url

    @property
    def api_key(self) -> str:
        """A key the emulator accepts."""
        return self.config.api_key or TEST_API_KEY

    @property
    def headers(self) -> dict[str, str]:
        """The ``Authorization`` header for ``api_key``."""
        return {"Authorization": f"Bearer {self.api_key}"}

    @property
    def emulator(self) -> Emulator:
        """The emulator state itself (the full Python API)."""
        return self._server.emulator

    @property
    def config(self) -> EmulatorConfig:
        """The configuration in force."""
        return self.emulator.config

    @property
    def credits(self) -> float:
        """The current balance."""
        return self.emulator.credits

    @credits.setter
    def credits(self, value: float) -> None:
        self.emulator.set_credits(value)

    @property
    def ledger(self) -> list[LedgerEntry]:
        """Every charge, refund and balance change, oldest first."""
        return self.emulator.ledger

    @property
    def tasks(self) -> dict[str, Task]:
        """Every task by id."""
        return self.emulator.tasks

    @property
    def state(self) -> dict[str, Any]:
        """The JSON view served by ``GET /_emulator/state``."""
        return self.emulator.snapshot()

    def set_fault(
        self,
        kind: str,
        probability: float = 1.0,
        times: int | None = None,
        paths: Iterable[str] | None = None,
    ) -> FaultRule:
        """Add a fault rule (see ``FaultRule``)."""
        return self.emulator.set_fault(kind, probability, times, paths)

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        self.emulator.clear_faults()

    def configure(self, **changes: Any) -> EmulatorConfig:
        """Change settings for this test (``task_seconds``, ``link_ttl``, limits...)."""
        return self.emulator.configure(**changes)

    def advance(self, seconds: float) -> None:
        """Move the emulated clock forward."""
        self.emulator.advance(seconds)

    def create_count(self, model: str, payload: Any = None) -> int:
        """How many tasks were created for ``model`` (and exactly ``payload``, if given)."""
        return self.emulator.create_count(model, payload)

    def client(self, **kwargs: Any) -> httpx.Client:
        """Return an ``httpx.Client`` on ``base_url`` that sends the key."""
        import httpx

        headers = {**self.headers, **kwargs.pop("headers", {})}
        return httpx.Client(base_url=self.base_url, headers=headers, **kwargs)


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``kie_emulator`` marker."""
    config.addinivalue_line(
        "markers",
        "kie_emulator(**settings): settings of the kie_emulator fixture for this test",
    )


@pytest.fixture(scope="session")
def _kie_emulator_server() -> Iterator[EmulatorServer]:
    from kie_emulator.config import EmulatorConfig
    from kie_emulator.server import EmulatorServer

    server = EmulatorServer(EmulatorConfig(**TEST_DEFAULTS))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def kie_emulator(
    request: pytest.FixtureRequest, _kie_emulator_server: EmulatorServer
) -> Iterator[EmulatorHandle]:
    """Yield a running KIE.ai emulator with fresh state (tasks, ledger, faults, clock)."""
    from kie_emulator.config import EmulatorConfig

    settings = dict(TEST_DEFAULTS)
    marker = request.node.get_closest_marker("kie_emulator")
    if marker is not None:
        settings.update(marker.kwargs)
    _kie_emulator_server.emulator.reset(EmulatorConfig(**settings))
    yield EmulatorHandle(_kie_emulator_server)
    _kie_emulator_server.emulator.reset(EmulatorConfig(**TEST_DEFAULTS))
