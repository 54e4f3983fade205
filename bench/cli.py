"""The command line of the benchmarks: which to run, at which sizes, where the report goes."""

from __future__ import annotations

import argparse
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import machine
from bench.report import DEFAULT_REPORT, Report, Section


@dataclass(frozen=True)
class Sizes:
    """How much work each benchmark does (the full run, or ``--quick``)."""

    startup_runs: int
    profile_runs: int
    per_task_iterations: int
    batch_tasks: int
    scale_tasks: tuple[int, ...]
    download_mb: tuple[int, ...]
    download_repeats: int
    gallery_tasks: int = 10_000
    gallery_runs: int = 30
    multiworker_tasks: int = 200


FULL = Sizes(
    startup_runs=15,
    profile_runs=3,
    per_task_iterations=20,
    batch_tasks=200,
    scale_tasks=(1_000, 10_000),
    download_mb=(20, 200),
    download_repeats=3,
)
"""The sizes the issue asks for (about five minutes on two cores)."""

QUICK = Sizes(
    startup_runs=5,
    profile_runs=1,
    per_task_iterations=5,
    batch_tasks=40,
    scale_tasks=(200, 2_000),
    download_mb=(5, 50),
    download_repeats=2,
    gallery_tasks=2_000,
    gallery_runs=10,
    multiworker_tasks=40,
)
"""A fast check (about a minute): the same benchmarks at smaller sizes."""


@dataclass(frozen=True)
class Benchmark:
    """A benchmark: its name, a one-line title, and what fills its section."""

    name: str
    title: str
    run: Callable[[Section, Sizes], None]


def _startup(section: Section, sizes: Sizes) -> None:
    from bench.startup import bench_startup

    bench_startup(section, runs=sizes.startup_runs, profile_runs=sizes.profile_runs)


def _per_task(section: Section, sizes: Sizes) -> None:
    from bench.per_task import bench_per_task

    bench_per_task(section, iterations=sizes.per_task_iterations)


def _batch(section: Section, sizes: Sizes) -> None:
    from bench.batch import bench_batch

    bench_batch(section, tasks=sizes.batch_tasks)


def _scale(section: Section, sizes: Sizes) -> None:
    from bench.batch import bench_scale

    bench_scale(section, sizes=sizes.scale_tasks)


def _downloads(section: Section, sizes: Sizes) -> None:
    from bench.downloads import bench_downloads

    bench_downloads(section, sizes_mb=sizes.download_mb, repeats=sizes.download_repeats)


def _gallery(section: Section, sizes: Sizes) -> None:
    from bench.gallery import bench_gallery

    bench_gallery(section, tasks=sizes.gallery_tasks, runs=sizes.gallery_runs)


def _multiworker(section: Section, sizes: Sizes) -> None:
    from bench.multiworker import bench_multiworker

    bench_multiworker(section, tasks=sizes.multiworker_tasks)


BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark("startup", "kie --help and kie models --json against bare interpreters", _startup),
    Benchmark("per-task", "one task through Client.generate against raw httpx", _per_task),
    Benchmark("batch", "a batch through AsyncClient at KIE's documented limits", _batch),
    Benchmark("scale", "larger batches at raised limits: cost per task as N grows", _scale),
    Benchmark("downloads", "a large result file: the client's downloader against curl", _downloads),
    Benchmark("gallery", "kie gallery's first page: 10,000 tasks against 10", _gallery),
    Benchmark(
        "multiworker",
        "three kie workers on one account (PostgreSQL): the shared limit, CPU per task",
        _multiworker,
    ),
)
"""Every benchmark, in the order they run."""

NAMES = tuple(b.name for b in BENCHMARKS)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser."""
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmarks of kie, side by side with baselines (read the ratios).",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smaller sizes: a fast check, not the figures"
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help=f"run only this benchmark (repeatable or comma-separated): {', '.join(NAMES)}",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_REPORT,
        help=f"where to write the JSON report (default: {DEFAULT_REPORT})",
    )
    return parser


def selected(only: Sequence[str], benchmarks: Sequence[Benchmark] | None = None) -> list[Benchmark]:
    """Return the benchmarks named in ``only`` (all when empty), in their run order.

    Args:
        only: names, each possibly a comma-separated list.
        benchmarks: the benchmarks to choose from (default: every benchmark).

    Raises:
        ValueError: a name is not a benchmark's.
    """
    benchmarks = BENCHMARKS if benchmarks is None else benchmarks
    known = [b.name for b in benchmarks]
    names = {n.strip() for item in only for n in item.split(",") if n.strip()}
    unknown = names - set(known)
    if unknown:
        raise ValueError(
            f"unknown benchmark {', '.join(sorted(unknown))}; choose from {', '.join(known)}"
        )
    return [b for b in benchmarks if not names or b.name in names]


def run(benchmarks: Sequence[Benchmark], sizes: Sizes, *, quick: bool) -> Report:
    """Run ``benchmarks`` and return the report (a failing benchmark is recorded, not raised)."""
    report = Report(
        machine=machine.describe(),
        options={"quick": quick, "only": [b.name for b in benchmarks], "sizes": asdict(sizes)},
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    start = time.perf_counter()
    for benchmark in benchmarks:
        section = Section(benchmark.name, benchmark.title)
        print(f"running {benchmark.name}: {benchmark.title} ...", flush=True)
        began = time.perf_counter()
        try:
            benchmark.run(section, sizes)
        except Exception as exc:
            section.skipped = f"failed: {type(exc).__name__}: {exc}"
            section.details["traceback"] = traceback.format_exc()
        section.seconds = time.perf_counter() - began
        report.sections.append(section)
    report.seconds = time.perf_counter() - start
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen benchmarks; print the table; write the report.

    Returns:
        0 when every chosen benchmark ran (aims missed or not), 1 when one failed.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        benchmarks = selected(args.only)
    except ValueError as exc:
        parser.error(str(exc))
    report = run(benchmarks, QUICK if args.quick else FULL, quick=args.quick)
    report.options["output"] = str(args.output)
    path = report.write(args.output)
    print()
    print(report.render())
    print(f"\nreport written to {path}")
    return 1 if any(s.skipped and s.skipped.startswith("failed") for s in report.sections) else 0
