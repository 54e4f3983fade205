"""MiniMax Hailuo 02 (KIE.ai Market API) as a kie provider plugin.

Installed with ``pip install kie-hailuo``; kie finds it through the ``kie.providers`` entry
point. ``minimax`` is the standard tier, ``hailuo-02`` the pro tier.
"""

from __future__ import annotations

from collections.abc import Callable

from kie_core.hookspecs import hookimpl
from kie_core.models import VideoModel
from kie_hailuo.models import HAILUO_02, MINIMAX, MODELS
from kie_hailuo.options import HailuoOptions

__all__ = [
    "HAILUO_02",
    "KIE_PLUGIN_API",
    "MINIMAX",
    "MODELS",
    "HailuoOptions",
    "kie_register_models",
]

#: The kie-core plugin API versions this plugin supports; the registry refuses it on others.
KIE_PLUGIN_API = ">=1,<2"


@hookimpl
def kie_register_models(register: Callable[[VideoModel], None]) -> None:
    """Register ``minimax`` (Hailuo 02 standard) and ``hailuo-02`` (Hailuo 02 pro)."""
    for model in MODELS:
        register(model)
