"""Common endpoints: the credit balance and temporary download links."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kie_emulator.common import base_url, credits_number, emulator_of, json_body
from kie_emulator.envelope import ApiError, ok
from kie_emulator.fields import Field, require_object, validate_object
from kie_emulator.paths import CREDIT, DOWNLOAD_URL

EXTERNAL_URL_MSG = "Invalid URL (External file URLs are not supported)"
"""KIE's answer (code 422) to a download-url request for a file it did not produce."""

_DOWNLOAD_FIELDS = (Field("url", "string", required=True),)


async def credit(request: Request) -> Response:
    """``GET /api/v1/chat/credit``: the balance, as a bare number."""
    return ok(credits_number(emulator_of(request).credits))


async def download_url(request: Request) -> Response:
    """``POST /api/v1/common/download-url``: a fresh 20-minute link to a file KIE produced."""
    em = emulator_of(request)
    body = validate_object(
        require_object(await json_body(request)), _DOWNLOAD_FIELDS, context="download-url"
    )
    entry = em.files.entry_for_url(body["url"])
    if entry is None:
        raise ApiError(422, EXTERNAL_URL_MSG)
    base = base_url(request)
    fresh = em.issue_download_link(entry, base, request.url.path)
    return ok(fresh.url(base))


ROUTES = [
    Route(CREDIT, credit, methods=["GET"]),
    Route(DOWNLOAD_URL, download_url, methods=["POST"]),
]
"""The common routes."""
