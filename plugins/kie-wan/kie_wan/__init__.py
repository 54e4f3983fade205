"""Wan 2.5 (KIE.ai Market API) as a kie provider plugin.

Installed with ``pip install kie-wan``; kie finds it through the ``kie.providers`` entry point.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kie_core.plugin import VideoModel, hookimpl
from kie_wan.models import MODELS, WAN_2_5
from kie_wan.options import WanOptions

if TYPE_CHECKING:
    from kie_core.plugin import EndpointSchema

__all__ = [
    "KIE_PLUGIN_API",
    "MODELS",
    "WAN_2_5",
    "WanOptions",
    "kie_register_emulations",
    "kie_register_models",
]

#: The kie-core plugin API versions this plugin supports; the registry refuses it on others.
KIE_PLUGIN_API = ">=1,<2"


@hookimpl
def kie_register_models(register: Callable[[VideoModel], None]) -> None:
    """Register ``wan-2.5`` (text- and image-to-video)."""
    for model in MODELS:
        register(model)


@hookimpl
def kie_register_emulations(register: Callable[[EndpointSchema], None]) -> None:
    """Teach the offline emulator the endpoints of the plugin's models (as KIE documents them)."""
    from kie_wan.emulation import EMULATIONS

    for schema in EMULATIONS:
        register(schema)
