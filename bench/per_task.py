"""Per-task overhead: one task through ``Client.generate`` + download against raw httpx.

The emulator is served on loopback by uvicorn in a thread of this process. Both sides make
the same requests (create, status polls at the same fixed interval, result download) and run
interleaved; their CPU time is the calling thread's alone (the server runs in its own thread).
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.batch_worker import BENCH_MODEL
from bench.counting import CountingTransport, Tally
from bench.emulator_process import BENCH_API_KEY, BENCH_CREDITS
from bench.report import Figure, Section
from bench.stats import median

#: Seconds between two status polls, on both sides.
POLL_INTERVAL = 0.15
#: Seconds an emulated task takes: due between the second and third poll on both sides.
TASK_SECONDS = 0.22
#: Rate limits raised far above what one task at a time uses (on the emulator and the client's
#: limiter alike): this benchmark measures overhead, the batch benchmark measures the limits.
RAISED_LIMIT = 100_000


@dataclass(frozen=True)
class Sample:
    """One task: wall seconds, CPU seconds of the calling thread, requests made."""

    wall: float
    cpu: float
    requests: int


class RawHttpx:
    """The same task done by hand with httpx: create, poll, stream the file to disk."""

    def __init__(self, base_url: str, api_key: str, call: Any, dest: Path) -> None:
        self.tally = Tally()
        self.http = httpx.Client(transport=CountingTransport(self.tally), timeout=30.0)
        self.base_url = base_url
        self.headers = {"Authorization": f"Bearer {api_key}"}
        self.create_path = call.path
        self.body = call.body
        self.dest = dest

    def run(self) -> None:
        """Create one task, poll it every POLL_INTERVAL until it succeeds, download its video."""
        created = self.http.post(
            self.base_url + self.create_path, json=self.body, headers=self.headers
        ).json()
        if created.get("code") != 200:
            raise RuntimeError(f"raw create refused: {created}")
        task_id = created["data"]["taskId"]
        while True:
            record = self.http.get(
                self.base_url + "/api/v1/jobs/recordInfo",
                params={"taskId": task_id},
                headers=self.headers,
            ).json()["data"]
            if record["state"] == "success":
                url = json.loads(record["resultJson"])["resultUrls"][0]
                break
            if record["state"] == "fail":
                raise RuntimeError(f"raw task failed: {record}")
            time.sleep(POLL_INTERVAL)
        with (
            self.http.stream("GET", url) as response,
            (self.dest / f"{task_id}.mp4").open("wb") as out,
        ):
            response.raise_for_status()
            for chunk in response.iter_raw():
                out.write(chunk)

    def close(self) -> None:
        """Close the connections."""
        self.http.close()


class KieClient:
    """The task through the library: ``Client.generate`` then ``Video.download``."""

    def __init__(self, base_url: str, api_key: str, dest: Path, journal: Path | None) -> None:
        from kie_core.client import Client
        from kie_core.journal import Journal
        from kie_core.polling import PollPhase, PollSchedule
        from kie_core.ratelimit import RateLimiter, RateLimits
        from kie_core.request import VideoRequest

        self.tally = Tally()
        self.journal = Journal(journal) if journal is not None else None
        self.client = Client(
            api_key,
            base_url=base_url,
            upload_base_url=base_url,
            journal=self.journal if self.journal is not None else False,
            poll=PollSchedule(
                phases=(PollPhase(math.inf, POLL_INTERVAL, POLL_INTERVAL),),
                deadline=60.0,
                grace=5.0,
            ),
            rate_limiter=RateLimiter(RateLimits(creates=RAISED_LIMIT, queries=RAISED_LIMIT)),
            transport=CountingTransport(self.tally),
        )
        self.dest = dest
        self.count = 0
        self.request = VideoRequest
        self.client.registry.specs()

    def run(self) -> None:
        """Generate one video and download it (each prompt differs: no journal follow-up)."""
        self.count += 1
        request = self.request(model=BENCH_MODEL, prompt=f"per-task {self.count}", duration=5)
        video = self.client.generate(request)
        video.download(self.dest)

    def close(self) -> None:
        """Close the client and the journal."""
        self.client.close()
        if self.journal is not None:
            self.journal.close()


def measure(run: Callable[[], None], tally: Tally) -> Sample:
    """Run one task and return its sample."""
    before = tally.total()
    cpu = time.thread_time()
    start = time.perf_counter()
    run()
    return Sample(time.perf_counter() - start, time.thread_time() - cpu, tally.total() - before)


def bench_per_task(section: Section, *, iterations: int) -> None:
    """Fill ``section`` with the per-task figures."""
    from kie_emulator.config import EmulatorConfig
    from kie_emulator.server import EmulatorServer

    work = Path(tempfile.mkdtemp(prefix="kie-bench-"))
    config = EmulatorConfig(
        api_key=BENCH_API_KEY,
        credits=BENCH_CREDITS,
        task_seconds=TASK_SECONDS,
        create_limit=RAISED_LIMIT,
        query_limit=RAISED_LIMIT,
    )
    with EmulatorServer(config) as server:
        sides: dict[str, Any] = {}
        try:
            client = KieClient(server.base_url, BENCH_API_KEY, work, None)
            sides["client"] = client
            sides["journal"] = KieClient(server.base_url, BENCH_API_KEY, work, work / "j.sqlite3")
            call = client.client.prepare(
                client.request(model=BENCH_MODEL, prompt="per-task", duration=5)
            ).call
            sides["raw"] = RawHttpx(server.base_url, BENCH_API_KEY, call, work)
            samples: dict[str, list[Sample]] = {name: [] for name in sides}
            for side in sides.values():  # warm up: connections, imports, first queries
                side.run()
            for _ in range(iterations):
                for name, side in sides.items():
                    samples[name].append(measure(side.run, side.tally))
                for leftover in work.glob("*.mp4"):
                    leftover.unlink()
        finally:
            for side in sides.values():
                side.close()
            shutil.rmtree(work, ignore_errors=True)
    _figures(section, samples, iterations)


def _figures(section: Section, samples: dict[str, list[Sample]], iterations: int) -> None:
    def med(name: str, what: str) -> float:
        return median(getattr(s, what) for s in samples[name])

    raw_wall, raw_cpu = med("raw", "wall"), med("raw", "cpu")
    section.add(Figure("wall per task, Client", med("client", "wall"), "s", raw_wall, "raw httpx"))
    section.add(
        Figure(
            "wall per task, Client + journal", med("journal", "wall"), "s", raw_wall, "raw httpx"
        )
    )
    section.add(
        Figure(
            "extra wall per task, Client",
            (med("client", "wall") - raw_wall) * 1000,
            "ms",
            note="median of the Client's wall time minus raw httpx's",
        )
    )
    section.add(Figure("CPU per task, Client", med("client", "cpu") * 1000, "ms", raw_cpu * 1000))
    section.add(
        Figure("CPU per task, Client + journal", med("journal", "cpu") * 1000, "ms", raw_cpu * 1000)
    )
    section.add(
        Figure(
            "requests per task, Client", med("client", "requests"), "req", med("raw", "requests")
        )
    )
    section.notes.append(
        f"median of {iterations} interleaved tasks per side; emulator on loopback (uvicorn "
        f"thread), task_seconds={TASK_SECONDS}, both sides poll every {POLL_INTERVAL} s; "
        "requests = create + status polls + result file; CPU = calling thread only"
    )
    section.details = {name: [s.__dict__ for s in items] for name, items in samples.items()}
