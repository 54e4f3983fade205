"""``pip install kie-core`` alone: a library and a CLI, no server stack and no pytest plugin.

One fresh environment, built with uv from this checkout (not editable), holds kie-core and one
provider plugin (kie-kling), as a user who installs only the models they need would have it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER_STACK = {"starlette", "uvicorn", "python-multipart"}

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Installed:
    """What the fresh environment holds."""

    names: list[str]
    core_groups: list[str]
    pytest11: list[str]
    core_file: str


@dataclass(frozen=True)
class Env:
    """A fresh virtual environment and a clean process environment to run its commands in."""

    python: Path
    bin: Path
    env: Mapping[str, str]
    cwd: Path

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin / "kie"), *args],
            capture_output=True,
            text=True,
            env=dict(self.env),
            cwd=self.cwd,
            timeout=120,
            check=False,
        )

    def metadata(self) -> Installed:
        code = (
            "import importlib.metadata as m, json, kie_core\n"
            "print(json.dumps({\n"
            "  'names': sorted(d.metadata['Name'].lower() for d in m.distributions()),\n"
            "  'core_groups': sorted({e.group for e in m.distribution('kie-core').entry_points}),\n"
            "  'pytest11': sorted(e.dist.name for e in m.entry_points(group='pytest11')),\n"
            "  'core_file': kie_core.__file__,\n"
            "}))"
        )
        out = subprocess.run(
            [str(self.python), "-c", code],
            capture_output=True,
            text=True,
            env=dict(self.env),
            cwd=self.cwd,
            check=True,
        )
        return Installed(**json.loads(out.stdout))


def _uv(*args: str) -> None:
    command = [sys.executable, "-m", "uv", *args]
    subprocess.run(command, check=True, capture_output=True, timeout=600)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Env:
    home = tmp_path_factory.mktemp("kie-core-alone")
    venv = home / "venv"
    _uv("venv", "--quiet", "--python", sys.executable, str(venv))
    python = venv / "bin" / "python"
    # --no-sources: the plugin's kie-core comes from this checkout as a built wheel, the way a
    # user gets it from PyPI, not through the workspace's editable source.
    _uv("pip", "install", "--quiet", "--no-sources", "--python", str(python), str(ROOT),
        str(ROOT / "plugins" / "kie-kling"))  # fmt: skip
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("KIE_", "PYTHON", "VIRTUAL_ENV"))
    }
    env |= {"HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"), "NO_COLOR": "1"}
    env |= {"XDG_DATA_HOME": str(home / "data"), "XDG_STATE_HOME": str(home / "state")}
    return Env(python=python, bin=venv / "bin", env=env, cwd=home)


def test_no_server_stack_and_no_pytest_plugin(fresh: Env) -> None:
    found = fresh.metadata()
    assert found.core_file.startswith(str(fresh.python.parent.parent)), found.core_file
    names = set(found.names)
    assert {"kie-core", "kie-kling"} <= names
    assert not names & SERVER_STACK
    assert "kie-emulator" not in names
    assert found.core_groups == ["console_scripts"]
    # httpx's anyio brings a pytest plugin of its own; no kie distribution registers one.
    assert not [name for name in found.pytest11 if name.startswith("kie")]


def test_models_and_a_dry_run_work(fresh: Env) -> None:
    listing = fresh.run("models", "--json")
    assert listing.returncode == 0, listing.stderr
    models = {model["name"]: model for model in json.loads(listing.stdout)}
    assert models["kling-2.5-turbo"]["provider"] == "kling"
    plan = fresh.run("generate", "kling-2.5-turbo", "x", "--dry-run", "--json")
    assert plan.returncode == 0, plan.stderr
    shown = json.loads(plan.stdout)
    assert (shown["provider"], shown["payload"]["model"]) == (
        "kling",
        "kling/v2-5-turbo-text-to-video-pro",
    )
    assert shown["estimated_credits"] > 0


def test_the_emulator_says_how_to_install_it(fresh: Env) -> None:
    for args in (("emulator",), ("generate", "kling-2.5-turbo", "x", "--emulator")):
        result = fresh.run(*args)
        assert result.returncode == 2, result
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, result.stderr
        assert lines[0].endswith(": pip install kie-emulator"), lines[0]
