"""Kling 2.1 and Kling 2.5 Turbo (KIE.ai Market API) as a kie provider plugin.

Installed with ``pip install kie-kling``; kie finds it through the ``kie.providers`` entry point.
"""

from __future__ import annotations

from collections.abc import Callable

from kie_core.hookspecs import hookimpl
from kie_core.models import VideoModel
from kie_kling.models import KLING_2_1, KLING_2_5_TURBO, MODELS
from kie_kling.options import KlingOptions

__all__ = [
    "KIE_PLUGIN_API",
    "KLING_2_1",
    "KLING_2_5_TURBO",
    "MODELS",
    "KlingOptions",
    "kie_register_models",
]

#: The kie-core plugin API versions this plugin supports; the registry refuses it on others.
KIE_PLUGIN_API = ">=1,<2"


@hookimpl
def kie_register_models(register: Callable[[VideoModel], None]) -> None:
    """Register ``kling-2.1-pro`` (variants pro, master, standard) and ``kling-2.5-turbo``."""
    for model in MODELS:
        register(model)
