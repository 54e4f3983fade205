"""Start-up stays lean: `kie --help` and `kie models` import no network, server or database code.

Import *sets* are checked, not times (timings belong in the benchmarks).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.cli.emulated import subprocess_env

HEAVY = ("httpx", "starlette", "uvicorn", "sqlite3", "kie_core.client", "kie_core.journal")


def imported_modules(plugin_site, *args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "kie_core.cli", *args],
        env=subprocess_env(plugin_site),
        capture_output=True,
        text=True,
        check=True,
    )
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    return names


def top_level(names: set[str]) -> set[str]:
    return {name.split(".")[0] for name in names} | names


def test_help_imports_neither_pydantic_nor_rich_nor_network_code(plugin_site):
    names = top_level(imported_modules(plugin_site, "--help"))
    assert not names & {*HEAVY, "pydantic", "rich"}, sorted(names & {*HEAVY, "pydantic", "rich"})


@pytest.mark.parametrize("command", ["generate", "batch", "resume", "emulator", "callbacks"])
def test_command_help_imports_no_network_server_or_database_code(plugin_site, command):
    # typer itself imports pydantic to coerce parameters once a subcommand is parsed.
    names = top_level(imported_modules(plugin_site, command, "--help"))
    assert not names & set(HEAVY), sorted(names & set(HEAVY))


def test_models_json_imports_no_network_server_or_database_code(plugin_site):
    names = top_level(imported_modules(plugin_site, "models", "--json"))
    assert "kie_core.registry" in names
    assert not names & set(HEAVY), sorted(names & set(HEAVY))


def test_dry_run_imports_no_network_server_or_database_code(plugin_site):
    names = top_level(imported_modules(plugin_site, "generate", "cli-turbo", "x", "--dry-run"))
    assert not names & set(HEAVY), sorted(names & set(HEAVY))
