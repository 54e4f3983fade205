"""The plugin as kie sees it: registration, names, families, listing, light import."""

from __future__ import annotations

import json
import subprocess
import sys

import kie_runway
import pytest
from runway_helpers import REGISTRY

from kie_core.registry import entry_point_sources


def test_models_and_families() -> None:
    assert [spec.name for spec in REGISTRY.specs()] == ["runway-aleph", "runway-gen3"]
    assert REGISTRY.get("runway-gen3").family is kie_runway.RUNWAY
    assert REGISTRY.get("runway-aleph").family is kie_runway.ALEPH
    assert REGISTRY.family("runway") is kie_runway.RUNWAY
    assert REGISTRY.family("aleph") is kie_runway.ALEPH
    for record in REGISTRY.registered_models():
        assert record.provider == "runway"
        assert record.summary()["family"] == record.family.name


def test_summaries() -> None:
    gen3 = json.loads(json.dumps(REGISTRY.get("runway-gen3").spec.summary()))
    assert gen3["durations"] == [5, 10]
    assert gen3["aspect_ratios"] == ["16:9", "4:3", "1:1", "3:4", "9:16"]
    assert gen3["resolutions"] == ["720p", "1080p"]
    assert gen3["prompt_max_length"] == 1800
    assert gen3["inputs"] == ["text", "first_frame", "source_task"]
    aleph = REGISTRY.get("runway-aleph").spec.summary()
    assert aleph["durations"] == []
    assert aleph["inputs"] == ["text", "reference_images", "video"]


def test_entry_point_is_installed() -> None:
    sources = {source.name: source for source in entry_point_sources()}
    assert sources["runway"].value == "kie_runway"
    assert sources["runway"].distribution == "kie-runway"


def test_import_loads_nothing_but_the_hooks() -> None:
    code = (
        "import sys, kie_runway; "
        "print(sorted(m for m in sys.modules if m.startswith('kie_runway.') or m in "
        "('httpx', 'kie_core.models', 'kie_core.registry', 'kie_core.client')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_lazy_names_resolve() -> None:
    assert kie_runway.AlephOptions.__name__ == "AlephOptions"
    with pytest.raises(AttributeError):
        _ = kie_runway.no_such_name
