"""The wheel contents check of `nox -s dist`, on tiny synthetic sources and wheels."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

import pytest
from distcheck.contents import check_wheel, source_files
from distcheck.workspace import discover, read_distribution

PYPROJECT = """\
[project]
name = "kie-fake"
version = "0.3.0"
classifiers = ["Typing :: Typed"]
dependencies = ["kie-core>=0.1"]

[project.entry-points."kie.providers"]
fake = "kie_fake"

[project.entry-points."kie.commands"]
fakecmd = "kie_fake.commands"

[tool.hatch.build.targets.wheel]
packages = ["kie_fake"]
"""

SOURCE = {
    "kie_fake/__init__.py": "KIE_PLUGIN_API = '>=1,<2'\n",
    "kie_fake/commands.py": "",
    "kie_fake/py.typed": "",
    "kie_fake/data/clip.mp4": "\x00\x00\x00\x18ftypmp42",
    "kie_fake/templates/page.html": "<html></html>",
    # never wheel content: caches and a test folder inside the package
    "kie_fake/__pycache__/__init__.cpython-311.pyc": "cache",
    "kie_fake/tests/test_inside.py": "",
}

ENTRY_POINTS = "[kie.providers]\nfake = kie_fake\n\n[kie.commands]\nfakecmd = kie_fake.commands\n"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    root = tmp_path / "kie-fake"
    for relative, text in {"pyproject.toml": PYPROJECT, **SOURCE}.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def make_wheel(
    where: Path,
    source: Path,
    *,
    leave_out: tuple[str, ...] = (),
    entry_points: str | None = ENTRY_POINTS,
) -> Path:
    """A wheel of the fake source, as a build backend writes it, minus ``leave_out``."""
    wheel = where / "kie_fake-0.3.0-py3-none-any.whl"
    info = "kie_fake-0.3.0.dist-info"
    files = {
        name: (source / name).read_bytes()
        for name in SOURCE
        if "__pycache__" not in name and "/tests/" not in name and name not in leave_out
    }
    files[f"{info}/METADATA"] = b"Metadata-Version: 2.4\nName: kie-fake\nVersion: 0.3.0\n"
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    if entry_points is not None:
        files[f"{info}/entry_points.txt"] = entry_points.encode()
    record = []
    for name, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return wheel


def test_source_files_skip_caches_and_tests(source):
    dist = read_distribution(source / "pyproject.toml")
    assert sorted(source_files(dist)) == [
        "kie_fake/__init__.py",
        "kie_fake/commands.py",
        "kie_fake/data/clip.mp4",
        "kie_fake/py.typed",
        "kie_fake/templates/page.html",
    ]


def test_a_complete_wheel_passes(source, tmp_path):
    dist = read_distribution(source / "pyproject.toml")
    assert check_wheel(dist, make_wheel(tmp_path, source)) == []


@pytest.mark.parametrize("missing", ["kie_fake/data/clip.mp4", "kie_fake/templates/page.html"])
def test_a_left_out_data_file_is_named_with_the_distribution(source, tmp_path, missing):
    dist = read_distribution(source / "pyproject.toml")
    problems = check_wheel(dist, make_wheel(tmp_path, source, leave_out=(missing,)))
    assert problems == [
        f"kie-fake (kie_fake-0.3.0-py3-none-any.whl): {missing} is in the source but "
        "missing from the wheel"
    ]


def test_a_left_out_py_typed_is_named_as_the_typed_marker(source, tmp_path):
    dist = read_distribution(source / "pyproject.toml")
    problems = check_wheel(dist, make_wheel(tmp_path, source, leave_out=("kie_fake/py.typed",)))
    assert any("kie_fake/py.typed (typed package marker) missing" in p for p in problems)
    assert all(p.startswith("kie-fake (") for p in problems)


def test_a_typed_distribution_without_py_typed_in_its_source_fails(source, tmp_path):
    (source / "kie_fake" / "py.typed").unlink()
    dist = read_distribution(source / "pyproject.toml")
    problems = check_wheel(dist, make_wheel(tmp_path, source, leave_out=("kie_fake/py.typed",)))
    assert problems == [
        "kie-fake (kie_fake-0.3.0-py3-none-any.whl): classifier 'Typing :: Typed' but no "
        "kie_fake/py.typed"
    ]


def test_missing_or_changed_entry_points_are_named(source, tmp_path):
    dist = read_distribution(source / "pyproject.toml")
    changed = "[kie.providers]\nfake = kie_other\n"
    problems = check_wheel(dist, make_wheel(tmp_path, source, entry_points=changed))
    assert any("[kie.commands] fakecmd = kie_fake.commands is missing" in p for p in problems)
    assert any("[kie.providers] fake is 'kie_other' in the wheel" in p for p in problems)


def test_an_entry_point_module_left_out_of_the_wheel_is_named(source, tmp_path):
    dist = read_distribution(source / "pyproject.toml")
    wheel = make_wheel(tmp_path, source, leave_out=("kie_fake/commands.py",))
    problems = check_wheel(dist, wheel)
    assert any("kie_fake/commands.py is in the source but missing" in p for p in problems)
    assert any("names module kie_fake.commands, not in the wheel" in p for p in problems)


def test_every_typed_distribution_of_the_workspace_has_py_typed():
    root = Path(__file__).resolve().parents[2]
    for dist in discover(root):
        files = set(source_files(dist))
        assert f"{dist.stem}/__init__.py" in files, dist.name
        if dist.typed:
            assert f"{dist.stem}/py.typed" in files, dist.name
