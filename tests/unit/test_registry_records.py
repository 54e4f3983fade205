"""The registry keeps its own records: it never rewrites a plugin's objects."""

from __future__ import annotations

import pytest

from kie_core.calls import EndpointCall
from kie_core.errors import PluginError
from kie_core.families.base import TaskFamily
from kie_core.families.market import MARKET, MarketModel
from kie_core.models import ModelSpec, ResolvedRequest, VideoModel
from kie_core.registry import PluginSource, Registry
from kie_core.status import CallbackEvent, TaskStatus
from tests.unit.sample_models import TURBO, hookimpl_plugin


class _OwnFamily(TaskFamily):
    name = "own"

    def status_call(self, task_id: str) -> EndpointCall:
        return EndpointCall(method="GET", path="/own", params={"taskId": task_id})

    def parse_status(self, task_id: str, data: object) -> TaskStatus:
        raise NotImplementedError

    def parse_callback(self, body: object) -> CallbackEvent:
        raise NotImplementedError


class _OwnModel(VideoModel):
    family = _OwnFamily()

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec

    def build_call(self, resolved: ResolvedRequest) -> EndpointCall:
        return EndpointCall(method="POST", path="/own", body={})


def _plain_spec(**update: object) -> ModelSpec:
    return TURBO.model_copy(update={"family": None, "provider": "", **update})


def test_registration_leaves_the_model_and_its_spec_untouched() -> None:
    spec = _plain_spec()
    model = MarketModel(spec)
    registry = Registry([PluginSource(name="mine", load=lambda: hookimpl_plugin(model))])
    record = registry.registered("test-turbo")
    assert record.model is model
    assert model.spec is spec
    assert (spec.provider, spec.family) == ("", None)
    assert record.provider == "mine"
    assert registry.provider_of(model) == "mine"


def test_summary_takes_provider_from_the_registry_and_family_from_the_family_object() -> None:
    model = MarketModel(_plain_spec(provider="declared-elsewhere"))
    registry = Registry([PluginSource(name="mine", load=lambda: hookimpl_plugin(model))])
    [summary] = [record.summary() for record in registry.registered_models()]
    assert (summary["provider"], summary["family"]) == ("mine", "market")
    assert list(summary)[:5] == ["name", "title", "aliases", "provider", "family"]


def test_a_dedicated_model_takes_its_family_from_its_family_object() -> None:
    model = _OwnModel(_plain_spec())
    registry = Registry([PluginSource(name="own", load=lambda: hookimpl_plugin(model))])
    assert registry.registered("test-turbo").summary()["family"] == "own"
    assert registry.family("own") is _OwnModel.family


def test_a_matching_declared_family_is_still_accepted() -> None:
    assert MarketModel(_plain_spec(family="market")).family is MARKET


def test_market_model_refuses_a_spec_declaring_another_family() -> None:
    with pytest.raises(PluginError) as info:
        MarketModel(_plain_spec(family="veo"))
    assert "'veo'" in str(info.value)
    assert "'market'" in str(info.value)


def test_registry_refuses_a_dedicated_model_whose_spec_names_another_family() -> None:
    model = _OwnModel(_plain_spec(family="market"))
    registry = Registry([PluginSource(name="own", load=lambda: hookimpl_plugin(model))])
    assert registry.models() == []
    [error] = registry.plugins()[0].model_errors
    assert "family='market'" in error
    assert "'own' family object" in error


def test_provider_of_a_model_the_registry_does_not_hold_is_its_declared_provider() -> None:
    registry = Registry([])
    assert registry.provider_of(MarketModel(_plain_spec(provider="by-hand"))) == "by-hand"
