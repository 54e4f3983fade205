"""The benchmark report: figures with their baselines and aims, as JSON and as a table."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from bench.stats import ratio

#: Where ``python -m bench`` writes its report by default (gitignored).
DEFAULT_REPORT = Path("bench-report.json")

#: Version of the report's JSON layout.
REPORT_FORMAT = 1


@dataclass(frozen=True)
class Aim:
    """A target a figure should meet.

    Attributes:
        text: how the aim reads in the table ("under 2x", "at least 95%").
        limit: the bound.
        at_most: True when the figure must not exceed ``limit``, False when it must reach it.
    """

    text: str
    limit: float
    at_most: bool

    def met(self, measured: float | None) -> bool | None:
        """Return whether ``measured`` meets the aim (None when nothing was measured)."""
        if measured is None or not math.isfinite(measured):
            return None
        return measured <= self.limit if self.at_most else measured >= self.limit

    def to_dict(self) -> dict[str, Any]:
        """Return the aim as a JSON-ready mapping."""
        return {"text": self.text, "limit": self.limit, "at_most": self.at_most}


@dataclass
class Figure:
    """One measured figure, optionally beside a baseline and against an aim.

    Attributes:
        label: what was measured.
        value: the measurement, in ``unit`` (None when it could not be taken).
        unit: the unit of ``value`` and ``baseline``.
        baseline: the same measurement of the baseline, taken in the same run.
        baseline_label: what the baseline is.
        aim: the target, checked against the ratio (``aim_on="ratio"``) or the value.
        aim_on: which number the aim applies to.
        note: a short remark shown in the JSON.
    """

    label: str
    value: float | None
    unit: str
    baseline: float | None = None
    baseline_label: str | None = None
    aim: Aim | None = None
    aim_on: Literal["ratio", "value"] = "ratio"
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """``value / baseline``, when both exist."""
        if self.value is None or self.baseline is None:
            return None
        return ratio(self.value, self.baseline)

    @property
    def met(self) -> bool | None:
        """Whether the aim is met (None without an aim or a measurement)."""
        if self.aim is None:
            return None
        return self.aim.met(self.ratio if self.aim_on == "ratio" else self.value)

    def to_dict(self) -> dict[str, Any]:
        """Return the figure as a JSON-ready mapping."""
        return {
            "label": self.label,
            "value": self.value,
            "unit": self.unit,
            "baseline": self.baseline,
            "baseline_label": self.baseline_label,
            "ratio": self.ratio,
            "aim": self.aim.to_dict() if self.aim is not None else None,
            "aim_on": self.aim_on if self.aim is not None else None,
            "met": self.met,
            "note": self.note,
        }


@dataclass
class Section:
    """The outcome of one benchmark.

    Attributes:
        name: the benchmark's name (as given to ``--only``).
        title: a one-line description.
        figures: the figures, in table order.
        notes: what the reader must know to read them (settings, shortfalls and causes).
        details: raw measurements for the JSON report.
        skipped: why the benchmark did not run, if it did not.
        seconds: how long the benchmark took.
    """

    name: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    skipped: str | None = None
    seconds: float = 0.0

    def add(self, figure: Figure) -> Figure:
        """Append a figure and return it."""
        self.figures.append(figure)
        return figure

    @property
    def misses(self) -> list[Figure]:
        """The figures whose aim was not met."""
        return [f for f in self.figures if f.met is False]

    def to_dict(self) -> dict[str, Any]:
        """Return the section as a JSON-ready mapping."""
        return {
            "name": self.name,
            "title": self.title,
            "skipped": self.skipped,
            "seconds": round(self.seconds, 3),
            "figures": [f.to_dict() for f in self.figures],
            "notes": list(self.notes),
            "details": self.details,
        }


@dataclass
class Report:
    """Every section of one run and the machine it ran on."""

    machine: dict[str, Any]
    options: dict[str, Any]
    sections: list[Section] = field(default_factory=list)
    started_at: str = ""
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Return the report as a JSON-ready mapping."""
        return {
            "format": REPORT_FORMAT,
            "started_at": self.started_at,
            "seconds": round(self.seconds, 3),
            "machine": self.machine,
            "options": self.options,
            "sections": [s.to_dict() for s in self.sections],
            "misses": [
                {"section": s.name, "label": f.label, "aim": f.aim.text if f.aim else None}
                for s in self.sections
                for f in s.misses
            ],
        }

    def write(self, path: Path) -> Path:
        """Write the JSON report to ``path`` (atomically) and return it."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.part")
        partial.write_text(json.dumps(self.to_dict(), indent=2, allow_nan=False) + "\n")
        partial.replace(path)
        return path

    def render(self) -> str:
        """Return the report as a plain-text table."""
        machine = self.machine
        lines = [
            f"kie benchmarks - {machine.get('cores')} cores, {machine.get('cpu_model')}, "
            f"Python {machine.get('python')} - {self.seconds:.0f} s",
        ]
        for section in self.sections:
            lines += ["", f"== {section.name}: {section.title} ({section.seconds:.0f} s)"]
            if section.skipped:
                lines.append(f"   skipped: {section.skipped}")
                continue
            lines += _table(section.figures)
            lines += [f"   * {note}" for note in section.notes]
        return "\n".join(lines)


_HEADERS = ("figure", "value", "baseline", "ratio", "aim", "met")


def _table(figures: list[Figure]) -> list[str]:
    rows = [
        (
            f.label,
            format_value(f.value, f.unit),
            format_value(f.baseline, f.unit) if f.baseline is not None else "",
            format_ratio(f.ratio),
            f.aim.text if f.aim is not None else "",
            {True: "yes", False: "NO", None: ""}[f.met],
        )
        for f in figures
    ]
    widths = [max(len(row[i]) for row in [_HEADERS, *rows]) for i in range(len(_HEADERS))]

    def line(cells: tuple[str, ...]) -> str:
        first, *rest = cells
        out = [first.ljust(widths[0])] + [c.rjust(w) for c, w in zip(rest, widths[1:], strict=True)]
        return ("   " + "  ".join(out)).rstrip()

    return [line(_HEADERS), "   " + "-" * (sum(widths) + 2 * (len(widths) - 1))] + [
        line(row) for row in rows
    ]


def format_value(value: float | None, unit: str) -> str:
    """Return ``value`` with three significant figures (or an integer) and its unit."""
    if value is None:
        return "n/a"
    if unit == "%":
        return f"{value * 100:.1f}%"
    if float(value).is_integer():
        text = f"{int(value)}"
    else:
        digits = max(0, 2 - math.floor(math.log10(abs(value))))
        text = f"{value:.{digits}f}"
    return f"{text} {unit}".rstrip()


def format_ratio(value: float | None) -> str:
    """Return a ratio as ``1.23x`` (empty when there is none)."""
    return "" if value is None else f"{value:.2f}x"
