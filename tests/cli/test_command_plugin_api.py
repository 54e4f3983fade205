"""A command plugin built for another plugin API is refused with both versions, not loaded."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import typer

from kie_core.cli.extensions import register_command_plugins
from kie_core.plugin_api import PLUGIN_API_VERSION


def test_an_incompatible_command_plugin_adds_nothing_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dist_info = tmp_path / "kie_cli_future-0.1.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: kie-cli-future\nVersion: 0.1\n"
    )
    (dist_info / "entry_points.txt").write_text(
        "[kie.commands]\nfuture = tests.cli.future_commands\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    cli = typer.Typer()
    infos = {info.name: info for info in register_command_plugins(cli)}
    assert infos["future"].error == (
        f"built for plugin API >=2,<3, this kie-core provides {PLUGIN_API_VERSION}; "
        "install a kie-core or a plugin release that matches"
    )
    assert infos["future"].commands == ()
    assert infos["future"].plugin_api == ">=2,<3"
    assert "future" not in [command.name for command in cli.registered_commands]
