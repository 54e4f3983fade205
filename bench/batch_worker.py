"""``python -m bench.batch_worker``: the client side of a batch, measured alone in its process.

Reads a JSON payload on stdin (see :func:`run`), runs ``AsyncClient.generate_many`` against an
emulator that runs in another process, and prints one JSON line: wall and CPU seconds, resident
memory before and at peak, and every response counted by kind and status. With ``"side":
"raw"`` the same batch is done with bare ``httpx.AsyncClient`` calls instead (create, then poll
on the same schedule; no limiter, no parsing beyond the JSON), the floor the client is compared
with.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx

from bench.counting import AsyncCountingTransport, Tally
from bench.diagnostics import SNIFFIO, ImportLookups, failed_import_us
from bench.procs import answer, cpu_seconds, peak_rss_kib, read_payload, rss_kib

#: The model every benchmark task uses (a Market text-to-video model of the kie-kling plugin).
BENCH_MODEL = "kling-2.5-turbo"


RECORD_PATH = "/api/v1/jobs/recordInfo"


async def raw_batch(
    http: httpx.AsyncClient,
    *,
    base_url: str,
    call: Any,
    count: int,
    concurrency: int,
    interval: Callable[[float], float],
) -> tuple[int, Counter[str]]:
    """Do ``count`` tasks with bare httpx, ``concurrency`` at a time; return successes, errors."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(count):
        queue.put_nowait(n)
    done = 0
    errors: Counter[str] = Counter()

    async def one(n: int) -> None:
        body = {**call.body, "input": {**call.body["input"], "prompt": f"benchmark task {n}"}}
        created = (await http.post(base_url + call.path, json=body)).json()
        if created.get("code") != 200:
            raise RuntimeError(f"create refused: {created.get('code')}")
        task_id = created["data"]["taskId"]
        start = time.monotonic()
        while True:
            answer = await http.get(base_url + RECORD_PATH, params={"taskId": task_id})
            record = answer.json()["data"]
            if record["state"] == "success":
                return
            if record["state"] == "fail":
                raise RuntimeError("task failed")
            await asyncio.sleep(interval(time.monotonic() - start))

    async def worker() -> None:
        nonlocal done
        while not queue.empty():
            n = queue.get_nowait()
            try:
                await one(n)
                done += 1
            except Exception as exc:
                errors[type(exc).__name__] += 1

    await asyncio.gather(*(worker() for _ in range(min(concurrency, count))))
    return done, errors


async def run(payload: dict[str, Any]) -> dict[str, Any]:
    """Run one batch.

    Payload keys: ``base_url``, ``api_key``, ``tasks``, ``concurrency``, ``poll`` (``default``
    for KIE's documented schedule or ``fast``), ``limits`` (:class:`RateLimits` fields, or
    null for KIE's documented limits) and ``timeout`` (seconds per task).
    """
    from kie_core.client import AsyncClient
    from kie_core.polling import PollSchedule
    from kie_core.ratelimit import RateLimiter, RateLimits
    from kie_core.request import VideoRequest

    count = int(payload["tasks"])
    limits = RateLimits(**payload["limits"]) if payload.get("limits") else RateLimits()
    poll = PollSchedule.fast(deadline=600.0) if payload.get("poll") == "fast" else PollSchedule()
    tally = Tally()
    client = AsyncClient(
        payload["api_key"],
        base_url=payload["base_url"],
        upload_base_url=payload["base_url"],
        journal=False,
        rate_limiter=RateLimiter(limits),
        poll=poll,
        transport=AsyncCountingTransport(tally),
    )
    requests = [
        VideoRequest(model=BENCH_MODEL, prompt=f"benchmark task {n}", duration=5)
        for n in range(count)
    ]
    concurrency = int(payload["concurrency"])
    client.registry.specs()  # load the plugins before measuring
    raw = payload.get("side") == "raw"
    if raw:
        call = client.prepare(requests[0]).call
        await client.close()
        http = httpx.AsyncClient(
            transport=AsyncCountingTransport(tally),
            headers={"Authorization": f"Bearer {payload['api_key']}"},
            timeout=30.0,
        )
    lookups = ImportLookups(SNIFFIO).install()
    rss_before = rss_kib()
    cpu_before = cpu_seconds()
    start = time.perf_counter()
    if raw:
        async with http:
            succeeded, errors = await raw_batch(
                http,
                base_url=payload["base_url"],
                call=call,
                count=count,
                concurrency=concurrency,
                interval=poll.interval,
            )
    else:
        async with client:
            results = await client.generate_many(
                requests, concurrency=concurrency, timeout=float(payload["timeout"])
            )
        succeeded = sum(1 for r in results if not isinstance(r, Exception))
        errors = Counter(type(r).__name__ for r in results if isinstance(r, Exception))
    wall = time.perf_counter() - start
    cpu = cpu_seconds() - cpu_before
    lookups.remove()
    return {
        "side": "raw" if raw else "client",
        "tasks": count,
        "succeeded": succeeded,
        "errors": dict(errors),
        "wall": wall,
        "cpu": cpu,
        "rss_before_kib": rss_before,
        "rss_after_kib": rss_kib(),
        "peak_rss_kib": peak_rss_kib(),
        "responses": tally.to_dict(),
        "requests": tally.total(),
        "connections": tally.connections,
        "sniffio_lookups": lookups.count,
        "failed_import_us": failed_import_us(SNIFFIO),
        "rate_limited": tally.total(status=429),
        "limits": {
            "creates": limits.creates,
            "create_period": limits.create_period,
            "queries": limits.queries,
            "query_period": limits.query_period,
            "margin": limits.margin,
        },
    }


def main() -> None:
    """Read the payload, run the batch, print the answer."""
    answer(asyncio.run(run(read_payload())))


if __name__ == "__main__":
    main()
