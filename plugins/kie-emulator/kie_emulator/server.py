"""Serving the emulator over a real socket: in a background thread, or in the foreground."""

from __future__ import annotations

import logging
import socket
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn

from kie_emulator.app import create_app
from kie_emulator.config import EmulatorConfig
from kie_emulator.state import Emulator

_EXPECTED_NOISE = (
    "ASGI callable returned without completing response.",
    "ASGI callable returned without starting response.",
)


class _DropNoise(logging.Filter):
    """Hides the errors uvicorn logs when a fault deliberately cuts a response short."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not any(str(record.msg).startswith(n) for n in _EXPECTED_NOISE)


def _quiet_uvicorn() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _DropNoise) for f in logger.filters):
        logger.addFilter(_DropNoise())


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets whose proto says TCP,
    # and without it every keep-alive response stalls ~40 ms on delayed ACKs.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _base_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _uvicorn_config(app: Any, log_level: str) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        lifespan="on",
        log_level=log_level,
        access_log=False,
        http="h11",
        ws="none",
        timeout_graceful_shutdown=1,
    )


class EmulatorServer:
    """Runs the emulator with uvicorn in a background thread on a real socket.

    Port 0 (the default) picks a free port; read it from ``port`` or ``base_url`` after
    ``start()``. Usable as a context manager.
    """

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        emulator: Emulator | None = None,
        log_level: str = "warning",
    ) -> None:
        self.emulator = emulator if emulator is not None else Emulator(config)
        self.app = create_app(emulator=self.emulator)
        self.host = host
        self._requested_port = port
        self._log_level = log_level
        self._port: int | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port the server listens on.

        Raises:
            RuntimeError: the server is not running.
        """
        if self._port is None:
            raise RuntimeError("the emulator server is not running")
        return self._port

    @property
    def base_url(self) -> str:
        """The server's base URL, e.g. ``http://127.0.0.1:53211``."""
        return _base_url(self.host, self.port)

    @property
    def running(self) -> bool:
        """Whether the server thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self, timeout: float = 10.0) -> EmulatorServer:
        """Start serving and wait until the socket accepts connections.

        Raises:
            RuntimeError: the server did not come up within ``timeout`` seconds.
        """
        if self.running:
            return self
        _quiet_uvicorn()
        sock = _bind(self.host, self._requested_port)
        self._port = sock.getsockname()[1]
        server = uvicorn.Server(_uvicorn_config(self.app, self._log_level))
        self._server = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="kie-emulator", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                sock.close()
                raise RuntimeError("the emulator server failed to start")
            time.sleep(0.005)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and wait for the thread to end."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        self._server = None
        self._thread = None
        self._port = None

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def run(config: EmulatorConfig, host: str = "127.0.0.1", port: int = 8787) -> None:
    """Serve the emulator in the foreground until interrupted; print the base URL first."""
    _quiet_uvicorn()
    sock = _bind(host, port)
    url = _base_url(host, sock.getsockname()[1])
    print(f"KIE emulator listening on {url}", flush=True)
    print(f"  control API: {url}/_emulator/state", flush=True)
    server = uvicorn.Server(_uvicorn_config(create_app(config), "info"))
    server.run(sockets=[sock])
