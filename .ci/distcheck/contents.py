"""Does a built wheel hold what its source package holds? Files, ``py.typed``, entry points.

Every file under a distribution's package folders must be in the wheel's ``RECORD``, except
Python caches and test folders: a data file, a template or a ``py.typed`` left out of the build
is named with the distribution. Every entry point the ``pyproject.toml`` declares must be in the
wheel's ``entry_points.txt`` with the same value, and point at a module the wheel holds.
"""

from __future__ import annotations

import configparser
import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

from distcheck.workspace import Distribution

#: Folder names whose files never belong in a wheel.
SKIPPED_DIRS = frozenset(
    {"__pycache__", "tests", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis"}
)
#: File suffixes that never belong in a wheel.
SKIPPED_SUFFIXES = frozenset({".pyc", ".pyo"})


def source_files(dist: Distribution) -> Iterator[str]:
    """Yield the files a wheel of ``dist`` must hold, as wheel paths (``kie_core/py.typed``)."""
    for package in dist.packages:
        folder = dist.path / package
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if not path.is_file() or path.suffix in SKIPPED_SUFFIXES:
                continue
            if any(part in SKIPPED_DIRS or part.endswith(".egg-info") for part in relative.parts):
                continue
            yield (Path(folder.name) / relative).as_posix()


def _dist_info(names: list[str]) -> str:
    for name in names:
        if name.endswith(".dist-info/RECORD") and name.count("/") == 1:
            return name.rsplit("/", 1)[0]
    raise ValueError("no *.dist-info/RECORD in the wheel")


def wheel_record(wheel: zipfile.ZipFile) -> tuple[str, set[str]]:
    """Return the wheel's ``.dist-info`` folder and the paths its ``RECORD`` lists."""
    info = _dist_info(wheel.namelist())
    text = wheel.read(f"{info}/RECORD").decode("utf-8")
    return info, {row[0] for row in csv.reader(io.StringIO(text)) if row}


def wheel_entry_points(wheel: zipfile.ZipFile, info: str) -> dict[str, dict[str, str]]:
    """Return the entry points of the wheel, by group then name."""
    try:
        text = wheel.read(f"{info}/entry_points.txt").decode("utf-8")
    except KeyError:
        return {}
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    return {group: dict(parser[group]) for group in parser.sections()}


def _module_files(value: str) -> tuple[str, str]:
    module = value.split(":", 1)[0].strip()
    base = module.replace(".", "/")
    return f"{base}.py", f"{base}/__init__.py"


def _entry_point_problems(
    dist: Distribution, built: dict[str, dict[str, str]], record: set[str]
) -> Iterator[str]:
    top_level = {Path(package).name for package in dist.packages}
    for group, entries in sorted(dist.entry_points.items()):
        for name, value in sorted(entries.items()):
            got = built.get(group, {}).get(name)
            if got is None:
                yield f"entry point [{group}] {name} = {value} is missing from the wheel"
                continue
            if got.replace(" ", "") != value.replace(" ", ""):
                yield f"entry point [{group}] {name} is {got!r} in the wheel, {value!r} declared"
            module = value.split(":", 1)[0].strip()
            if module.split(".")[0] in top_level and not record.intersection(_module_files(value)):
                yield f"entry point [{group}] {name} names module {module}, not in the wheel"


def check_wheel(dist: Distribution, wheel_path: Path) -> list[str]:
    """Return every problem of ``wheel_path`` as a wheel of ``dist``, each naming both.

    An empty list means the wheel holds every source file, ``py.typed`` where the distribution
    says it is typed, and every declared entry point.
    """
    where = f"{dist.name} ({wheel_path.name})"
    with zipfile.ZipFile(wheel_path) as wheel:
        info, record = wheel_record(wheel)
        built = wheel_entry_points(wheel, info)
    problems = [
        f"{where}: {path} is in the source but missing from the wheel"
        for path in source_files(dist)
        if path not in record
    ]
    if dist.typed:
        for package in dist.packages:
            marker = f"{Path(package).name}/py.typed"
            if not (dist.path / package / "py.typed").is_file():
                problems.append(f"{where}: classifier 'Typing :: Typed' but no {package}/py.typed")
            elif marker not in record:
                problems.append(f"{where}: {marker} (typed package marker) missing from the wheel")
    if not dist.packages:
        problems.append(f"{where}: no package folder found to compare with the wheel")
    problems.extend(f"{where}: {problem}" for problem in _entry_point_problems(dist, built, record))
    return sorted(set(problems), key=problems.index)
