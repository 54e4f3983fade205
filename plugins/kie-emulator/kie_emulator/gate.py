"""The ASGI gate in front of every route: authentication, rate limits, request faults."""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Awaitable, Callable

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kie_emulator import envelope as env
from kie_emulator.common import bearer_token
from kie_emulator.config import REQUEST_FAULT_KINDS
from kie_emulator.paths import API_PREFIX, CONTROL_PREFIX, CREATE_PATHS, QUERY_PATHS
from kie_emulator.state import Emulator

MALFORMED_BODY = b'{"code":200,"msg":"success","data":{'
"""What the ``malformed-json`` fault answers: the start of an envelope, cut short."""


class Dropped(Exception):
    """Raised into the app to abandon a response whose connection is being dropped."""


async def read_body(receive: Receive) -> bytes:
    """Read the whole request body."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """Return a ``receive`` that yields ``body`` once, then defers to the real ``receive``."""
    sent = False

    async def receive_again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return receive_again


async def wait_disconnect(receive: Receive) -> None:
    """Return once the client has disconnected."""
    while (await receive())["type"] != "http.disconnect":
        pass


def cutting_send(send: Send) -> Send:
    """Return a ``send`` that forwards about half the body, then raises ``Dropped``.

    The declared Content-Length is kept (raised a little for empty bodies), so the client
    sees an incomplete body rather than a clean response.
    """
    budget = 0

    async def send_cut(message: Message) -> None:
        nonlocal budget
        if message["type"] == "http.response.start":
            headers = MutableHeaders(raw=list(message.get("headers", [])))
            length = int(headers.get("content-length", "0") or 0)
            if length < 2:
                headers["content-length"] = str(length + 16)
                budget = length
            else:
                budget = length // 2
            message = {**message, "headers": headers.raw}
            await send(message)
            return
        if message["type"] == "http.response.body":
            chunk: bytes = message.get("body", b"")
            if len(chunk) < budget:
                budget -= len(chunk)
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                if message.get("more_body", False):
                    return
            elif budget:
                await send(
                    {"type": "http.response.body", "body": chunk[:budget], "more_body": True}
                )
            raise Dropped
        await send(message)

    return send_cut


class Gate:
    """Checks the key, enforces rate limits and injects request faults before any route runs.

    The ``/_emulator`` control routes pass straight through.
    """

    def __init__(self, app: ASGIApp, emulator: Emulator) -> None:
        self.app = app
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection scope."""
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        upload = env.is_upload_path(path)
        em = self.emulator
        if path.startswith(API_PREFIX):
            token = bearer_token(Headers(scope=scope))
            if not em.authorize(token):
                msg = env.UPLOAD_AUTH_FAILED_MSG if upload else env.AUTH_FAILED_MSG
                await env.envelope(401, msg, upload=upload)(scope, receive, send)
                return
            wait = self._rate_limit(path, token or "")
            if wait is not None:
                await self._too_many(wait, upload)(scope, receive, send)
                return
        kinds = set(REQUEST_FAULT_KINDS)
        if path not in CREATE_PATHS:
            kinds.discard("lost-create-response")
        rule = em.fault_engine.draw(kinds, path)
        if rule is None:
            await self.app(scope, receive, send)
            return
        await self._inject(rule.kind, scope, receive, send, upload=upload)

    def _rate_limit(self, path: str, key: str) -> float | None:
        em = self.emulator
        cfg = em.config
        now = em.clock.now()
        if path in CREATE_PATHS:
            return em.create_limiter.hit(key, now, cfg.create_limit, cfg.create_window)
        if path in QUERY_PATHS:
            return em.query_limiter.hit(key, now, cfg.query_limit, cfg.query_window)
        return None

    @staticmethod
    def _too_many(wait: float, upload: bool) -> Response:
        retry_after = str(max(1, math.ceil(wait)))
        return env.envelope(
            429,
            env.RATE_LIMITED_MSG,
            upload=upload,
            http_status=429,
            headers={"Retry-After": retry_after},
        )

    async def _inject(
        self, kind: str, scope: Scope, receive: Receive, send: Send, *, upload: bool
    ) -> None:
        responses: dict[str, Callable[[], Response]] = {
            "rate-limit": lambda: self._too_many(1.0, upload),
            "server-error": lambda: env.envelope(
                500, env.SERVER_ERROR_MSG, upload=upload, http_status=500
            ),
            "maintenance": lambda: env.envelope(455, env.MAINTENANCE_MSG, upload=upload),
            "error-in-200": lambda: env.envelope(500, env.SERVER_ERROR_MSG, upload=upload),
            "malformed-json": lambda: Response(MALFORMED_BODY, media_type="application/json"),
        }
        if kind in responses:
            await responses[kind]()(scope, receive, send)
            return
        handlers: dict[str, Callable[[Scope, Receive, Send], Awaitable[None]]] = {
            "slow": self._slow,
            "drop-connection": self._drop,
            "lost-create-response": self._lose,
        }
        await handlers[kind](scope, receive, send)

    async def _slow(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await read_body(receive)
        try:
            await asyncio.wait_for(wait_disconnect(receive), self.emulator.config.slow_seconds)
        except TimeoutError:
            await self.app(scope, replaying(body, receive), send)
        # The client gave up first: the request is never processed.

    async def _drop(self, scope: Scope, receive: Receive, send: Send) -> None:
        with contextlib.suppress(Dropped):
            if scope["path"] in CREATE_PATHS:
                # The create never reaches a handler: nothing is created or charged.
                fake = env.envelope(200, "success", {"taskId": "0" * 32})
                await fake(scope, receive, cutting_send(send))
            else:
                await self.app(scope, receive, cutting_send(send))

    async def _lose(self, scope: Scope, receive: Receive, send: Send) -> None:
        captured: list[Message] = []

        async def capture(message: Message) -> None:
            captured.append(message)

        await self.app(scope, receive, capture)
        cut = cutting_send(send)
        with contextlib.suppress(Dropped):
            for message in captured:
                await cut(message)
