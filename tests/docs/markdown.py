"""A small reader for the documentation's markdown: headings and the text under each."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

#: The documentation sources.
DOCS = Path(__file__).resolve().parents[2] / "docs"

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*(?:\{[^}]*\})?\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Section:
    """One heading and the markdown under it, up to the next heading of the same or higher level."""

    level: int
    title: str
    body: str

    @property
    def name(self) -> str:
        """The title without backticks (`` `kie_register_models` `` -> ``kie_register_models``)."""
        return self.title.replace("`", "").strip()


def sections(path: Path) -> list[Section]:
    """Return every heading of a markdown file with its section; fenced code is not parsed."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[tuple[int, int, str]] = []
    fenced = False
    for number, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        match = None if fenced else _HEADING.match(line)
        if match:
            found.append((number, len(match.group(1)), match.group(2)))
    result = []
    for index, (number, level, title) in enumerate(found):
        end = len(lines)
        for later, later_level, _ in found[index + 1 :]:
            if later_level <= level:
                end = later
                break
        result.append(Section(level, title, "\n".join(lines[number + 1 : end])))
    return result


def section_named(path: Path, name: str) -> Section | None:
    """Return the first section whose title (without backticks) is ``name``."""
    return next((s for s in sections(path) if s.name == name), None)
