"""ByteDance Seedance V1 (KIE.ai Market API) as a kie provider plugin.

Installed with ``pip install kie-seedance``; kie finds it through the ``kie.providers`` entry
point. ``seedance`` is V1 Pro; ``seedance-lite`` and ``seedance-pro-fast`` select the variants.
"""

from __future__ import annotations

from collections.abc import Callable

from kie_core.emulation import EndpointSchema
from kie_core.hookspecs import hookimpl
from kie_core.models import VideoModel
from kie_seedance.models import MODELS, SEEDANCE, SeedanceModel
from kie_seedance.options import SeedanceFastOptions, SeedanceOptions

__all__ = [
    "MODELS",
    "SEEDANCE",
    "SeedanceFastOptions",
    "SeedanceModel",
    "SeedanceOptions",
    "kie_register_emulations",
    "kie_register_models",
]


@hookimpl
def kie_register_models(register: Callable[[VideoModel], None]) -> None:
    """Register ``seedance`` (variants ``seedance-lite`` and ``seedance-pro-fast``)."""
    for model in MODELS:
        register(model)


@hookimpl
def kie_register_emulations(register: Callable[[EndpointSchema], None]) -> None:
    """Teach the offline emulator the endpoints of the plugin's models (as KIE documents them)."""
    from kie_seedance.emulation import EMULATIONS

    for schema in EMULATIONS:
        register(schema)
