"""The distributions of the workspace and what each ``pyproject.toml`` declares."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Where distributions live below the workspace root, besides the root itself.
MEMBER_GLOBS = ("plugins/*/pyproject.toml", "docs/examples/*/pyproject.toml")

#: The entry point group of provider plugins.
PROVIDERS_GROUP = "kie.providers"


@dataclass(frozen=True)
class Distribution:
    """One distribution of the workspace, as its ``pyproject.toml`` declares it."""

    name: str
    version: str
    path: Path
    packages: tuple[str, ...]
    entry_points: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    dependencies: tuple[str, ...] = ()
    optional_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    typed: bool = False
    example: bool = False
    root: bool = False

    @property
    def stem(self) -> str:
        """The name as wheel and sdist file names spell it (``kie_core``)."""
        return self.name.replace("-", "_").replace(".", "_").lower()

    @property
    def providers(self) -> Mapping[str, str]:
        """The provider plugins it registers (``kie.providers`` entry points)."""
        return self.entry_points.get(PROVIDERS_GROUP, {})

    @property
    def serves_emulator(self) -> bool:
        """Whether it ships the KIE emulator: a ``kie emulator`` command or its pytest plugin."""
        pytest_plugins = self.entry_points.get("pytest11", {})
        return "emulator" in self.entry_points.get("kie.commands", {}) or any(
            "emulator" in f"{name} {value}" for name, value in pytest_plugins.items()
        )

    @property
    def tests(self) -> Path | None:
        """Its own test folder beside its pyproject (members only: the root's is the core suite)."""
        folder = self.path / "tests"
        return folder if folder.is_dir() and not self.root else None


def _entry_points(project: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    groups: dict[str, dict[str, str]] = {
        group: dict(entries) for group, entries in project.get("entry-points", {}).items()
    }
    for key, group in (("scripts", "console_scripts"), ("gui-scripts", "gui_scripts")):
        if project.get(key):
            groups[group] = dict(project[key])
    return groups


def read_distribution(
    pyproject: Path, *, example: bool = False, root: bool = False
) -> Distribution:
    """Read one distribution from its ``pyproject.toml``.

    Raises:
        ValueError: naming the file, if it has no static ``[project]`` name and version.
    """
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    project = data.get("project", {})
    if not isinstance(project.get("name"), str) or not isinstance(project.get("version"), str):
        raise ValueError(f"{pyproject}: [project] needs a static name and version")
    path = pyproject.parent
    wheel = data.get("tool", {}).get("hatch", {}).get("build", {}).get("targets", {})
    packages = wheel.get("wheel", {}).get("packages")
    if not packages:
        guess = project["name"].replace("-", "_")
        packages = [guess] if (path / guess).is_dir() else []
    return Distribution(
        name=project["name"],
        version=project["version"],
        path=path,
        packages=tuple(packages),
        entry_points=_entry_points(project),
        dependencies=tuple(project.get("dependencies", ())),
        optional_dependencies={
            extra: tuple(reqs) for extra, reqs in project.get("optional-dependencies", {}).items()
        },
        typed="Typing :: Typed" in project.get("classifiers", ()),
        example=example,
        root=root,
    )


def discover(root: Path) -> list[Distribution]:
    """Every distribution of the workspace: the root first, then members by path."""
    found = [read_distribution(root / "pyproject.toml", root=True)]
    for pattern in MEMBER_GLOBS:
        for pyproject in sorted(root.glob(pattern)):
            found.append(read_distribution(pyproject, example=pattern.startswith("docs/")))
    return found
