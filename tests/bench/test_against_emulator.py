"""The benchmark plumbing against a real emulator, at the smallest sizes (no timing checked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.batch import create_times, run_batch
from bench.downloads import worker_once
from bench.emulator_process import EmulatorProcess
from bench.per_task import bench_per_task
from bench.report import Section


def test_the_emulator_process_serves_and_stops() -> None:
    emulator = EmulatorProcess(task_seconds=0.0, create_limit=7)
    with emulator:
        state = emulator.state()
        assert state["config"]["create_limit"] == 7
        assert state["config"]["api_key"] == "***"
        assert state["tasks"] == []
        pid = emulator.pid
    assert pid > 0
    with pytest.raises(RuntimeError, match="not running"):
        _ = emulator.pid


def test_create_times_are_read_from_the_ledger() -> None:
    state = {
        "ledger": [
            {"kind": "set", "time": 1000},
            {"kind": "charge", "time": 2500},
            {"kind": "refund", "time": 3000},
            {"kind": "charge", "time": 4000},
        ]
    }
    assert create_times(state) == [2.5, 4.0]


@pytest.mark.parametrize("side", ["client", "raw"])
def test_a_small_batch_is_counted_on_both_sides(side: str) -> None:
    result = run_batch(
        tasks=4,
        creates=1000,
        create_window=10.0,
        queries=1000,
        query_window=1.0,
        task_seconds=0.0,
        concurrency=2,
        poll="fast",
        side=side,
    )
    assert result["side"] == side
    assert result["succeeded"] == 4
    assert result["emulator_tasks"] == 4
    assert len(result["create_times"]) == 4
    assert result["responses"]["create"] == {"200": 4}
    assert result["rate_limited"] == 0
    assert result["peak_rss_kib"] >= result["rss_before_kib"] > 0


def test_per_task_runs_the_same_requests_on_both_sides() -> None:
    section = Section("per-task", "test")
    bench_per_task(section, iterations=1)
    figures = {f.label: f for f in section.figures}
    requests = figures["requests per task, Client"]
    assert requests.baseline is not None
    assert requests.value is not None
    assert requests.value >= 3  # a create, at least one poll, the file
    assert requests.baseline >= 3
    assert set(section.details) == {"client", "journal", "raw"}


def test_the_download_workers_fetch_the_whole_file(tmp_path: Path) -> None:
    from bench.downloads import result_url

    size = 1_000_000
    with EmulatorProcess(task_seconds=0.0, result_bytes=size) as emulator:
        url = result_url(emulator)
        for tool in ("client", "raw+sha256+fsync"):
            dest = tmp_path / f"{tool}.mp4"
            outcome = worker_once(tool, url, dest)
            assert outcome["size"] == size
            assert dest.stat().st_size == size
            assert outcome["peak_rss_kib"] >= outcome["rss_before_kib"]
