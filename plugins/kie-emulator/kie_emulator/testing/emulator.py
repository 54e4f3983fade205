"""The offline KIE.ai emulator the checks post calls to, run in this process."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kie_core.calls import EndpointCall

#: The key the contract's emulator accepts (a test value, never a real key).
CONTRACT_API_KEY = "kie-contract-key"

#: Emulator settings of the contract: no rate limit, an ample balance, deterministic ids.
CONTRACT_EMULATOR_SETTINGS: dict[str, Any] = {
    "api_key": CONTRACT_API_KEY,
    "credits": 1e12,
    "create_limit": 1_000_000,
    "query_limit": 1_000_000,
    "task_seconds": 10.0,
    "seed": 0,
}


@dataclass(frozen=True)
class EmulatorAnswer:
    """One answer of the emulator.

    Attributes:
        http_status: the HTTP status.
        body: the parsed JSON body (``None`` when it is not JSON).
    """

    http_status: int
    body: Any

    @property
    def code(self) -> Any:
        """The envelope ``code`` (KIE reports errors in it, even with HTTP 200)."""
        return self.body.get("code") if isinstance(self.body, dict) else None

    @property
    def data(self) -> Any:
        """The envelope ``data``."""
        return self.body.get("data") if isinstance(self.body, dict) else None

    @property
    def ok(self) -> bool:
        """Whether KIE would have accepted the call (HTTP 200 and envelope code 200)."""
        return self.http_status == 200 and self.code == 200

    def describe(self) -> str:
        """Return the status and KIE's message, for problem reports."""
        msg = self.body.get("msg") if isinstance(self.body, dict) else self.body
        return f"HTTP {self.http_status}, code {self.code}: {msg}"


class ContractEmulator:
    """The offline KIE.ai emulator in this process, reached through httpx's ASGI transport.

    Nothing listens on a socket and no callback leaves the process: the app's lifespan (the
    callback ticker) is not run, tasks progress with the emulated clock, which
    :meth:`finish_tasks` moves forward. Calls are sent from a private event loop thread, so
    the checks work from synchronous and asynchronous tests alike.

    Args:
        settings: :class:`~kie_emulator.config.EmulatorConfig` fields overriding
            :data:`CONTRACT_EMULATOR_SETTINGS`.
    """

    def __init__(self, **settings: Any) -> None:
        import asyncio
        import threading

        import httpx

        from kie_emulator.app import create_app
        from kie_emulator.config import EmulatorConfig
        from kie_emulator.state import Emulator

        self.config = EmulatorConfig(**{**CONTRACT_EMULATOR_SETTINGS, **settings})
        self.emulator = Emulator(self.config)
        self.app = create_app(emulator=self.emulator)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="kie-contract-emulator", daemon=True
        )
        self._thread.start()
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url="https://api.kie.ai",
            headers={"Authorization": f"Bearer {self.config.api_key}"},
        )
        #: How many calls were sent.
        self.sent = 0

    def _run(self, coroutine: Any) -> Any:
        import asyncio

        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=60)

    def send(self, call: EndpointCall) -> EmulatorAnswer:
        """Send one call as the client would and return the emulator's answer."""
        response = self._run(
            self._client.request(call.method, call.path, json=call.body, params=call.params)
        )
        self.sent += 1
        try:
            body = response.json()
        except ValueError:
            body = None
        return EmulatorAnswer(response.status_code, body)

    def finish_tasks(self) -> None:
        """Move the emulated clock past every running task's end."""
        self.emulator.advance(self.emulator.config.task_seconds + 1.0)

    def fail_next_task(self) -> None:
        """Make the next created task fail (the emulator's ``task-fail`` fault, once)."""
        self.emulator.set_fault("task-fail", 1.0, times=1)

    def callback_body(self, task_id: str) -> dict[str, Any]:
        """Return the body the emulator would POST to the task's ``callBackUrl``."""
        task = self.emulator.get_task(task_id)
        if task is None:
            raise KeyError(task_id)
        body: dict[str, Any] = self.app.state.callback_sender.body_for(task)
        return body

    def close(self) -> None:
        """Close the client and stop the event loop thread."""
        self._run(self._client.aclose())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> ContractEmulator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
