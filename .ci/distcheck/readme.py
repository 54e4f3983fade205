"""The install commands the README gives, read from its ``## Install`` section.

A command is one line of a fenced code block in that section. Two kinds are run by ``nox -s
dist`` exactly as written, in a fresh copy of the repository: the from-a-clone form (``pip
install ./ ./plugins/kie-kling``) and the from-built-wheels form (``--find-links dist/``).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

#: The README heading whose code blocks hold the install commands.
INSTALL_HEADING = "## Install"


@dataclass(frozen=True)
class InstallCommand:
    """One install command of the README: the line, its kind and what it installs."""

    line: str
    kind: str
    targets: tuple[str, ...]


def section(markdown: str, heading: str = INSTALL_HEADING) -> str:
    """Return the text under ``heading`` up to the next heading of the same or a higher level.

    Lines starting with ``#`` inside fenced code blocks (shell comments) are not headings.

    Raises:
        ValueError: if the markdown has no such heading.
    """
    level = len(heading) - len(heading.lstrip("#"))
    lines = markdown.splitlines()
    for index, line in enumerate(lines):
        if line.strip() == heading:
            body: list[str] = []
            fenced = False
            for following in lines[index + 1 :]:
                if following.strip().startswith("```"):
                    fenced = not fenced
                match = None if fenced else re.match(r"^(#+)\s", following)
                if match and len(match.group(1)) <= level:
                    break
                body.append(following)
            return "\n".join(body)
    raise ValueError(f"the README has no {heading!r} section")


def code_lines(markdown: str) -> list[str]:
    """Return the lines of the fenced code blocks, without blanks and comment lines."""
    found: list[str] = []
    inside = False
    for line in markdown.splitlines():
        if line.strip().startswith("```"):
            inside = not inside
            continue
        if inside and line.strip() and not line.strip().startswith("#"):
            found.append(line.strip())
    return found


def _install_words(line: str) -> list[str]:
    words = shlex.split(line, comments=True)
    for index, word in enumerate(words):
        if word == "install" and index > 0 and words[index - 1].endswith("pip"):
            rest = words[index + 1 :]
            return rest[: rest.index("&&")] if "&&" in rest else rest
    return []


def _kind(words: list[str]) -> str:
    if any(word.startswith("./") for word in words):
        return "clone"
    if "--find-links" in words:
        return "wheels"
    return "index"


def install_commands(markdown: str) -> list[InstallCommand]:
    """Return every ``pip install`` command of the README's install section.

    The targets of a clone command are the folders it names (``./``, ``./plugins/kie-kling``);
    of the other kinds, the distribution names.
    """
    commands: list[InstallCommand] = []
    for line in code_lines(section(markdown)):
        words = _install_words(line)
        if not words:
            continue
        kind = _kind(words)
        skip_next = False
        targets: list[str] = []
        for word in words:
            if skip_next:
                skip_next = False
            elif word in ("--find-links", "-f", "--python", "-w"):
                skip_next = True
            elif not word.startswith("-"):
                targets.append(word)
        commands.append(InstallCommand(line=line, kind=kind, targets=tuple(targets)))
    return commands


def folder_of(target: str, root: Path) -> Path:
    """Return the folder a clone-form target names, relative to the repository root."""
    return (root / target).resolve()
