"""kie_core.emulation: declarations as data, and how the registry collects them lazily."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from kie_core.emulation import BilledSeconds, EndpointSchema, InputField, Price, matches
from kie_core.hookspecs import hookimpl
from kie_core.models import VideoModel
from kie_core.registry import PluginSource, Registry
from tests.unit.sample_models import TURBO_MODEL

SCHEMA = EndpointSchema(
    "nowhere/clip-1",
    (
        InputField("prompt", "string", required=True),
        InputField("duration", "string", enum=("5", "10"), default="5"),
    ),
    (Price(20, when={"duration": "5"}), Price(40, when={"duration": ("10", "15")})),
)


def test_prices_follow_the_declared_rows_with_defaults_applied() -> None:
    assert SCHEMA.price(SCHEMA.with_defaults({"prompt": "p"})) == 20
    assert SCHEMA.price({"duration": "10"}) == 40
    assert SCHEMA.price({"duration": "7"}) is None
    assert SCHEMA.is_market and SCHEMA.key == "nowhere/clip-1"
    assert SCHEMA.input_field("duration") is SCHEMA.fields[1]
    assert SCHEMA.input_field("seed") is None


def test_billed_seconds_come_from_a_field_frames_or_a_fixed_length() -> None:
    per_second = (Price(2.5, per_second=True),)
    by_field = EndpointSchema("a", (), per_second, seconds=BilledSeconds(field="duration"))
    by_frames = EndpointSchema("b", (), per_second, seconds=BilledSeconds(frames="n", fps="f"))
    fixed = EndpointSchema("c", (), per_second, seconds=BilledSeconds(fixed=15))
    assert by_field.price({"duration": "8"}) == 20
    assert by_frames.price({"n": 81, "f": 16}) == 12.66
    assert fixed.price({}) == 37.5
    assert EndpointSchema("d", (), per_second).price({}) is None  # no length declared


@given(
    st.dictionaries(st.sampled_from("abc"), st.integers(0, 3)),
    st.dictionaries(st.sampled_from("abc"), st.integers(0, 3)),
)
def test_matches_means_every_named_value_is_present(
    when: dict[str, int], data: dict[str, int]
) -> None:
    assert matches(when, data) == all(data.get(k) == v for k, v in when.items())
    assert matches({k: (v, -1) for k, v in when.items()}, data) == matches(when, data)


class Declaring:
    """A plugin with one model and one declaration, counting the emulation hook's calls."""

    def __init__(self, *declared: Any) -> None:
        self.declared = declared
        self.calls = 0

    @hookimpl
    def kie_register_models(self, register: Callable[[VideoModel], None]) -> None:
        register(TURBO_MODEL)

    @hookimpl
    def kie_register_emulations(self, register: Callable[[EndpointSchema], None]) -> None:
        self.calls += 1
        for schema in self.declared:
            register(schema)


def test_declarations_are_collected_only_when_asked_and_only_once() -> None:
    plugin = Declaring(SCHEMA)
    registry = Registry(sources=[PluginSource(name="declaring", load=lambda: plugin)])
    assert registry.models()
    assert plugin.calls == 0  # loading plugins for real work never reads declarations
    assert registry.emulations() == [SCHEMA]
    assert registry.emulations("declaring") == [SCHEMA]
    assert registry.emulations("other") == []
    assert plugin.calls == 1


def test_a_bad_declaration_is_recorded_as_the_plugins_error() -> None:
    plugin = Declaring(SCHEMA, {"model": "not a schema"})
    registry = Registry(sources=[PluginSource(name="sloppy", load=lambda: plugin)])
    assert registry.emulations() == [SCHEMA]
    (info,) = registry.plugins()
    assert info.error is not None and "not an EndpointSchema" in info.error
    assert info.models  # its models still load
