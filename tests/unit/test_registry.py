from __future__ import annotations

import pytest

from kie_core.errors import UnknownModelError
from kie_core.families.market import MarketModel
from kie_core.registry import PluginSource, Registry
from tests.unit.sample_models import TURBO, TURBO_MODEL, hookimpl_plugin


def _broken_import() -> object:
    raise ImportError("kie_broken needs a module that is not installed")


def test_broken_plugin_is_recorded_and_others_still_resolve() -> None:
    registry = Registry(
        [
            PluginSource(name="broken", load=_broken_import),
            PluginSource(name="good", load=lambda: hookimpl_plugin(TURBO_MODEL)),
        ]
    )
    assert registry.get("test-turbo").spec.name == "test-turbo"
    assert registry.registered("tt").provider == "good"
    assert registry.provider_of(registry.get("tt")) == "good"
    infos = {info.name: info for info in registry.plugins()}
    assert not infos["broken"].ok
    assert "ImportError" in (infos["broken"].error or "")
    assert infos["good"].models == ["test-turbo"]


def test_plugin_with_unknown_hook_is_refused() -> None:
    from kie_core.hookspecs import hookimpl

    class Typo:
        @hookimpl
        def kie_register_modles(self, register):  # type: ignore[no-untyped-def]
            raise AssertionError("never called")

    registry = Registry(
        [
            PluginSource(name="typo", load=Typo),
            PluginSource(name="good", load=lambda: hookimpl_plugin(TURBO_MODEL)),
        ]
    )
    assert [s.name for s in registry.specs()] == ["test-turbo"]
    info = {i.name: i for i in registry.plugins()}["typo"]
    assert info.error is not None
    assert "kie_register_modles" in info.error


def test_malformed_and_duplicate_models_are_skipped() -> None:
    duplicate = MarketModel(TURBO.model_copy(update={"aliases": ()}))

    class NotAModel:
        spec = "nope"

    registry = Registry(
        [
            PluginSource(name="a", load=lambda: hookimpl_plugin(TURBO_MODEL)),
            PluginSource(name="b", load=lambda: hookimpl_plugin(duplicate, NotAModel())),  # type: ignore[arg-type]
        ]
    )
    assert [s.name for s in registry.specs()] == ["test-turbo"]
    info_b = {i.name: i for i in registry.plugins()}["b"]
    assert len(info_b.model_errors) == 2
    assert any("already provided" in e for e in info_b.model_errors)


def test_hook_that_raises_is_recorded() -> None:
    from kie_core.hookspecs import hookimpl

    class Raises:
        @hookimpl
        def kie_register_models(self, register):  # type: ignore[no-untyped-def]
            raise RuntimeError("boom")

    registry = Registry([PluginSource(name="raises", load=Raises)])
    assert registry.models() == []
    assert "boom" in (registry.plugins()[0].error or "")


def test_unknown_model_names_installed_models() -> None:
    registry = Registry([PluginSource(name="good", load=lambda: hookimpl_plugin(TURBO_MODEL))])
    with pytest.raises(UnknownModelError) as info:
        registry.get("kling-9")
    assert info.value.field == "model"
    assert "test-turbo" in str(info.value)


def test_env_filters(monkeypatch: pytest.MonkeyPatch) -> None:
    sources = [
        PluginSource(name="good", load=lambda: hookimpl_plugin(TURBO_MODEL)),
        PluginSource(name="broken", load=_broken_import),
    ]
    monkeypatch.setenv("KIE_DISABLE_PLUGINS", "broken")
    assert [i.name for i in Registry(sources).plugins()] == ["good"]
    monkeypatch.delenv("KIE_DISABLE_PLUGINS")
    monkeypatch.setenv("KIE_LOAD_PLUGINS", "broken")
    assert [i.name for i in Registry(sources).plugins()] == ["broken"]


def test_families_include_market() -> None:
    registry = Registry([])
    assert registry.family("market").name == "market"


def test_import_kie_core_loads_no_plugin() -> None:
    import subprocess
    import sys

    code = (
        "import sys, kie_core; "
        "print(any(m.startswith(('kie_kling','kie_veo','httpx','starlette')) for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
