"""Sora 2 and Sora 2 Pro (KIE.ai Market API, retired 2026-09-24) as a kie provider plugin.

Installed with ``pip install kie-sora``; kie finds it through the ``kie.providers`` entry point.
Every request warns that the model is deprecated before any credit is spent.
"""

from __future__ import annotations

from collections.abc import Callable

from kie_core.hookspecs import hookimpl
from kie_core.models import VideoModel
from kie_sora.models import MODELS, SORA_2
from kie_sora.options import SoraOptions, SoraProOptions

__all__ = [
    "KIE_PLUGIN_API",
    "MODELS",
    "SORA_2",
    "SoraOptions",
    "SoraProOptions",
    "kie_register_models",
]

#: The kie-core plugin API versions this plugin supports; the registry refuses it on others.
KIE_PLUGIN_API = ">=1,<2"


@hookimpl
def kie_register_models(register: Callable[[VideoModel], None]) -> None:
    """Register ``sora-2`` (variant ``pro`` reached as ``sora-2-pro``)."""
    for model in MODELS:
        register(model)
