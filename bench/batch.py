"""Batches through ``AsyncClient.generate_many``: at KIE's documented limits, then at scale.

The emulator and the client run in two separate processes, so the client's memory and CPU are
measured alone (:mod:`bench.batch_worker`). Create times come from the emulator's ledger (when
it accepted and charged each create); 429 answers are counted on the client's transport.
"""

from __future__ import annotations

import math
from typing import Any

from bench.emulator_process import EmulatorProcess
from bench.procs import run_worker
from bench.report import Aim, Figure, Section
from bench.stats import achieved_rate, growth_per_item, per_item, ratio

#: KIE's documented limits: 20 creates per 10 s per account, 10 status queries per second.
KIE_CREATES, KIE_CREATE_WINDOW = 20, 10.0
KIE_QUERIES, KIE_QUERY_WINDOW = 10, 1.0

#: The scale runs raise both limits a hundredfold, on the emulator and the client alike.
SCALE_FACTOR = 100

#: Seconds an emulated task takes in the batch at the limit (two polls with KIE's schedule).
LIMIT_TASK_SECONDS = 1.0
#: Seconds an emulated task takes in the scale runs (polled with the fast schedule).
SCALE_TASK_SECONDS = 0.1
#: Tasks in flight at once in the scale runs (the batch at the limit uses the default, 20).
SCALE_CONCURRENCY = 100
#: How much further the emulator's limits are raised for bare httpx, which has no limiter.
UNLIMITED = 1000

#: The library's default concurrency of generate_many.
DEFAULT_CONCURRENCY = 20


def create_times(state: dict[str, Any]) -> list[float]:
    """Return when the emulator charged each create, in seconds, from its ledger."""
    return [entry["time"] / 1000.0 for entry in state["ledger"] if entry["kind"] == "charge"]


def run_batch(
    *,
    tasks: int,
    creates: int,
    create_window: float,
    queries: int,
    query_window: float,
    task_seconds: float,
    concurrency: int,
    poll: str,
    side: str = "client",
) -> dict[str, Any]:
    """Run one batch against a fresh emulator process and return the worker's measurements.

    The result also holds ``create_times`` (from the emulator's ledger) and the emulator's
    own view: how many tasks it created.
    """
    limits = {
        "creates": creates,
        "create_period": create_window,
        "queries": queries,
        "query_period": query_window,
    }
    # Bare httpx has no limiter: its emulator gets room enough that it never answers 429.
    room = UNLIMITED if side == "raw" else 1
    with EmulatorProcess(
        task_seconds=task_seconds,
        create_limit=creates * room,
        create_window=create_window,
        query_limit=queries * room,
        query_window=query_window,
    ) as emulator:
        minimum = (math.ceil(tasks / creates) - 1) * create_window
        result = run_worker(
            "bench.batch_worker",
            {
                "base_url": emulator.base_url,
                "api_key": emulator.api_key,
                "tasks": tasks,
                "concurrency": concurrency,
                "poll": poll,
                "limits": limits,
                "timeout": 300.0,
                "side": side,
            },
            timeout=minimum + 600.0,
        )
        state = emulator.state()
    result["create_times"] = create_times(state)
    result["emulator_tasks"] = len(state["tasks"])
    result["minimum_seconds"] = minimum
    return result


def _batch_figures(section: Section, label: str, result: dict[str, Any]) -> None:
    tasks = int(result["tasks"])
    section.add(
        Figure(
            f"{label}: 429 answers received",
            float(result["rate_limited"]),
            "",
            aim=Aim("0", 0, at_most=True),
            aim_on="value",
        )
    )
    section.add(Figure(f"{label}: peak RSS", result["peak_rss_kib"] / 1024, "MiB"))
    section.add(
        Figure(
            f"{label}: RSS growth per task",
            growth_per_item(result["peak_rss_kib"], result["rss_before_kib"], tasks),
            "KiB",
        )
    )
    cpu = per_item(result["cpu"], tasks)
    section.add(Figure(f"{label}: CPU per task", cpu * 1000 if cpu is not None else None, "ms"))
    section.add(Figure(f"{label}: requests per task", per_item(result["requests"], tasks), "req"))


def _check_complete(section: Section, label: str, result: dict[str, Any]) -> None:
    tasks = int(result["tasks"])
    if result["succeeded"] != tasks or result["emulator_tasks"] != tasks:
        section.notes.append(
            f"{label}: only {result['succeeded']} of {tasks} tasks succeeded "
            f"(emulator created {result['emulator_tasks']}); errors: {result['errors']}"
        )


