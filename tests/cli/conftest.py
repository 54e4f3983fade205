"""Fixtures of the CLI tests: an isolated environment, a test registry and a runner.

Every invocation through the ``kie`` fixture checks that the recognizable test key never
appears in stdout or stderr.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kie_core import registry as registry_module
from kie_core.cli import app
from kie_core.registry import PluginSource, Registry
from tests.cli import fake_plugin

#: A key no output may ever contain.
SECRET_KEY = "sk-cli-test-SECRET-5f3a9c71"

_ENV_NAMES = (
    "KIE_API_KEY",
    "KIE_BASE_URL",
    "KIE_UPLOAD_BASE_URL",
    "KIE_JOURNAL",
    "KIE_CONFIG",
    "KIE_LOAD_PLUGINS",
    "KIE_DISABLE_PLUGINS",
    "KIE_WEBHOOK_HMAC_KEY",
)


@dataclass
class Run:
    """The outcome of one ``kie`` invocation."""

    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def assert_no_secret(*texts: str, secret: str = SECRET_KEY) -> None:
    for text in texts:
        assert secret not in text, "the API key leaked into the output"


@pytest.fixture(autouse=True)
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A clean environment: no key, no config file, a journal in the test's folder.

    The working directory is the test's folder too, so a download without ``-o`` lands there.
    """
    monkeypatch.chdir(tmp_path)
    for name in _ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KIE_CONFIG", str(tmp_path / "no-config.toml"))
    journal = tmp_path / "journal.sqlite3"
    monkeypatch.setenv("KIE_JOURNAL", str(journal))
    monkeypatch.setenv("COLUMNS", "200")
    return journal


def make_registry(*extra: PluginSource) -> Registry:
    """A registry holding the CLI test plugin (and any extra sources)."""
    return Registry(
        sources=[
            PluginSource(
                name=fake_plugin.PLUGIN_NAME,
                load=lambda: fake_plugin,
                distribution="kie-cli-testplugin",
                version="0.1",
                value="tests.cli.fake_plugin",
            ),
            *extra,
        ]
    )


@pytest.fixture(autouse=True)
def test_registry(monkeypatch: pytest.MonkeyPatch) -> Registry:
    """Make the CLI see only the test plugin."""
    registry = make_registry()
    monkeypatch.setattr(registry_module, "default_registry", lambda: registry)
    return registry


@pytest.fixture
def kie() -> Callable[..., Run]:
    """Invoke ``kie`` in-process, with the installed command plugins; assert the key never shows."""
    from kie_core.cli.extensions import register_command_plugins

    register_command_plugins(app)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, env: Mapping[str, str] | None = None) -> Run:
        result = runner.invoke(app, list(args), input=input, env=env, catch_exceptions=False)
        run = Run(result.exit_code, result.stdout, result.stderr)
        assert_no_secret(run.stdout, run.stderr)
        return run

    return invoke


def args_with(base: Sequence[str], *more: str) -> list[str]:
    return [*base, *more]


@pytest.fixture(scope="session")
def plugin_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder that makes the test plugin an installed entry point for subprocesses."""
    from tests.cli.emulated import install_test_plugin

    return install_test_plugin(tmp_path_factory.mktemp("site"))


@pytest.fixture
def kie_process(plugin_site: Path, tmp_path: Path) -> Callable[..., Run]:
    """Run ``python -m kie_core.cli`` in a subprocess; assert the key never shows."""
    import subprocess
    import sys

    from tests.cli.emulated import subprocess_env

    def run(*args: str, env: Mapping[str, str] | None = None, timeout: float = 300) -> Run:
        full_env = subprocess_env(
            plugin_site,
            KIE_CONFIG=str(tmp_path / "no-config.toml"),
            KIE_JOURNAL=str(tmp_path / "journal.sqlite3"),
            **dict(env or {}),
        )
        done = subprocess.run(
            [sys.executable, "-m", "kie_core.cli", *args],
            env=full_env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        result = Run(done.returncode, done.stdout, done.stderr)
        assert_no_secret(result.stdout, result.stderr)
        return result

    return run
