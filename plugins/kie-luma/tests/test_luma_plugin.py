"""The plugin as kie sees it: registration, names, family, listing, light import."""

from __future__ import annotations

import subprocess
import sys

import kie_luma
import pytest
from luma_helpers import REGISTRY

from kie_core.registry import entry_point_sources


def test_model_and_family() -> None:
    assert [spec.name for spec in REGISTRY.specs()] == ["luma-modify"]
    model = REGISTRY.get("luma-modify")
    assert model.family is kie_luma.LUMA
    assert REGISTRY.family("luma") is kie_luma.LUMA
    summary = REGISTRY.registered("luma-modify").summary()
    assert (summary["provider"], summary["family"]) == ("luma", "luma")
    assert summary["inputs"] == ["text", "video"]
    assert summary["durations"] == summary["aspect_ratios"] == summary["resolutions"] == []


def test_entry_point_is_installed() -> None:
    sources = {source.name: source for source in entry_point_sources()}
    assert sources["luma"].value == "kie_luma"
    assert sources["luma"].distribution == "kie-luma"


def test_import_loads_nothing_but_the_hooks() -> None:
    code = (
        "import sys, kie_luma; "
        "print(sorted(m for m in sys.modules if m.startswith('kie_luma.') or m in "
        "('httpx', 'kie_core.models', 'kie_core.registry', 'kie_core.client')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_lazy_names_resolve() -> None:
    assert kie_luma.LumaOptions.__name__ == "LumaOptions"
    with pytest.raises(AttributeError):
        _ = kie_luma.no_such_name