def bench_batch(section: Section, *, tasks: int) -> None:
    """Fill ``section``: ``tasks`` tasks at KIE's documented limits, KIE's poll schedule."""
    result = run_batch(
        tasks=tasks,
        creates=KIE_CREATES,
        create_window=KIE_CREATE_WINDOW,
        queries=KIE_QUERIES,
        query_window=KIE_QUERY_WINDOW,
        task_seconds=LIMIT_TASK_SECONDS,
        concurrency=DEFAULT_CONCURRENCY,
        poll="default",
    )
    label = f"{tasks} tasks"
    limit_rate = KIE_CREATES / KIE_CREATE_WINDOW
    achieved = achieved_rate(result["create_times"], KIE_CREATES)
    section.add(
        Figure(
            f"{label}: creates/s sustained",
            achieved,
            "/s",
            baseline=limit_rate,
            baseline_label="the documented limit, 20 per 10 s",
            aim=Aim("at least 95%", 0.95, at_most=False),
            note="ratio = share of the limit",
        )
    )
    section.add(
        Figure(
            f"{label}: wall time",
            result["wall"],
            "s",
            baseline=tasks / limit_rate,
            baseline_label="the tasks' creates at exactly the limit",
        )
    )
    _batch_figures(section, label, result)
    _check_complete(section, label, result)
    _sniffio_figures(section, label, result)
    section.notes.append(
        f"emulator at KIE's limits ({KIE_CREATES} creates/{KIE_CREATE_WINDOW:g} s, "
        f"{KIE_QUERIES} queries/{KIE_QUERY_WINDOW:g} s), task_seconds={LIMIT_TASK_SECONDS}; "
        f"client defaults: shared limits, KIE's poll schedule (2-3 s), concurrency "
        f"{DEFAULT_CONCURRENCY}; no download. Creates/s sustained = least-squares slope of the "
        "creates accepted so far against time, from the emulator's ledger"
    )
    section.notes.append(
        f"generate_many keeps at most `concurrency` tasks in flight, so its create rate is at "
        f"most concurrency / task duration: {DEFAULT_CONCURRENCY} / 60 s = "
        f"{DEFAULT_CONCURRENCY / 60:.2f}/s ({DEFAULT_CONCURRENCY / 60 / limit_rate:.0%} of the "
        "limit) for one-minute generations; reaching the limit with real KIE task times needs "
        "concurrency >= 2/s x task seconds"
    )
    section.details = {"result": _trimmed(result)}


def bench_scale(section: Section, *, sizes: tuple[int, ...]) -> None:
    """Fill ``section``: batches of each size at a hundredfold limit, beside bare httpx.

    Each size runs twice, through the client and with bare httpx (same emulator settings,
    same poll schedule, same concurrency), alternating which goes first.
    """
    creates, queries = KIE_CREATES * SCALE_FACTOR, KIE_QUERIES * SCALE_FACTOR
    results: dict[int, dict[str, dict[str, Any]]] = {}
    for index, tasks in enumerate(sizes):
        results[tasks] = {}
        for side in ("raw", "client") if index % 2 == 0 else ("client", "raw"):
            results[tasks][side] = run_batch(
                tasks=tasks,
                creates=creates,
                create_window=KIE_CREATE_WINDOW,
                queries=queries,
                query_window=KIE_QUERY_WINDOW,
                task_seconds=SCALE_TASK_SECONDS,
                concurrency=SCALE_CONCURRENCY,
                poll="fast",
                side=side,
            )
    for tasks, sides in results.items():
        client, raw = sides["client"], sides["raw"]
        label = f"{tasks} tasks"
        section.add(
            Figure(
                f"{label}: tasks/s",
                ratio(float(tasks), float(client["wall"])),
                "/s",
                baseline=ratio(float(tasks), float(raw["wall"])),
                baseline_label="bare httpx",
            )
        )
        section.add(
            Figure(
                f"{label}: 429 answers received",
                float(client["rate_limited"]),
                "",
                aim=Aim("0", 0, at_most=True),
                aim_on="value",
            )
        )
        section.add(
            Figure(
                f"{label}: CPU per task",
                _cpu_ms(client),
                "ms",
                baseline=_cpu_ms(raw),
                baseline_label="bare httpx",
            )
        )
        section.add(
            Figure(
                f"{label}: RSS growth per task",
                _growth_kib(client),
                "KiB",
                baseline=_growth_kib(raw),
                baseline_label="bare httpx",
            )
        )
        section.add(Figure(f"{label}: peak RSS", client["peak_rss_kib"] / 1024, "MiB"))
        section.add(
            Figure(
                f"{label}: requests per task",
                per_item(client["requests"], tasks),
                "req",
                baseline=per_item(raw["requests"], tasks),
                baseline_label="bare httpx",
            )
        )
        section.add(
            Figure(
                f"{label}: new TCP connections per request",
                per_item(client["connections"], int(client["requests"])),
                "",
                baseline=per_item(raw["connections"], int(raw["requests"])),
                baseline_label="bare httpx",
                note="httpx's pool keeps 20 idle connections: near 1 when requests come in "
                "bursts, near 0 when paced",
            )
        )
        _check_complete(section, label, client)
        _check_complete(section, f"{label} (bare httpx)", raw)
    small, large = min(results), max(results)
    if small != large:
        _growth_figures(section, results[small]["client"], results[large]["client"])
    _sniffio_figures(section, f"{large} tasks", results[large]["client"], results[large]["raw"])
    section.notes.append(
        f"emulator in its own process at {SCALE_FACTOR}x KIE's limits ({creates} creates/"
        f"{KIE_CREATE_WINDOW:g} s, {queries} queries/s), client limiter set to match; "
        f"task_seconds={SCALE_TASK_SECONDS}, fast poll schedule, concurrency "
        f"{SCALE_CONCURRENCY}, no download (status only); bare httpx: the same creates and "
        "polls with httpx.AsyncClient, no limiter (its emulator's limits raised further so it "
        "gets no 429); CPU and RSS are the client process's alone"
    )
    section.details = {
        str(n): {side: _trimmed(r) for side, r in sides.items()} for n, sides in results.items()
    }


