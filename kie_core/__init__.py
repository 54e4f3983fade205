"""kie-core: a typed client and command line for the video models of KIE.ai.

Importing ``kie_core`` loads no plugin and no network code: the names below are imported on
first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from kie_core import _moved

__version__ = "0.1.0"

_moved.install()

_EXPORTS: dict[str, str] = {
    "Client": "kie_core.client",
    "AsyncClient": "kie_core.client",
    "Video": "kie_core.client",
    "VideoRequest": "kie_core.request",
    "InputKind": "kie_core.request",
    "ModelSpec": "kie_core.models",
    "Variant": "kie_core.models",
    "Mode": "kie_core.models",
    "PriceRow": "kie_core.models",
    "Forbidden": "kie_core.models",
    "VideoModel": "kie_core.models",
    "ResolvedRequest": "kie_core.models",
    "DeprecatedModelWarning": "kie_core.models",
    "EndpointCall": "kie_core.calls",
    "TaskState": "kie_core.status",
    "TaskStatus": "kie_core.status",
    "TaskHandle": "kie_core.status",
    "CallbackEvent": "kie_core.status",
    "TaskFamily": "kie_core.families.base",
    "MarketModel": "kie_core.families.market",
    "Registry": "kie_core.registry",
    "default_registry": "kie_core.registry",
    "hookimpl": "kie_core.hookspecs",
    "VideoProvider": "kie_core.hookspecs",
    "errors": "kie_core.errors",
}

__all__ = [
    "AsyncClient",
    "CallbackEvent",
    "Client",
    "DeprecatedModelWarning",
    "EndpointCall",
    "Forbidden",
    "InputKind",
    "MarketModel",
    "Mode",
    "ModelSpec",
    "PriceRow",
    "Registry",
    "ResolvedRequest",
    "TaskFamily",
    "TaskHandle",
    "TaskState",
    "TaskStatus",
    "Variant",
    "Video",
    "VideoModel",
    "VideoProvider",
    "VideoRequest",
    "__version__",
    "default_registry",
    "errors",
    "hookimpl",
]

if TYPE_CHECKING:
    from kie_core import errors
    from kie_core.calls import EndpointCall
    from kie_core.client import AsyncClient, Client, Video
    from kie_core.families.base import TaskFamily
    from kie_core.families.market import MarketModel
    from kie_core.hookspecs import VideoProvider, hookimpl
    from kie_core.models import (
        DeprecatedModelWarning,
        Forbidden,
        Mode,
        ModelSpec,
        PriceRow,
        ResolvedRequest,
        Variant,
        VideoModel,
    )
    from kie_core.registry import Registry, default_registry
    from kie_core.request import InputKind, VideoRequest
    from kie_core.status import CallbackEvent, TaskHandle, TaskState, TaskStatus


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'kie_core' has no attribute {name!r}")
    module = import_module(module_name)
    value = module if name == "errors" else getattr(module, name)
    globals()[name] = value
    return value
