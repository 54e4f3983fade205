"""ByteDance Seedance V1 (KIE.ai Market API) as a kie provider plugin.

Installed with ``pip install kie-seedance``; kie finds it through the ``kie.providers`` entry
point. ``seedance`` is V1 Pro; ``seedance-lite`` and ``seedance-pro-fast`` select the variants.
"""

from __future__ import annotations

from collections.abc import Callable

from kie_core.hookspecs import hookimpl
from kie_core.models import VideoModel
from kie_seedance.models import MODELS, SEEDANCE, SeedanceModel
from kie_seedance.options import SeedanceFastOptions, SeedanceOptions

__all__ = [
    "KIE_PLUGIN_API",
    "MODELS",
    "SEEDANCE",
    "SeedanceFastOptions",
    "SeedanceModel",
    "SeedanceOptions",
    "kie_register_models",
]

#: The kie-core plugin API versions this plugin supports; the registry refuses it on others.
KIE_PLUGIN_API = ">=1,<2"


@hookimpl
def kie_register_models(register: Callable[[VideoModel], None]) -> None:
    """Register ``seedance`` (variants ``seedance-lite`` and ``seedance-pro-fast``)."""
    for model in MODELS:
        register(model)
