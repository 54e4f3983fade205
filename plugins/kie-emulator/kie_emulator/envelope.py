"""KIE's response envelopes and the error that handlers raise to produce them."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

UPLOAD_PATHS = frozenset(
    {"/api/file-base64-upload", "/api/file-stream-upload", "/api/file-url-upload"}
)
"""Routes of the file-upload host, whose envelope carries a ``success`` field."""

AUTH_FAILED_MSG = "You do not have access permissions"
"""The ``msg`` of a 401 on the main API host."""

UPLOAD_AUTH_FAILED_MSG = "Authentication failed: Invalid API Key"
"""The ``msg`` of a 401 on the upload host."""

RATE_LIMITED_MSG = "Rate limit exceeded"
"""The ``msg`` of a 429."""

SERVER_ERROR_MSG = "Internal Error, Please try again later."
"""The ``msg`` of a 500."""

MAINTENANCE_MSG = "The service is under maintenance. Please try again later."
"""The ``msg`` of a 455."""

INSUFFICIENT_CREDITS_MSG = "Insufficient credits. Please top up your account."
"""The ``msg`` of a 402."""

UNKNOWN_MODEL_MSG = (
    "The model name you specified is not supported. Please verify your input and use one of "
    "the supported models provided by KIE."
)
"""The ``msg`` KIE answers (code 422) for a model id it does not know."""


def dumps(payload: Any) -> bytes:
    """Serialize ``payload`` as compact UTF-8 JSON."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def is_upload_path(path: str) -> bool:
    """Tell whether ``path`` belongs to the upload host."""
    return path in UPLOAD_PATHS


def body(code: int, msg: str, data: Any = None, *, upload: bool = False) -> dict[str, Any]:
    """Build an envelope; upload-host envelopes carry ``success`` and omit ``data`` on errors."""
    if not upload:
        return {"code": code, "msg": msg, "data": data}
    payload: dict[str, Any] = {"success": code == 200, "code": code, "msg": msg}
    if code == 200 or data is not None:
        payload["data"] = data
    return payload


class JSONBytesResponse(Response):
    """A JSON response rendered with compact separators."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        """Serialize the content."""
        return dumps(content)


def envelope(
    code: int,
    msg: str,
    data: Any = None,
    *,
    upload: bool = False,
    http_status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """Return an envelope response."""
    return JSONBytesResponse(
        body(code, msg, data, upload=upload), status_code=http_status, headers=headers
    )


def ok(data: Any, msg: str = "success") -> Response:
    """Return a success envelope."""
    return envelope(200, msg, data)


class ApiError(Exception):
    """Raised by a handler to answer with an error envelope.

    Attributes:
        code: the envelope ``code``.
        msg: the envelope ``msg``.
        data: the envelope ``data``.
        http_status: the HTTP status (KIE answers most errors with HTTP 200).
        headers: extra response headers.
    """

    def __init__(
        self,
        code: int,
        msg: str,
        data: Any = None,
        *,
        http_status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{code} {msg}")
        self.code = code
        self.msg = msg
        self.data = data
        self.http_status = http_status
        self.headers = headers


def validation_error(msg: str) -> ApiError:
    """Return the 422 error for an invalid request."""
    return ApiError(422, msg)
