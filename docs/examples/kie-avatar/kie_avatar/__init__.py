"""Kling AI Avatar (KIE.ai Market API) as a kie provider plugin.

Installed with ``pip install kie-avatar``; kie finds it through the ``kie.providers`` entry
point ``avatar = "kie_avatar"`` and calls the hook below once, when the registry loads plugins.
The module imports only kie-core's public names, so loading it is cheap.
"""

from __future__ import annotations

from collections.abc import Callable

from kie_avatar.models import AVATAR_SPEC, KLING_AVATAR, MODELS
from kie_core import VideoModel, hookimpl

__all__ = ["AVATAR_SPEC", "KIE_PLUGIN_API", "KLING_AVATAR", "MODELS", "kie_register_models"]

#: The kie-core plugin API versions this plugin supports; the registry refuses it on others.
KIE_PLUGIN_API = ">=1,<2"


@hookimpl
def kie_register_models(register: Callable[[VideoModel], None]) -> None:
    """Register ``kling-avatar`` (variants ``kling-avatar-standard`` and ``kling-avatar-pro``)."""
    for model in MODELS:
        register(model)
