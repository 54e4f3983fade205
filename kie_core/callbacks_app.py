"""The ASGI app that receives KIE callbacks, and a server that runs it (``kie callbacks serve``).

It needs the ``server`` extra (``pip install 'kie-core[server]'``: starlette, uvicorn). The
checks, the confirmation and the journal update are :mod:`kie_core.callbacks`'s
:class:`~kie_core.callbacks.CallbackProcessor`; this module only answers HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from kie_core.callbacks import HMAC_KEY_ENV, CallbackProcessor, StatusSource
from kie_core.errors import CallbackError, MalformedResponseError

if TYPE_CHECKING:
    from kie_core.registry import Registry
    from kie_core.stores import JournalStore

__all__ = ["create_callback_app", "serve_callbacks"]

logger = logging.getLogger("kie_core.callbacks")


async def _read_limited(request: Request, limit: int) -> bytes | JSONResponse:
    """Read a request body of at most ``limit`` bytes, or return the refusal to answer.

    A ``Content-Length`` over the limit is refused before a byte is read; a body without one
    (chunked) is read only until it passes the limit, so a huge POST never sits in memory.
    """

    def refuse(status: int, message: str) -> JSONResponse:
        logger.warning("callback refused (%s): %s", status, message)
        return JSONResponse({"code": status, "msg": message}, status_code=status)

    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            return refuse(400, f"the Content-Length {declared[:40]!r} is not a number")
        if int(declared) > limit:
            return refuse(413, f"callback body of {int(declared)} bytes is larger than {limit}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return refuse(413, f"callback body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def create_callback_app(
    processor: CallbackProcessor,
    *,
    drain_timeout: float = 10.0,
    closing: Sequence[object] = (),
) -> Starlette:
    """Return an ASGI app that receives KIE callbacks on any path (e.g. ``/kie/callback``).

    A POST is checked with :meth:`CallbackProcessor.accept` and answered at once (200 with a
    KIE-style envelope, or the refusal's status: 400, 401, 403, 413); the confirmation runs in
    the background, so the answer never waits on the status endpoint. ``GET /healthz`` answers
    200. On shutdown, confirmations in flight get ``drain_timeout`` seconds to finish, then
    each object of ``closing`` (clients, journals) is closed (``aclose`` or ``close``).
    """

    async def receive(request: Request) -> JSONResponse:
        body = await _read_limited(request, processor.max_body_bytes)
        if isinstance(body, JSONResponse):
            return body
        try:
            receipt = await asyncio.to_thread(processor.accept, request.headers, body)
        except CallbackError as exc:
            status = exc.code if exc.code in (400, 401, 403, 413) else 400
            logger.warning("callback refused (%s): %s", status, exc.message)
            return JSONResponse({"code": status, "msg": exc.message}, status_code=status)
        except MalformedResponseError as exc:
            logger.warning("callback refused (400): %s", exc.message)
            return JSONResponse({"code": 400, "msg": exc.message}, status_code=400)
        if not receipt.duplicate:
            processor.confirm_in_background(receipt)
        return JSONResponse(
            {
                "code": 200,
                "msg": "duplicate" if receipt.duplicate else "received",
                "data": {"taskId": receipt.task_id},
            }
        )

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"code": 200, "msg": "ok", "data": {"pending": processor.pending}})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await processor.drain(drain_timeout)
        await _close_all(closing)

    return Starlette(
        routes=[
            Route("/healthz", health, methods=["GET"]),
            Route("/{path:path}", receive, methods=["POST"]),
        ],
        lifespan=lifespan,
    )


def serve_callbacks(
    host: str = "127.0.0.1",
    port: int = 8787,
    *,
    processor: CallbackProcessor | None = None,
    client: StatusSource | None = None,
    journal: JournalStore | None = None,
    registry: Registry | None = None,
    hmac_key: str | bytes | None = None,
    log_level: str = "info",
) -> None:
    """Run the callback receiver until interrupted (``kie callbacks serve --port N``).

    Without a ``processor`` one is built from ``client`` (default: an ``AsyncClient`` with
    ``KIE_API_KEY``), ``journal`` (default: the user's journal), ``registry`` (default: the
    installed plugins) and ``hmac_key`` (default: ``$KIE_WEBHOOK_HMAC_KEY``).
    """
    import uvicorn

    owned: list[Any] = []
    if processor is None:
        if client is None:
            from kie_core.client import AsyncClient

            client = AsyncClient()
            owned.append(client)
        if journal is None:
            from kie_core.journal import Journal as JournalClass

            journal = JournalClass()
            owned.append(journal)
        processor = CallbackProcessor(client, registry=registry, journal=journal, hmac_key=hmac_key)
    if not processor.signed:
        logger.warning(
            "no %s set: callbacks are accepted unsigned (each is still confirmed through the "
            "status endpoint)",
            HMAC_KEY_ENV,
        )
    app = create_callback_app(processor, closing=owned)
    uvicorn.run(app, host=host, port=port, log_level=log_level)


async def _close_all(resources: Sequence[Any]) -> None:
    for resource in resources:
        closer = getattr(resource, "aclose", None) or getattr(resource, "close", None)
        if closer is None:
            continue
        with contextlib.suppress(Exception):
            result = closer()
            if inspect.isawaitable(result):
                await result
