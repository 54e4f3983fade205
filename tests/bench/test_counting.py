"""Counting transports: what the client sent and what came back, by kind of call."""

from __future__ import annotations

import contextlib

import httpx

from bench.counting import AsyncCountingTransport, CountingTransport, Tally, call_kind
from bench.diagnostics import ImportLookups, failed_import_us, importable


def test_calls_are_sorted_by_kind() -> None:
    assert call_kind("/api/v1/jobs/createTask") == "create"
    assert call_kind("/api/v1/veo/generate") == "create"
    assert call_kind("/api/v1/jobs/recordInfo") == "query"
    assert call_kind("/files/abc/task.mp4") == "file"
    assert call_kind("/api/v1/chat/credit") == "other"


def answer(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/api/v1/jobs/createTask":
        return httpx.Response(429, json={"code": 429})
    return httpx.Response(200, json={"code": 200})


def test_the_sync_transport_counts_each_answer() -> None:
    tally = Tally()
    with httpx.Client(transport=CountingTransport(tally, httpx.MockTransport(answer))) as http:
        http.post("http://kie.test/api/v1/jobs/createTask")
        http.get("http://kie.test/api/v1/jobs/recordInfo")
        http.get("http://kie.test/api/v1/jobs/recordInfo")
    assert tally.total() == 3
    assert tally.total(status=429) == 1
    assert tally.total("query") == 2
    assert tally.to_dict() == {"create": {"429": 1}, "query": {"200": 2}}


async def test_the_async_transport_counts_each_answer() -> None:
    tally = Tally()
    transport = AsyncCountingTransport(tally, httpx.MockTransport(answer))
    async with httpx.AsyncClient(transport=transport) as http:
        await http.post("http://kie.test/api/v1/jobs/createTask")
        await http.get("http://kie.test/files/t/v.mp4")
    assert tally.to_dict() == {"create": {"429": 1}, "file": {"200": 1}}


def test_new_connections_are_counted_from_httpcore_traces() -> None:
    tally = Tally()
    tally.trace("connection.connect_tcp.complete", {})
    tally.trace("http11.send_request_headers.started", {})
    assert tally.connections == 1


def test_failed_imports_of_a_missing_module_are_counted() -> None:
    missing = "kie_bench_module_that_does_not_exist"
    lookups = ImportLookups(missing).install()
    try:
        for _ in range(3):
            with contextlib.suppress(ImportError):
                __import__(missing)
        __import__("json")
    finally:
        lookups.remove()
    assert lookups.count == 3
    assert not importable(missing)
    cost = failed_import_us(missing, number=5)
    assert cost is not None
    assert cost > 0
    assert failed_import_us("json") is None
