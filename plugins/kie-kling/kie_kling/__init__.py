"""Kling 2.1 and Kling 2.5 Turbo (KIE.ai Market API) as a kie provider plugin.

Installed with ``pip install kie-kling``; kie finds it through the ``kie.providers`` entry point.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kie_core.plugin import VideoModel, hookimpl
from kie_kling.models import KLING_2_1, KLING_2_5_TURBO, MODELS
from kie_kling.options import KlingOptions

if TYPE_CHECKING:
    from kie_core.plugin import EndpointSchema

__all__ = [
    "KIE_PLUGIN_API",
    "KLING_2_1",
    "KLING_2_5_TURBO",
    "MODELS",
    "KlingOptions",
    "kie_register_emulations",
    "kie_register_models",
]

#: The kie-core plugin API versions this plugin supports; the registry refuses it on others.
KIE_PLUGIN_API = ">=1,<2"


@hookimpl
def kie_register_models(register: Callable[[VideoModel], None]) -> None:
    """Register ``kling-2.1-pro`` (variants pro, master, standard) and ``kling-2.5-turbo``."""
    for model in MODELS:
        register(model)


@hookimpl
def kie_register_emulations(register: Callable[[EndpointSchema], None]) -> None:
    """Teach the offline emulator the endpoints of the plugin's models (as KIE documents them)."""
    from kie_kling.emulation import EMULATIONS

    for schema in EMULATIONS:
        register(schema)
