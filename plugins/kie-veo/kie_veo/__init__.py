"""kie-veo: Google Veo 3.1 (Quality, Fast, Lite) on KIE.ai as a kie provider plugin.

Registered under the ``kie.providers`` entry point ``veo``. Importing this module loads only the
hook functions; the model specs and the family load when kie calls the hooks (or when one of the
names below is first used).

Models: ``veo-3.1`` (``veo3``), ``veo-3.1-fast`` (``veo3_fast``) with its Lite variant
``veo-3.1-lite`` (``veo3_lite``). Task family: ``veo``.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING, Any

from kie_core.plugin import hookimpl

if TYPE_CHECKING:
    from kie_core.plugin import EndpointSchema, TaskFamily, VideoModel
    from kie_veo.family import VEO, VeoFamily
    from kie_veo.models import MODELS, VEO_31, VEO_31_FAST, VeoModel
    from kie_veo.options import VeoOptions
    from kie_veo.upgrades import (
        get_4k_call,
        get_1080p_call,
        parse_4k_callback,
        read_4k_answer,
        read_1080p_result,
    )

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "VEO": "kie_veo.family",
    "VeoFamily": "kie_veo.family",
    "MODELS": "kie_veo.models",
    "VEO_31": "kie_veo.models",
    "VEO_31_FAST": "kie_veo.models",
    "VeoModel": "kie_veo.models",
    "VeoOptions": "kie_veo.options",
    "get_1080p_call": "kie_veo.upgrades",
    "get_4k_call": "kie_veo.upgrades",
    "parse_4k_callback": "kie_veo.upgrades",
    "read_1080p_result": "kie_veo.upgrades",
    "read_4k_answer": "kie_veo.upgrades",
}

__all__ = [
    "KIE_PLUGIN_API",
    "MODELS",
    "VEO",
    "VEO_31",
    "VEO_31_FAST",
    "VeoFamily",
    "VeoModel",
    "VeoOptions",
    "__version__",
    "get_4k_call",
    "get_1080p_call",
    "kie_register_emulations",
    "kie_register_families",
    "kie_register_models",
    "parse_4k_callback",
    "read_4k_answer",
    "read_1080p_result",
]

#: The kie-core plugin API versions this plugin supports; the registry refuses it on others.
KIE_PLUGIN_API = ">=1,<2"


@hookimpl
def kie_register_models(register: Callable[[VideoModel], None]) -> None:
    """Register ``veo-3.1`` and ``veo-3.1-fast`` (with ``veo-3.1-lite``)."""
    from kie_veo.models import MODELS

    for model in MODELS:
        register(model)


@hookimpl
def kie_register_emulations(register: Callable[[EndpointSchema], None]) -> None:
    """Teach the offline emulator the endpoints of the plugin's models (as KIE documents them)."""
    from kie_veo.emulation import EMULATIONS

    for schema in EMULATIONS:
        register(schema)


@hookimpl
def kie_register_families(register: Callable[[TaskFamily], None]) -> None:
    """Register the ``veo`` family, so Veo records and callbacks are readable on their own."""
    from kie_veo.family import VEO

    register(VEO)


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'kie_veo' has no attribute {name!r}")
    value = getattr(import_module(module_name), name)
    globals()[name] = value
    return value
