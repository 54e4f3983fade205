"""The gallery's first page: a journal of 10,000 tasks against one of 10, as a ratio.

Both journals hold the same kind of entries (Kling tasks with their saved video on disk); the
pages are served in process (starlette's test client, no sockets) and the two sizes are
requested in alternation so load elsewhere hits both alike. The medians are compared. A deep
page (keyset, near the oldest task) and a filtered, searched view of the large journal are
measured beside them.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from bench.report import Aim, Figure, Section
from bench.stats import median

#: The aim: the first page of the large journal within twice the time of the small one's.
FIRST_PAGE_AIM = Aim("under 2x", 2.0, at_most=True)

#: The small journal's size.
SMALL = 10

PROMPTS = (
    "a red fox runs through fresh snow at dawn",
    "a paper boat drifts down a rainy street",
    "a lighthouse beam sweeps over a stormy sea",
    "a kite climbs over the dunes at noon",
)


def fill_journal(path: Path, tasks: int, video: Path) -> None:
    """Write ``tasks`` downloaded Kling tasks (every tenth failed) into a new journal."""
    from kie_core.journal import Journal
    from kie_core.status import TaskHandle, TaskState, TaskStatus

    with Journal(path) as journal:
        for number in range(tasks):
            prompt = f"{PROMPTS[number % len(PROMPTS)]} (take {number})"
            model = "kling-2.5-turbo" if number % 3 else "wan-2.5"
            entry = journal.begin(
                fingerprint=f"bench-{number}",
                model=model,
                provider=model.split("-", maxsplit=1)[0],
                family="market",
                kie_model="kling/v2-5-turbo-text-to-video-pro",
                endpoint="POST /api/v1/jobs/createTask",
                payload={
                    "model": "kling/v2-5-turbo-text-to-video-pro",
                    "input": {"prompt": prompt, "duration": "5", "aspect_ratio": "16:9"},
                },
                base_url="http://127.0.0.1:1",
                estimated_credits=42.0,
            )
            task_id = f"task{number:08d}"
            handle = TaskHandle(task_id=task_id, model=model, provider="kling", family="market")
            journal.created(entry, handle)
            if number % 10 == 9:
                reading = TaskStatus(task_id=task_id, state=TaskState.FAILED, fail_code="500")
                journal.record_status(task_id, reading)
            else:
                journal.downloaded(task_id, str(video), "0" * 64, video.stat().st_size)


def _client(journal_path: Path) -> Any:
    from kie_gallery.app import GalleryConfig, create_app
    from starlette.testclient import TestClient

    from kie_core.journal import Journal
    from kie_core.registry import default_registry

    config = GalleryConfig(journal=Journal(journal_path), registry=default_registry())
    return TestClient(create_app(config), base_url="http://127.0.0.1")


def _time_get(client: Any, url: str) -> float:
    began = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - began
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return elapsed


def bench_gallery(section: Section, *, tasks: int, runs: int) -> None:
    """Fill both journals, then time the first page of each, alternating, ``runs`` times."""
    try:
        import kie_gallery  # noqa: F401
    except ImportError:
        section.skipped = "kie-gallery is not installed"
        return
    from kie_emulator.media import sample_bytes

    with tempfile.TemporaryDirectory(prefix="kie-bench-gallery-") as folder:
        root = Path(folder)
        video = root / "sample.mp4"
        video.write_bytes(sample_bytes("sample.mp4"))
        began = time.perf_counter()
        fill_journal(root / "small.sqlite3", SMALL, video)
        fill_journal(root / "large.sqlite3", tasks, video)
        section.details["fill_seconds"] = time.perf_counter() - began
        small, large = _client(root / "small.sqlite3"), _client(root / "large.sqlite3")
        deep = f"/?before={max(2, tasks // 100)}"
        filtered = "/?model=kling-2.5-turbo&state=downloaded&q=lighthouse"
        cases = {"small": (small, "/"), "large": (large, "/"), "deep": (large, deep)}
        cases["filtered"] = (large, filtered)
        timings: dict[str, list[float]] = {name: [] for name in cases}
        for client, url in cases.values():  # warm templates, caches and the page cache
            _time_get(client, url)
        for _ in range(runs):
            for name, (client, url) in cases.items():
                timings[name].append(_time_get(client, url))
        small.close()
        large.close()
    wall = {name: median(values) for name, values in timings.items()}
    section.details["timings"] = timings
    baseline = f"first page, {SMALL}-task journal"
    section.add(
        Figure(
            f"first page, {tasks:,}-task journal",
            wall["large"],
            "s",
            wall["small"],
            baseline,
            aim=FIRST_PAGE_AIM,
        )
    )
    section.add(
        Figure(f"a page near the oldest of {tasks:,}", wall["deep"], "s", wall["small"], baseline)
    )
    section.add(
        Figure(
            f"model + state + text filter over {tasks:,}",
            wall["filtered"],
            "s",
            wall["small"],
            baseline,
        )
    )
    section.notes.append(
        f"median of {runs} GETs per page served in process (starlette TestClient); the grid "
        "shows 12 cards per page, the spend totals and model list cover the whole filtered view"
    )
