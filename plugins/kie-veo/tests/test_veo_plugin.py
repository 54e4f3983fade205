"""The plugin as kie sees it: registration, names, family, listing, light import."""

from __future__ import annotations

import json
import subprocess
import sys

import kie_veo
import pytest
from veo_helpers import REGISTRY, veo_registry

from kie_core.errors import UnknownModelError
from kie_core.registry import entry_point_sources


def test_models_and_aliases() -> None:
    assert [spec.name for spec in REGISTRY.specs()] == ["veo-3.1", "veo-3.1-fast"]
    assert REGISTRY.get("veo-3.1-quality").spec.name == "veo-3.1"
    lite = REGISTRY.get("veo-3.1-lite")
    assert lite.spec.name == "veo-3.1-fast"
    assert lite.spec.variant_for("veo-3.1-lite").name == "lite"
    with pytest.raises(UnknownModelError):
        REGISTRY.get("veo-3")


def test_family_is_registered_and_shared() -> None:
    assert REGISTRY.family("veo") is kie_veo.VEO
    for record in REGISTRY.registered_models():
        assert record.family is kie_veo.VEO
        assert (record.provider, record.summary()["family"]) == ("veo", "veo")


def test_summary_lists_capabilities() -> None:
    summary = json.loads(json.dumps(REGISTRY.get("veo-3.1-fast").spec.summary()))
    assert summary["durations"] == [8]
    assert summary["aspect_ratios"] == ["16:9", "9:16", "Auto"]
    assert summary["resolutions"] == ["720p", "1080p", "4k"]
    assert summary["kie_models"] == ["veo3_fast", "veo3_lite"]
    assert summary["aliases"] == ["veo-3.1-lite"]
    assert set(summary["inputs"]) == {
        "text",
        "first_frame",
        "last_frame",
        "reference_images",
        "source_task",
    }
    lite = next(v for v in summary["variants"] if v["name"] == "lite")
    assert [m["name"] for m in lite["modes"]] == ["text-to-video", "first-last-frames", "extend"]


def test_fresh_registry_per_call_is_independent() -> None:
    assert veo_registry() is not REGISTRY
    assert [s.name for s in veo_registry().specs()] == ["veo-3.1", "veo-3.1-fast"]


def test_entry_point_is_installed() -> None:
    sources = {source.name: source for source in entry_point_sources()}
    assert sources["veo"].value == "kie_veo"
    assert sources["veo"].distribution == "kie-veo"


def test_import_loads_nothing_but_the_hooks() -> None:
    code = (
        "import sys, kie_veo; "
        "print(sorted(m for m in sys.modules if m.startswith('kie_veo.') or m in "
        "('httpx', 'kie_core.models', 'kie_core.registry', 'kie_core.client')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_lazy_names_resolve() -> None:
    assert kie_veo.VeoOptions.__name__ == "VeoOptions"
    with pytest.raises(AttributeError):
        _ = kie_veo.no_such_name
