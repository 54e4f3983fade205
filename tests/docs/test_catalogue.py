"""The catalogue hook writes the model tables from the specs, and reports broken plugins."""

from __future__ import annotations

import importlib.util
from types import ModuleType, SimpleNamespace
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from kie_core import hookimpl
from kie_core.families.market import MarketModel
from kie_core.models import Forbidden, Mode, ModelSpec, PriceRow, Variant
from kie_core.registry import PluginSource, Registry
from kie_core.request import InputKind
from tests.docs.markdown import DOCS


def load_hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_catalogue", DOCS / "gen_catalogue.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class SampleOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    boost: float | None = Field(default=None, ge=0, le=2, description="How much to boost.")


SPEC = ModelSpec(
    name="sample-1.0",
    title="Sample One",
    family="market",
    aliases=("sample",),
    variants=(
        Variant(
            name="std",
            modes=(
                Mode(
                    name="text-to-video",
                    kie_model="sample/t2v",
                    requires=frozenset({InputKind.TEXT}),
                    durations=(5, 10),
                    default_duration=5,
                    aspect_ratios=("16:9", "9:16"),
                    default_aspect_ratio="16:9",
                    prices=(
                        PriceRow(credits=30, when={"duration": 5}),
                        PriceRow(credits=60, when={"duration": 10}),
                    ),
                    forbidden=(
                        Forbidden(when={"duration": 10, "aspect_ratio": "9:16"}, reason="x"),
                    ),
                ),
            ),
        ),
        Variant(
            name="talk",
            aliases=("sample-talk",),
            modes=(
                Mode(
                    name="audio-to-video",
                    kie_model="sample/a2v",
                    requires=frozenset({InputKind.FIRST_FRAME, InputKind.AUDIO}),
                    resolutions=("720p",),
                    default_resolution="720p",
                    prices=(PriceRow(credits=8, per_second=True, note="of audio"),),
                ),
            ),
        ),
    ),
    prompt_max_length=800,
    deprecated=None,
    options_model=SampleOptions,
)

RETIRED = SPEC.model_copy(
    update={
        "name": "retired-0.9",
        "title": "Retired",
        "aliases": (),
        "variants": SPEC.variants[:1],
        "deprecated": __import__("datetime").date(2026, 9, 24),
        "deprecation_note": "the vendor shut the API down",
        "options_model": None,
    }
)


def plugin(*models: MarketModel) -> Any:
    class Plugin:
        @hookimpl
        def kie_register_models(self, register: Any) -> None:
            for model in models:
                register(model)

    return Plugin()


def broken() -> object:
    raise ImportError("needs a module that is not installed")


def render(*sources: PluginSource) -> tuple[str, list[str]]:
    text, problems = load_hook().render_catalogue(Registry(list(sources)))
    return str(text), list(problems)


def test_every_model_gets_a_row_and_a_section_from_its_spec() -> None:
    text, problems = render(
        PluginSource(name="samples", load=lambda: plugin(MarketModel(SPEC), MarketModel(RETIRED)))
    )
    assert problems == []
    assert "2 models from 1 installed plugins (`samples`)" in text
    assert (
        "| [`sample-1.0`](#model-sample-1-0) | Sample One | `samples` | 5, 10 | 16:9, 9:16 | 720p |"
        in text
    )
    assert "## Sample One — `sample-1.0` { #model-sample-1-0 }" in text
    assert "`sample/t2v`" in text and "`sample/a2v`" in text
    assert "30 (5 s)<br>60 (10 s)" in text
    assert "8 per second — of audio" in text
    assert "talk: `sample-talk`" in text
    assert "at most 800 characters" in text
    assert "| `boost` | number | ≥ 0, ≤ 2 | How much to boost. |" in text


def test_deprecation_is_shown_with_its_note() -> None:
    text, _ = render(PluginSource(name="samples", load=lambda: plugin(MarketModel(RETIRED))))
    assert "| 2026-09-24 |" in text
    assert 'Deprecated since 2026-09-24"' in text
    assert "the vendor shut the API down" in text
    assert "No model-specific options" in text


def test_a_broken_plugin_and_an_empty_install_are_problems() -> None:
    text, problems = render(PluginSource(name="broken", load=broken))
    assert any("'broken' failed to load" in p and "ImportError" in p for p in problems)
    assert any("catalogue is empty" in p for p in problems)
    assert "Plugins that did not load" in text


def test_the_hook_replaces_only_the_marker_of_the_catalogue_page() -> None:
    hook = load_hook()
    page_text = (DOCS / "catalogue.md").read_text(encoding="utf-8")
    assert hook.MARKER in page_text
    other = SimpleNamespace(file=SimpleNamespace(src_uri="index.md"))
    assert hook.on_page_markdown(hook.MARKER, page=other) == hook.MARKER
