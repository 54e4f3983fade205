"""Serving of result and uploaded files, with ETag and single-range support."""

from __future__ import annotations

import math

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from kie_emulator.common import emulator_of
from kie_emulator.files import FILES_PREFIX
from kie_emulator.media import Content
from kie_emulator.ranges import Unsatisfiable, parse_range

EXPIRED_MSG = "Link expired. Request a fresh one from POST /api/v1/common/download-url."
"""The body of a 403 for an expired link."""


def _etag_matches(header: str, etag: str) -> bool:
    candidates = [c.strip() for c in header.split(",")]
    return "*" in candidates or etag in candidates or f"W/{etag}" in candidates


class FileResponse(Response):
    """Streams a ``Content``: 200, 206 for one satisfiable range, 416 otherwise, 304 if fresh."""

    def __init__(self, content: Content, request_headers: Headers, max_age: int) -> None:
        super().__init__(status_code=200)
        self.content = content
        self.request_headers = request_headers
        self.max_age = max_age

    def _plan(self) -> tuple[int, list[tuple[bytes, bytes]], tuple[int, int] | None]:
        size = self.content.size
        etag = self.content.etag
        headers = [
            (b"accept-ranges", b"bytes"),
            (b"etag", etag.encode()),
            (b"cache-control", f"private, max-age={self.max_age}".encode()),
        ]
        if_none_match = self.request_headers.get("if-none-match")
        if if_none_match and _etag_matches(if_none_match, etag):
            return 304, headers, None
        range_header = self.request_headers.get("range")
        if_range = self.request_headers.get("if-range")
        if range_header and if_range is not None and if_range.strip() != etag:
            range_header = None
        headers.append((b"content-type", self.content.media_type.encode()))
        try:
            span = parse_range(range_header, size)
        except Unsatisfiable:
            headers += [(b"content-range", f"bytes */{size}".encode()), (b"content-length", b"0")]
            return 416, headers, None
        if span is None:
            headers.append((b"content-length", str(size).encode()))
            return 200, headers, (0, size - 1)
        start, end = span
        headers += [
            (b"content-range", f"bytes {start}-{end}/{size}".encode()),
            (b"content-length", str(end - start + 1).encode()),
        ]
        return 206, headers, span

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the response."""
        status, headers, span = self._plan()
        await send({"type": "http.response.start", "status": status, "headers": headers})
        if span is None or scope["method"] == "HEAD" or span[1] < span[0]:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        async for chunk in self.content.iter_range(*span):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def serve_file(request: Request) -> Response:
    """``GET|HEAD /files/<token>/<name>``: a result, upload or download-url link."""
    em = emulator_of(request)
    entry = em.files.get(request.path_params["token"])
    if entry is None or entry.name != request.path_params["name"]:
        return PlainTextResponse("Not Found", status_code=404)
    remaining = entry.expires_at - em.clock.now()
    if remaining <= 0:
        return PlainTextResponse(EXPIRED_MSG, status_code=403)
    return FileResponse(entry.content, request.headers, max_age=math.ceil(remaining))


ROUTES = [
    Route(FILES_PREFIX + "{token}/{name:path}", serve_file, methods=["GET", "HEAD"]),
]
"""The file routes."""
