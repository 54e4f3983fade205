"""Assembly of the emulator's Starlette application."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from kie_emulator import (
    routes_aleph,
    routes_common,
    routes_control,
    routes_files,
    routes_luma,
    routes_market,
    routes_runway,
    routes_upload,
    routes_veo,
)
from kie_emulator.callbacks import CallbackSender, PayloadBuilder, tick_forever
from kie_emulator.config import EmulatorConfig
from kie_emulator.envelope import ApiError, envelope, is_upload_path
from kie_emulator.gate import Gate
from kie_emulator.paths import API_PREFIX
from kie_emulator.state import Emulator

CALLBACK_BUILDERS: dict[str, PayloadBuilder] = {
    "market": routes_market.callback_body,
    "veo": routes_veo.callback_body,
    "runway": routes_runway.callback_body,
    "aleph": routes_aleph.callback_body,
    "luma": routes_luma.callback_body,
}
"""The callback body builder of each task family."""

NOT_FOUND_MSG = "The page does not exist or is not published"
"""KIE's answer to an unknown route."""


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return envelope(
        exc.code,
        exc.msg,
        exc.data,
        upload=is_upload_path(request.url.path),
        http_status=exc.http_status,
        headers=exc.headers,
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    path = request.url.path
    if not path.startswith(API_PREFIX):
        return PlainTextResponse(exc.detail, status_code=exc.status_code)
    msg = NOT_FOUND_MSG if exc.status_code == 404 else "Method not allowed"
    return envelope(exc.status_code, msg, upload=is_upload_path(path), http_status=exc.status_code)


def create_app(
    config: EmulatorConfig | None = None, *, emulator: Emulator | None = None
) -> Starlette:
    """Build the emulator app for ``config`` (or around an existing ``emulator`` state).

    The state is reachable as ``app.state.emulator``. The app's lifespan runs the background
    ticker that finishes due tasks and sends their callbacks even when nobody polls.
    """
    em = emulator if emulator is not None else Emulator(config)
    sender = CallbackSender(em, CALLBACK_BUILDERS)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await sender.start()
        ticker = asyncio.create_task(tick_forever(em, sender))
        try:
            yield
        finally:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
            await sender.stop()

    routes = [
        *routes_market.ROUTES,
        *routes_veo.ROUTES,
        *routes_runway.ROUTES,
        *routes_aleph.ROUTES,
        *routes_luma.ROUTES,
        *routes_common.ROUTES,
        *routes_upload.ROUTES,
        *routes_files.ROUTES,
        *routes_control.ROUTES,
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(Gate, emulator=em)],
        exception_handlers={ApiError: _api_error, HTTPException: _http_error},
        lifespan=lifespan,
    )
    app.state.emulator = em
    app.state.callback_sender = sender
    return app
