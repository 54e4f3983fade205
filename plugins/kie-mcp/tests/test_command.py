"""``kie mcp`` refuses a bad configuration before serving anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from kie_core.cli import app
from kie_core.cli.extensions import register_command_plugins


def _kie(tmp_path: Path, *args: str, **env: str) -> Result:
    register_command_plugins(app)
    base = {"KIE_CONFIG": str(tmp_path / "none.toml"), "KIE_MCP_OUTPUT_DIR": str(tmp_path)}
    return CliRunner().invoke(app, list(args), env={**base, **env})


def test_the_command_is_added_by_the_command_hook(tmp_path: Path) -> None:
    done = _kie(tmp_path, "--help")
    assert done.exit_code == 0
    assert "mcp" in done.stdout


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "example.com", "::"])
def test_http_refuses_a_non_loopback_host(tmp_path: Path, host: str) -> None:
    done = _kie(tmp_path, "mcp", "--http", "--host", host, KIE_API_KEY="k-123456")
    assert done.exit_code == 2
    assert "not a loopback address" in done.stderr


def test_a_bad_cap_is_refused_naming_the_option(tmp_path: Path) -> None:
    done = _kie(tmp_path, "mcp", "--max-call-credits", "lots", KIE_API_KEY="k-123456")
    from_env = _kie(tmp_path, "mcp", KIE_API_KEY="k-123456", KIE_MCP_DAILY_CREDITS="-1")
    assert from_env.exit_code == 2
    assert "KIE_MCP_DAILY_CREDITS" in from_env.stderr
    assert done.exit_code == 2
    assert "--max-call-credits: 'lots' is not a number of credits" in done.stderr


def test_no_api_key_is_refused_before_serving(tmp_path: Path) -> None:
    done = _kie(tmp_path, "mcp", KIE_API_KEY="")
    assert done.exit_code == 3
    assert "KIE_API_KEY" in done.stderr


def test_an_unknown_allowed_model_is_refused_naming_the_installed_ones(tmp_path: Path) -> None:
    done = _kie(tmp_path, "mcp", "--allow-model", "no-such-model", KIE_API_KEY="k-123456")
    assert done.exit_code == 2
    assert "no-such-model" in done.stderr
    assert "kling-2.5-turbo" in done.stderr


def test_loading_the_command_does_not_import_the_sdk() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from kie_core.cli.app import app\n"
        "from kie_core.cli.extensions import register_command_plugins\n"
        "infos = register_command_plugins(app)\n"
        "assert any(i.name == 'mcp' and i.ok for i in infos), infos\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('mcp', 'mcp_types')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
