"""The benchmark command line: choosing benchmarks, recording failures, writing the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import cli
from bench.cli import BENCHMARKS, FULL, QUICK, Benchmark, Sizes, selected
from bench.report import Figure, Section


def test_every_benchmark_runs_by_default_in_order() -> None:
    assert [b.name for b in selected([])] == [
        "startup",
        "per-task",
        "batch",
        "scale",
        "downloads",
        "gallery",
        "multiworker",
    ]


def test_only_picks_benchmarks_by_name_in_run_order() -> None:
    assert [b.name for b in selected(["downloads,startup"])] == ["startup", "downloads"]
    assert [b.name for b in selected(["scale", " batch "])] == ["batch", "scale"]


def test_an_unknown_name_is_refused_naming_the_choices() -> None:
    with pytest.raises(ValueError, match="unknown benchmark nope; choose from startup, "):
        selected(["nope"])


def test_the_command_line_refuses_an_unknown_benchmark(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--only", "nope"])
    assert exit_info.value.code == 2
    assert "unknown benchmark nope" in capsys.readouterr().err


def test_quick_sizes_are_smaller_than_the_full_ones() -> None:
    assert QUICK.batch_tasks < FULL.batch_tasks
    assert max(QUICK.download_mb) < max(FULL.download_mb)
    assert max(QUICK.scale_tasks) < max(FULL.scale_tasks)
    assert FULL.scale_tasks == (1_000, 10_000)
    assert FULL.download_mb == (20, 200)
    assert FULL.batch_tasks == 200
    assert FULL.gallery_tasks == 10_000
    assert QUICK.gallery_tasks < FULL.gallery_tasks


def fills(section: Section, sizes: Sizes) -> None:
    section.add(Figure("tasks", float(sizes.batch_tasks), "", baseline=2.0))


def breaks(section: Section, sizes: Sizes) -> None:
    raise RuntimeError("the emulator did not start")


FAKES = (Benchmark("good", "fills its section", fills), Benchmark("bad", "fails", breaks))


def test_a_failing_benchmark_is_recorded_and_the_others_still_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "BENCHMARKS", FAKES)
    output = tmp_path / "report.json"
    assert cli.main(["--quick", "--output", str(output)]) == 1
    data = json.loads(output.read_text())
    good, bad = data["sections"]
    assert good["figures"][0]["value"] == QUICK.batch_tasks
    assert good["figures"][0]["ratio"] == QUICK.batch_tasks / 2
    assert bad["skipped"] == "failed: RuntimeError: the emulator did not start"
    assert "RuntimeError" in bad["details"]["traceback"]
    assert data["options"]["quick"] is True
    assert data["machine"]["cores"] >= 1
    out = capsys.readouterr().out
    assert "skipped: failed: RuntimeError" in out
    assert f"report written to {output}" in out


def test_only_the_chosen_benchmark_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(cli, "BENCHMARKS", FAKES)
    output = tmp_path / "report.json"
    assert cli.main(["--only", "good", "--output", str(output)]) == 0
    data = json.loads(output.read_text())
    assert [s["name"] for s in data["sections"]] == ["good"]
    assert data["sections"][0]["figures"][0]["value"] == FULL.batch_tasks


def test_each_benchmark_has_a_title() -> None:
    assert all(b.title for b in BENCHMARKS)