def _sniffio_figures(
    section: Section, label: str, result: dict[str, Any], raw: dict[str, Any] | None = None
) -> None:
    """Add the failed ``import sniffio`` lookups and what they cost, when there were any."""
    lookups, requests = int(result.get("sniffio_lookups", 0)), int(result["requests"])
    cost_us = result.get("failed_import_us")
    if not lookups or not requests or cost_us is None:
        return
    per_request = lookups / requests
    section.add(
        Figure(
            f"{label}: failed `import sniffio` per request",
            per_request,
            "",
            baseline=per_item(raw["sniffio_lookups"], int(raw["requests"])) if raw else None,
            baseline_label="bare httpx" if raw else None,
            aim=Aim("0", 0, at_most=True),
            aim_on="value",
        )
    )
    spent = lookups * cost_us / 1e6
    section.notes.append(
        f"sniffio is not installed: httpcore retries `import sniffio` for every async lock "
        f"({per_request:.1f} times per request), each a failed search of sys.path costing "
        f"{cost_us:.0f} us here: about {spent * 1000:.0f} ms, {spent / result['cpu']:.0%} of the "
        f"client's CPU in the {label} run. Installing sniffio (a dependency of kie-core) "
        "makes it one cached import"
    )


def _cpu_ms(result: dict[str, Any]) -> float | None:
    cpu = per_item(result["cpu"], int(result["tasks"]))
    return None if cpu is None else cpu * 1000


def _growth_kib(result: dict[str, Any]) -> float | None:
    return growth_per_item(result["peak_rss_kib"], result["rss_before_kib"], int(result["tasks"]))


def _growth_figures(section: Section, small: dict[str, Any], large: dict[str, Any]) -> None:
    n_small, n_large = int(small["tasks"]), int(large["tasks"])
    flat = Aim("at most 1.25x (flat)", 1.25, at_most=True)
    section.add(
        Figure(
            f"CPU per task at {n_large} vs {n_small}",
            _cpu_ms(large),
            "ms",
            baseline=_cpu_ms(small),
            baseline_label=f"at {n_small} tasks",
            aim=flat,
        )
    )
    section.add(
        Figure(
            f"RSS growth per task at {n_large} vs {n_small}",
            _growth_kib(large),
            "KiB",
            baseline=_growth_kib(small),
            baseline_label=f"at {n_small} tasks",
            aim=flat,
        )
    )
    extra = (large["peak_rss_kib"] - large["rss_before_kib"]) - (
        small["peak_rss_kib"] - small["rss_before_kib"]
    )
    section.add(
        Figure(
            f"RSS per extra task, {n_small} to {n_large}",
            max(0.0, extra) / (n_large - n_small),
            "KiB",
            note="the slope: what each further task adds, without the fixed costs",
        )
    )


def _trimmed(result: dict[str, Any]) -> dict[str, Any]:
    """Return a worker result without the per-create times (kept as a count and a span)."""
    times = result.get("create_times") or []
    out = {k: v for k, v in result.items() if k != "create_times"}
    out["creates_seen"] = len(times)
    out["create_span_seconds"] = (max(times) - min(times)) if times else None
    out["tasks_per_second"] = ratio(float(result["tasks"]), float(result["wall"]))
    return out
