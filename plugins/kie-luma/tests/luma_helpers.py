"""Test helpers: a registry holding only this plugin, and request-to-call shortcuts."""

from __future__ import annotations

from typing import Any

import kie_luma

from kie_core.calls import EndpointCall
from kie_core.models import ResolvedRequest
from kie_core.registry import Registry
from kie_core.request import VideoRequest


def luma_registry() -> Registry:
    """Return a registry with kie_luma registered directly (no entry points scanned)."""
    registry = Registry(sources=[])
    info = registry.register_plugin(kie_luma, "luma")
    assert info.ok, info.error
    assert not info.model_errors, info.model_errors
    return registry


REGISTRY = luma_registry()


def resolve(**fields: Any) -> ResolvedRequest:
    """Resolve a request through the model its ``model`` names."""
    request = VideoRequest(**fields)
    return REGISTRY.get(request.model).resolve(request)


def call(**fields: Any) -> EndpointCall:
    """Return the create call of a request (resolved first, as the client does)."""
    request = VideoRequest(**fields)
    model = REGISTRY.get(request.model)
    return model.build_call(model.resolve(request))
