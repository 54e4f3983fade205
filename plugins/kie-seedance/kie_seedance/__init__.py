"""ByteDance Seedance V1 (KIE.ai Market API) as a kie provider plugin.

Installed with ``pip install kie-seedance``; kie finds it through the ``kie.providers`` entry
point. ``seedance`` is V1 Pro; ``seedance-lite`` and ``seedance-pro-fast`` select the variants;
``seedance-1.5-pro`` is Seedance 1.5 Pro.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kie_core.plugin import VideoModel, hookimpl
from kie_seedance.models import MODELS, SEEDANCE, SeedanceModel
from kie_seedance.options import SeedanceFastOptions, SeedanceOptions
from kie_seedance.seedance15 import SEEDANCE_15, Seedance15Model, Seedance15Options

if TYPE_CHECKING:
    from kie_core.plugin import EndpointSchema

__all__ = [
    "KIE_PLUGIN_API",
    "MODELS",
    "SEEDANCE",
    "SEEDANCE_15",
    "Seedance15Model",
    "Seedance15Options",
    "SeedanceFastOptions",
    "SeedanceModel",
    "SeedanceOptions",
    "kie_register_emulations",
    "kie_register_models",
]

#: The kie-core plugin API versions this plugin supports; the registry refuses it on others.
KIE_PLUGIN_API = ">=1,<2"


@hookimpl
def kie_register_models(register: Callable[[VideoModel], None]) -> None:
    """Register ``seedance`` (``seedance-lite``, ``seedance-pro-fast``) and ``seedance-1.5-pro``."""
    for model in MODELS:
        register(model)


@hookimpl
def kie_register_emulations(register: Callable[[EndpointSchema], None]) -> None:
    """Teach the offline emulator the endpoints of the plugin's models (as KIE documents them)."""
    from kie_seedance.emulation import EMULATIONS

    for schema in EMULATIONS:
        register(schema)
