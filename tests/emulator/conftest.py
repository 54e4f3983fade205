"""Shared helpers of the emulator tests: HTTP clients, polling, a callback receiver."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn
from kie_emulator.app import create_app
from kie_emulator.config import EmulatorConfig
from kie_emulator.pytest_plugin import TEST_API_KEY, EmulatorHandle
from kie_emulator.server import EmulatorServer
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

ASGI_KEY = "asgi-key"
STATIC_BYTES = b"hello from elsewhere"


@pytest.fixture(scope="session")
def _session_client(_kie_emulator_server: EmulatorServer) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {TEST_API_KEY}"}
    with httpx.Client(base_url=_kie_emulator_server.base_url, headers=headers, timeout=10) as c:
        yield c


@pytest.fixture
def client(kie_emulator: EmulatorHandle, _session_client: httpx.Client) -> httpx.Client:
    """An httpx client on the running emulator (reset for this test) that sends the test key."""
    assert kie_emulator.api_key == TEST_API_KEY
    return _session_client


@pytest.fixture(scope="session")
def http() -> Iterator[httpx.Client]:
    """A plain keep-alive client without credentials (file downloads, other hosts)."""
    with httpx.Client(timeout=10) as c:
        yield c


@pytest.fixture
def asgi_app() -> Starlette:
    """An emulator app that is not served (tasks take 100 s unless the clock is advanced)."""
    return create_app(EmulatorConfig(api_key=ASGI_KEY, task_seconds=100))


@pytest.fixture
async def asgi(asgi_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process client (no socket, no lifespan) for pure request/response shape checks."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=asgi_app),
        base_url="http://kie.test",
        headers={"Authorization": f"Bearer {ASGI_KEY}"},
    ) as c:
        yield c


def ok_data(response: httpx.Response) -> Any:
    """Assert a success envelope and return its ``data``."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["code"] == 200, body
    assert body["msg"] == "success"
    return body["data"]


def err(response: httpx.Response, code: int, http_status: int = 200) -> str:
    """Assert an error envelope with ``code`` and return its ``msg``."""
    assert response.status_code == http_status, response.text
    body = response.json()
    assert body["code"] == code, body
    assert set(body) == {"code", "msg", "data"}
    return str(body["msg"])


def wait_until(predicate: Callable[[], Any], timeout: float = 5.0, interval: float = 0.11) -> Any:
    """Poll ``predicate`` until it returns something truthy; return that.

    The default interval keeps status polling under the 10 queries per second limit.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)


def create(client: httpx.Client, path: str, body: dict[str, Any]) -> str:
    """Create a task and return its id."""
    task_id = ok_data(client.post(path, json=body))["taskId"]
    assert isinstance(task_id, str)
    return task_id


@dataclass
class Received:
    """One callback the receiver got."""

    path: str
    headers: dict[str, str]
    body: Any
    raw: bytes


@dataclass
class Receiver:
    """A tiny HTTP server that records callbacks and answers with scripted statuses."""

    base_url: str = ""
    calls: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, name: str) -> str:
        """A callback URL on this receiver."""
        return f"{self.base_url}/cb/{name}"

    def reset(self) -> None:
        """Forget calls and scripted statuses."""
        with self.lock:
            self.calls.clear()
            self.statuses.clear()

    def for_path(self, name: str) -> list[Received]:
        """The calls received on ``url(name)``."""
        with self.lock:
            return [c for c in self.calls if c.path == f"/cb/{name}"]

    async def static(self, request: Request) -> Response:
        """Serve a small known file at ``/static/hello.txt`` (anything else is 404)."""
        if request.path_params["name"] != "hello.txt":
            return Response("missing", status_code=404)
        return Response(STATIC_BYTES, media_type="text/plain")

    async def handle(self, request: Request) -> Response:
        raw = await request.body()
        with self.lock:
            self.calls.append(
                Received(request.url.path, dict(request.headers), json.loads(raw), raw)
            )
            status = self.statuses.pop(0) if self.statuses else 200
        if status == 0:  # scripted "too slow": answer 200, but late
            await asyncio.sleep(0.5)
            status = 200
        return JSONResponse({"ok": status == 200}, status_code=status)


@pytest.fixture(scope="session")
def _receiver_server() -> Iterator[Receiver]:
    receiver = Receiver()
    app = Starlette(
        routes=[
            Route("/cb/{name:path}", receiver.handle, methods=["POST"]),
            Route("/static/{name}", receiver.static, methods=["GET"]),
        ]
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    receiver.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", http="h11"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    wait_until(lambda: server.started)
    yield receiver
    server.should_exit = True
    thread.join(5)


@pytest.fixture
def receiver(_receiver_server: Receiver) -> Receiver:
    """The callback receiver, emptied for this test."""
    _receiver_server.reset()
    return _receiver_server
