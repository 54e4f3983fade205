"""Sora 2 and Sora 2 Pro (KIE.ai Market API, retired 2026-09-24) as a kie provider plugin.

Installed with ``pip install kie-sora``; kie finds it through the ``kie.providers`` entry point.
Every request warns that the model is deprecated before any credit is spent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kie_core.plugin import VideoModel, hookimpl
from kie_sora.models import MODELS, SORA_2
from kie_sora.options import SoraOptions, SoraProOptions

if TYPE_CHECKING:
    from kie_core.plugin import EndpointSchema

__all__ = [
    "KIE_PLUGIN_API",
    "MODELS",
    "SORA_2",
    "SoraOptions",
    "SoraProOptions",
    "kie_register_emulations",
    "kie_register_models",
]

#: The kie-core plugin API versions this plugin supports; the registry refuses it on others.
KIE_PLUGIN_API = ">=1,<2"


@hookimpl
def kie_register_models(register: Callable[[VideoModel], None]) -> None:
    """Register ``sora-2`` (variant ``pro`` reached as ``sora-2-pro``)."""
    for model in MODELS:
        register(model)


@hookimpl
def kie_register_emulations(register: Callable[[EndpointSchema], None]) -> None:
    """Teach the offline emulator the endpoints of the plugin's models (as KIE documents them)."""
    from kie_sora.emulation import EMULATIONS

    for schema in EMULATIONS:
        register(schema)
