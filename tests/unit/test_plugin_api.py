"""The plugin API version: ranges plugins declare, and the registry refusing incompatible ones."""

from __future__ import annotations

import types
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kie_core
from kie_core.hookspecs import hookimpl
from kie_core.models import VideoModel
from kie_core.plugin_api import (
    PLUGIN_API_VERSION,
    parse_range,
    parse_version,
    plugin_api_problem,
    range_contains,
)
from kie_core.registry import PluginSource, Registry
from tests.cli.fake_plugin import MODELS

versions = st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=3).map(
    lambda parts: ".".join(map(str, parts))
)


def fake_plugin(declared: object | None) -> types.ModuleType:
    """A provider plugin module registering the CLI test models, declaring ``declared``."""
    module = types.ModuleType("kie_fake_api")

    @hookimpl
    def kie_register_models(register: Callable[[VideoModel], None]) -> None:
        for model in MODELS:
            register(model)

    module.kie_register_models = kie_register_models  # type: ignore[attr-defined]
    if declared is not None:
        module.KIE_PLUGIN_API = declared  # type: ignore[attr-defined]
    return module


def registry_with(module: types.ModuleType) -> Registry:
    source = PluginSource(
        name="fakeapi", load=lambda: module, distribution="kie-fakeapi", version="9.0.0"
    )
    return Registry(sources=[source])


def test_kie_core_exports_the_version_as_major_minor():
    assert kie_core.PLUGIN_API_VERSION == PLUGIN_API_VERSION
    assert parse_version(PLUGIN_API_VERSION)[0] >= 1


def test_the_shipped_plugins_range_admits_this_kie_core():
    assert range_contains(">=1,<2")
    assert range_contains(">=1.0, <2", "1.9")
    assert not range_contains(">=1,<2", "2.0")
    assert not range_contains(">=2,<3")


@given(versions)
def test_a_version_meets_its_own_bounds(version):
    assert range_contains(f">={version}", version)
    assert range_contains(f"<={version}", version)
    assert range_contains(f"=={version}", version)
    assert not range_contains(f"<{version}", version)
    assert not range_contains(f">{version}", version)
    assert not range_contains(f"!={version}", version)


@given(versions)
def test_trailing_zeros_do_not_matter(version):
    assert range_contains(f"=={version}.0", version)
    assert range_contains(f"=={version}", f"{version}.0.0")
    assert parse_version(f"{version}.0") == parse_version(version)


@pytest.mark.parametrize("text", ["1", ">=one", ">=1,,<2", "~=1.0", ">= 1.x"])
def test_an_unreadable_range_names_the_clause(text):
    with pytest.raises(ValueError, match="plugin API range"):
        parse_range(text)


def test_a_plugin_declaring_nothing_loads_as_before():
    assert plugin_api_problem(fake_plugin(None)) is None
    registry = registry_with(fake_plugin(None))
    assert [spec.name for spec in registry.specs()] == ["cli-image", "cli-old", "cli-turbo"]
    (info,) = registry.plugins()
    assert info.ok
    assert info.plugin_api is None


def test_a_compatible_plugin_loads_and_reports_its_range():
    registry = registry_with(fake_plugin(">=1,<2"))
    (info,) = registry.plugins()
    assert info.ok, info.error
    assert info.plugin_api == ">=1,<2"
    assert info.models == ["cli-turbo", "cli-image", "cli-old"]


def test_an_incompatible_plugin_is_refused_with_both_versions():
    registry = registry_with(fake_plugin(">=2,<3"))
    assert registry.specs() == []
    (info,) = registry.plugins()
    assert not info.ok
    assert info.error == (
        f"built for plugin API >=2,<3, this kie-core provides {PLUGIN_API_VERSION}; "
        "install a kie-core or a plugin release that matches"
    )
    assert info.models == []


@pytest.mark.parametrize(
    ("declared", "expected"),
    [(2, "KIE_PLUGIN_API is 2; expected a range string"), ("two", "unreadable KIE_PLUGIN_API")],
)
def test_a_malformed_declaration_is_reported_not_raised(declared, expected):
    registry = registry_with(fake_plugin(declared))
    (info,) = registry.plugins()
    assert not info.ok
    assert expected in (info.error or "")
    assert registry.specs() == []
