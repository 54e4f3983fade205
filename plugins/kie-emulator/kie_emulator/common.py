"""Small helpers shared by the route modules."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import Headers
from starlette.requests import Request

from kie_emulator.envelope import INSUFFICIENT_CREDITS_MSG, ApiError
from kie_emulator.ledger import InsufficientCredits
from kie_emulator.state import Emulator
from kie_emulator.tasks import Task


def emulator_of(request: Request) -> Emulator:
    """Return the emulator state the app serves."""
    em: Emulator = request.app.state.emulator
    return em


def bearer_token(headers: Headers) -> str | None:
    """Return the token of an ``Authorization: Bearer <token>`` header, if any."""
    value = headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def base_url(request: Request) -> str:
    """Return the base of links issued in answer to ``request``."""
    configured = emulator_of(request).config.public_base_url
    if configured:
        return configured
    return str(request.base_url).rstrip("/")


async def json_body(request: Request) -> Any:
    """Return the parsed JSON body.

    Raises:
        ApiError: code 422 when the body is not valid JSON.
    """
    raw = await request.body()
    if not raw.strip():
        raise ApiError(422, "body: a JSON body is required")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(422, f"body: invalid JSON ({exc})") from exc


def query_task_id(request: Request) -> str:
    """Return the ``taskId`` query parameter.

    Raises:
        ApiError: code 400 when it is missing.
    """
    task_id = request.query_params.get("taskId", "").strip()
    if not task_id:
        raise ApiError(400, "taskId parameter is required")
    return task_id


def credits_number(value: float) -> int | float:
    """Return a credit amount as an int when it is whole (KIE reports integers)."""
    return int(value) if float(value).is_integer() else value


def epoch_ms(seconds: float | None) -> int | None:
    """Return Unix milliseconds, or ``None``."""
    return None if seconds is None else int(seconds * 1000)


def iso_time(seconds: float | None) -> str | None:
    """Return an ISO-8601 UTC time like ``2023-08-15T14:30:45Z``, or ``None``."""
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def plain_time(seconds: float) -> str:
    """Return a UTC time like ``2023-08-15 14:30:45``."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S")


def iso_time_ms(seconds: float) -> str:
    """Return an ISO-8601 UTC time with milliseconds, like ``2025-01-01T12:00:00.000Z``."""
    stamp = datetime.fromtimestamp(seconds, UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def api_key_of(request: Request) -> str:
    """Return the caller's Bearer token (the gate has already checked it)."""
    return bearer_token(request.headers) or ""


def create_or_402(request: Request, **task: Any) -> Task:
    """Create a task for ``request`` (see ``Emulator.create_task``), or answer 402.

    The caller's key, the link base and the request path are filled in from ``request``.

    Raises:
        ApiError: code 402 when the balance does not cover the price; nothing was created.
    """
    em = emulator_of(request)
    try:
        return em.create_task(
            api_key=api_key_of(request),
            base_url=base_url(request),
            path=request.url.path,
            **task,
        )
    except InsufficientCredits as exc:
        raise ApiError(402, INSUFFICIENT_CREDITS_MSG) from exc
