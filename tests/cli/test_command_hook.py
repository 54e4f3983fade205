"""Installed distributions add ``kie`` subcommands through the ``kie.commands`` entry points."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from kie_core.cli.extensions import register_command_plugins
from tests.cli.emulated import subprocess_env


def _install_commands(site: Path, entries: str) -> Path:
    dist_info = site / "kie_cli_testcommands-0.1.dist-info"
    dist_info.mkdir(parents=True, exist_ok=True)
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: kie-cli-testcommands\nVersion: 0.1\n"
    )
    (dist_info / "entry_points.txt").write_text(f"[kie.commands]\n{entries}\n")
    return site


@pytest.fixture
def command_site(tmp_path: Path) -> Path:
    return _install_commands(
        tmp_path / "site",
        "hello = tests.cli.fake_commands\nbroken = tests.cli.broken_commands\n"
        "missing = tests.cli.no_such_module",
    )


def _kie(site: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kie_core.cli", *args],
        env=subprocess_env(site, **env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_an_installed_command_plugin_adds_its_command(command_site: Path) -> None:
    done = _kie(command_site, "hello", "kie")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "hello, kie"
    assert "hello" in _kie(command_site, "--help").stdout


def test_broken_command_plugins_leave_the_rest_working(command_site: Path) -> None:
    done = _kie(command_site, "plugins", "--json")
    assert done.returncode == 0, done.stderr
    listed = {item["name"]: item for item in json.loads(done.stdout) if item["kind"] == "commands"}
    assert listed["hello"]["ok"] is True
    assert listed["hello"]["commands"] == ["hello"]
    assert "this extension is broken" in listed["broken"]["error"]
    assert listed["missing"]["ok"] is False
    table = _kie(command_site, "plugins").stdout
    assert "Command plugins" in table
    assert "this extension is broken" in table
    assert _kie(command_site, "hello").stdout.strip() == "hello, world"


def test_disabled_command_plugin_is_not_loaded(command_site: Path) -> None:
    done = _kie(command_site, "hello", KIE_DISABLE_PLUGINS="hello")
    assert done.returncode != 0


def test_failures_are_recorded_with_their_reason(
    command_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(command_site))
    import importlib

    importlib.invalidate_caches()
    cli = typer.Typer()
    infos = {info.name: info for info in register_command_plugins(cli)}
    assert infos["hello"].ok
    assert infos["hello"].commands == ("hello",)
    assert infos["hello"].distribution == "kie-cli-testcommands"
    assert "this extension is broken" in (infos["broken"].error or "")
    assert "ModuleNotFoundError" in (infos["missing"].error or "")
    names = [c.name for c in cli.registered_commands]
    assert names.count("hello") == 1
    # A second call on the same application registers nothing twice.
    register_command_plugins(cli)
    assert [c.name for c in cli.registered_commands] == names
