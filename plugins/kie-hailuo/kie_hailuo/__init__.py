"""MiniMax Hailuo 02 (KIE.ai Market API) as a kie provider plugin.

Installed with ``pip install kie-hailuo``; kie finds it through the ``kie.providers`` entry
point. ``minimax`` is the standard tier, ``hailuo-02`` the pro tier.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kie_core.plugin import VideoModel, hookimpl
from kie_hailuo.models import HAILUO_02, MINIMAX, MODELS
from kie_hailuo.options import HailuoOptions

if TYPE_CHECKING:
    from kie_core.plugin import EndpointSchema

__all__ = [
    "HAILUO_02",
    "KIE_PLUGIN_API",
    "MINIMAX",
    "MODELS",
    "HailuoOptions",
    "kie_register_emulations",
    "kie_register_models",
]

#: The kie-core plugin API versions this plugin supports; the registry refuses it on others.
KIE_PLUGIN_API = ">=1,<2"


@hookimpl
def kie_register_models(register: Callable[[VideoModel], None]) -> None:
    """Register ``minimax`` (Hailuo 02 standard) and ``hailuo-02`` (Hailuo 02 pro)."""
    for model in MODELS:
        register(model)


@hookimpl
def kie_register_emulations(register: Callable[[EndpointSchema], None]) -> None:
    """Teach the offline emulator the endpoints of the plugin's models (as KIE documents them)."""
    from kie_hailuo.emulation import EMULATIONS

    for schema in EMULATIONS:
        register(schema)
