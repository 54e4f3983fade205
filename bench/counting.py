"""httpx transports that count what the client sends and what comes back, by kind of call."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
from kie_emulator.paths import CREATE_PATHS, QUERY_PATHS

FILES_PREFIX = "/files/"


def call_kind(path: str) -> str:
    """Return ``create``, ``query`` (status), ``file`` (result download) or ``other``."""
    if path in CREATE_PATHS:
        return "create"
    if path in QUERY_PATHS:
        return "query"
    if path.startswith(FILES_PREFIX):
        return "file"
    return "other"


#: The httpcore trace event of a new TCP connection.
CONNECT_EVENT = "connection.connect_tcp.complete"


class Tally:
    """Responses counted by (kind of call, HTTP status), and the TCP connections opened."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, int]] = Counter()
        self.connections = 0

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """Count httpcore's connection events (a sync ``trace`` extension)."""
        if event == CONNECT_EVENT:
            self.connections += 1

    async def atrace(self, event: str, info: dict[str, Any]) -> None:
        """Count httpcore's connection events (an async ``trace`` extension)."""
        self.trace(event, info)

    def record(self, request: httpx.Request, response: httpx.Response) -> None:
        """Count one exchange."""
        self.counts[(call_kind(request.url.path), response.status_code)] += 1

    def total(self, kind: str | None = None, status: int | None = None) -> int:
        """Return how many responses match ``kind`` and ``status`` (None matches any)."""
        return sum(
            n
            for (k, s), n in self.counts.items()
            if (kind is None or k == kind) and (status is None or s == status)
        )

    def to_dict(self) -> dict[str, Any]:
        """Return ``{kind: {status: count}}``."""
        out: dict[str, dict[str, int]] = {}
        for (kind, status), n in sorted(self.counts.items()):
            out.setdefault(kind, {})[str(status)] = n
        return out


class CountingTransport(httpx.BaseTransport):
    """A sync transport that counts every response of the transport it wraps."""

    def __init__(self, tally: Tally, inner: httpx.BaseTransport | None = None) -> None:
        self.tally = tally
        self.inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send through the wrapped transport and count the answer."""
        request.extensions = {**request.extensions, "trace": self.tally.trace}
        response = self.inner.handle_request(request)
        self.tally.record(request, response)
        return response

    def close(self) -> None:
        """Close the wrapped transport."""
        self.inner.close()


class AsyncCountingTransport(httpx.AsyncBaseTransport):
    """An async transport that counts every response of the transport it wraps."""

    def __init__(self, tally: Tally, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.tally = tally
        self.inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send through the wrapped transport and count the answer."""
        request.extensions = {**request.extensions, "trace": self.tally.atrace}
        response = await self.inner.handle_async_request(request)
        self.tally.record(request, response)
        return response

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self.inner.aclose()
