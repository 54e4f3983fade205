"""Downloads: a large result file over loopback with the client's downloader, against curl.

The emulator (in its own process) serves a result padded to the configured size. Each
repetition runs curl and then the client (or the other way round, alternating), each in its
own process, so each peak memory figure is that download's alone. Throughput is curl's own
transfer time (``-w %{time_total}``) against the time of the client's ``download_file`` call:
neither includes process start-up.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from bench.batch_worker import BENCH_MODEL
from bench.emulator_process import EmulatorProcess
from bench.procs import run_timed, run_worker
from bench.report import Aim, Figure, Section
from bench.stats import median, throughput

MB = 1_000_000

#: Where curl is expected.
CURL = "/usr/bin/curl"


def find_curl() -> str | None:
    """Return the path of curl, or None when it is not installed."""
    if Path(CURL).exists():
        return CURL
    return shutil.which("curl")


def result_url(emulator: EmulatorProcess) -> str:
    """Generate one task on the emulator and return its result file's URL."""
    from kie_core.client import Client
    from kie_core.polling import PollSchedule
    from kie_core.request import VideoRequest

    with Client(
        emulator.api_key,
        base_url=emulator.base_url,
        upload_base_url=emulator.base_url,
        journal=False,
        poll=PollSchedule.fast(deadline=60.0),
    ) as client:
        video = client.generate(VideoRequest(model=BENCH_MODEL, prompt="download", duration=5))
        return video.url


def curl_once(curl: str, url: str, dest: Path) -> dict[str, Any]:
    """Download with curl; return its transfer time, size, CPU and peak memory."""
    stats = dest.with_suffix(".curl")
    timed = run_timed(
        [curl, "-sS", "-f", "-o", str(dest), "-w", "%{time_total} %{size_download}", url],
        stdout=stats,
        sample_memory=True,
    )
    if timed.returncode != 0:
        raise RuntimeError(f"curl failed with exit code {timed.returncode}")
    seconds, size = stats.read_text().split()
    stats.unlink()
    return {
        "wall": float(seconds),
        "size": int(float(size)),
        "cpu": timed.cpu,
        "peak_rss_kib": timed.peak_rss_kib,
    }


def worker_once(tool: str, url: str, dest: Path) -> dict[str, Any]:
    """Download with ``tool`` (``client`` or ``raw`` httpx) in a worker process."""
    return run_worker(
        "bench.download_worker",
        {"url": url, "dest_dir": str(dest.parent), "filename": dest.name, "tool": tool},
        timeout=600.0,
    )


TOOLS = ("curl", "raw", "raw+sha256", "raw+sha256+fsync", "client")
"""What downloads each file: curl, bare httpx streaming to disk (then also hashing, then also
flushing to disk, as the client does), and the client's downloader."""


def bench_downloads(section: Section, *, sizes_mb: tuple[int, ...], repeats: int) -> None:
    """Fill ``section`` with throughput and memory figures for each size."""
    curl = find_curl()
    if curl is None:
        section.skipped = f"curl is not installed (looked for {CURL} and on PATH)"
        return
    work = Path(tempfile.mkdtemp(prefix="kie-bench-dl-"))
    runs: dict[int, dict[str, list[dict[str, Any]]]] = {}
    try:
        with EmulatorProcess(task_seconds=0.0) as emulator:
            for size_mb in sizes_mb:
                emulator.control("POST", "config", {"result_bytes": size_mb * MB})
                url = result_url(emulator)
                runs[size_mb] = {tool: [] for tool in TOOLS}
                for n in range(repeats):
                    shift = n % len(TOOLS)
                    for tool in TOOLS[shift:] + TOOLS[:shift]:
                        dest = work / f"{tool}-{size_mb}.mp4"
                        if tool == "curl":
                            outcome = curl_once(curl, url, dest)
                        else:
                            outcome = worker_once(tool, url, dest)
                        if outcome["size"] != size_mb * MB:
                            raise RuntimeError(f"{tool} got {outcome['size']} bytes of {url}")
                        runs[size_mb][tool].append(outcome)
                        dest.unlink()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _figures(section, runs, repeats)


def _figures(
    section: Section, runs: dict[int, dict[str, list[dict[str, Any]]]], repeats: int
) -> None:
    def med(size_mb: int, tool: str, key: str) -> float | None:
        values = [r[key] for r in runs[size_mb][tool]]
        if any(v is None for v in values):
            return None
        return median(float(v) for v in values)

    def mib(kib: float | None) -> float | None:
        return None if kib is None else kib / 1024

    def rate(size_mb: int, tool: str) -> float | None:
        wall = med(size_mb, tool, "wall")
        return None if wall is None else throughput(size_mb * MB, wall)

    largest, smallest = max(runs), min(runs)
    for size_mb in sorted(runs):
        aim = Aim("at least 0.9x", 0.9, at_most=False) if size_mb == largest else None
        section.add(
            Figure(
                f"{size_mb} MB: throughput, client",
                rate(size_mb, "client"),
                "MB/s",
                baseline=rate(size_mb, "curl"),
                baseline_label="curl",
                aim=aim,
            )
        )
        section.add(
            Figure(
                f"{size_mb} MB: throughput, bare httpx",
                rate(size_mb, "raw"),
                "MB/s",
                baseline=rate(size_mb, "curl"),
                baseline_label="curl",
            )
        )
        for tool, label in (
            ("raw+sha256", "bare httpx + SHA-256"),
            ("raw+sha256+fsync", "bare httpx + SHA-256 + fsync"),
            ("client", "client"),
        ):
            section.add(
                Figure(
                    f"{size_mb} MB: throughput, {label} vs bare httpx",
                    rate(size_mb, tool),
                    "MB/s",
                    baseline=rate(size_mb, "raw"),
                    baseline_label="bare httpx",
                )
            )
        section.add(
            Figure(
                f"{size_mb} MB: CPU, client",
                med(size_mb, "client", "cpu"),
                "s",
                baseline=med(size_mb, "curl", "cpu"),
                baseline_label="curl",
            )
        )
        section.add(
            Figure(
                f"{size_mb} MB: peak RSS, client",
                mib(med(size_mb, "client", "peak_rss_kib")),
                "MiB",
                baseline=mib(med(size_mb, "curl", "peak_rss_kib")),
                baseline_label="curl (sampled)",
            )
        )
        peak, before = (
            med(size_mb, "client", "peak_rss_kib"),
            med(size_mb, "client", "rss_before_kib"),
        )
        section.add(
            Figure(
                f"{size_mb} MB: RSS growth during the download, client",
                mib(max(0.0, peak - before)) if peak is not None and before is not None else None,
                "MiB",
            )
        )
    if smallest != largest:
        section.add(
            Figure(
                f"peak RSS, client, {largest} MB vs {smallest} MB",
                mib(med(largest, "client", "peak_rss_kib")),
                "MiB",
                baseline=mib(med(smallest, "client", "peak_rss_kib")),
                baseline_label=f"{smallest} MB",
                aim=Aim("at most 1.1x (independent of size)", 1.1, at_most=True),
            )
        )
    section.notes.append(
        f"median of {repeats} rotating runs per tool and size, each in its own process; "
        "emulator in its own process on loopback; the client verifies (SHA-256), fsyncs and "
        "renames the file, bare httpx and curl only write it; all write to one temporary folder"
    )
    section.details = {
        str(size_mb): {tool: items for tool, items in tools.items()}
        for size_mb, tools in runs.items()
    }
