"""The old homes of the emulator and the contract suite resolve to their new distribution."""

from __future__ import annotations

import importlib
import subprocess
import sys

import kie_emulator.server
import kie_emulator.testing


def test_old_names_give_the_same_module_objects() -> None:
    assert importlib.import_module("kie_core.emulator.server") is kie_emulator.server
    assert importlib.import_module("kie_core.testing") is kie_emulator.testing
    from kie_core.emulator.config import EmulatorConfig
    from kie_emulator.config import EmulatorConfig as New

    assert EmulatorConfig is New


def test_without_the_distribution_the_old_name_says_how_to_install_it() -> None:
    code = (
        "import sys; sys.modules['kie_emulator'] = None\n"
        "try:\n    import kie_core.emulator.server\n"
        "except ModuleNotFoundError as exc:\n    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert "pip install kie-emulator" in done.stdout


def test_unrelated_names_are_left_alone() -> None:
    import pytest

    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("kie_core.no_such_module")
