"""The report: aims, ratios, the JSON file and the table."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from bench.report import Aim, Figure, Report, Section, format_ratio, format_value

UNDER_2X = Aim("under 2x", 2.0, at_most=True)
AT_LEAST_95 = Aim("at least 95%", 0.95, at_most=False)


def test_aims_in_both_directions() -> None:
    assert UNDER_2X.met(1.5) is True
    assert UNDER_2X.met(2.5) is False
    assert AT_LEAST_95.met(0.97) is True
    assert AT_LEAST_95.met(0.9) is False
    assert AT_LEAST_95.met(None) is None
    assert AT_LEAST_95.met(math.nan) is None


def test_a_figure_checks_its_aim_against_the_ratio() -> None:
    figure = Figure("kie models --json", 0.6, "s", baseline=0.25, aim=UNDER_2X)
    assert figure.ratio == pytest.approx(2.4)
    assert figure.met is False


def test_a_figure_can_check_its_aim_against_the_value() -> None:
    figure = Figure("429s", 0.0, "", aim=Aim("0", 0, at_most=True), aim_on="value")
    assert figure.ratio is None
    assert figure.met is True


def test_without_a_measurement_nothing_is_met_or_missed() -> None:
    figure = Figure("throughput", None, "MB/s", baseline=100.0, aim=AT_LEAST_95)
    assert figure.ratio is None
    assert figure.met is None


def make_report() -> Report:
    startup = Section("startup", "start-up")
    startup.add(Figure("kie models --json", 0.6, "s", baseline=0.25, aim=UNDER_2X))
    startup.add(Figure("kie --help", 0.2, "s", baseline=0.25))
    startup.notes.append("median of 3 runs")
    skipped = Section("downloads", "downloads", skipped="curl is not installed")
    return Report(
        machine={"cores": 2, "cpu_model": "Test CPU", "python": "3.11.7"},
        options={"quick": True},
        sections=[startup, skipped],
        started_at="2026-11-28T00:00:00+00:00",
        seconds=12.0,
    )


def test_the_json_report_holds_every_figure_and_the_misses(tmp_path: Path) -> None:
    path = make_report().write(tmp_path / "out" / "bench-report.json")
    data = json.loads(path.read_text())
    assert data["machine"]["cpu_model"] == "Test CPU"
    startup, downloads = data["sections"]
    assert startup["figures"][0]["ratio"] == pytest.approx(2.4)
    assert startup["figures"][0]["met"] is False
    assert startup["figures"][0]["aim"] == {"text": "under 2x", "limit": 2.0, "at_most": True}
    assert downloads["skipped"] == "curl is not installed"
    assert data["misses"] == [
        {"section": "startup", "label": "kie models --json", "aim": "under 2x"}
    ]
    assert not list(tmp_path.glob("out/.*.part"))


def test_the_table_shows_machine_ratios_aims_and_skips() -> None:
    text = make_report().render()
    assert "2 cores, Test CPU, Python 3.11.7" in text
    assert "2.40x" in text
    assert "under 2x" in text
    line = next(row for row in text.splitlines() if "kie models --json" in row)
    assert line.rstrip().endswith("NO")
    assert "skipped: curl is not installed" in text
    assert "* median of 3 runs" in text


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (None, "s", "n/a"),
        (0.0, "", "0"),
        (5.0, "req", "5 req"),
        (0.01234, "s", "0.0123 s"),
        (2.345, "ms", "2.35 ms"),
        (1234.5, "MB/s", "1234 MB/s"),
        (0.975, "%", "97.5%"),
    ],
)
def test_format_value(value: float | None, unit: str, expected: str) -> None:
    assert format_value(value, unit) == expected


def test_format_ratio() -> None:
    assert format_ratio(1.234) == "1.23x"
    assert format_ratio(None) == ""
