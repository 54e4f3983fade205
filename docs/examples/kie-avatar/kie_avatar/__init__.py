"""Kling AI Avatar (KIE.ai Market API) as a kie provider plugin.

Installed with ``pip install kie-avatar``; kie finds it through the ``kie.providers`` entry
point ``avatar = "kie_avatar"`` and calls ``kie_register_models`` once, when the registry
loads plugins; the emulator (``kie-emulator``) calls ``kie_register_emulations``.
The module imports only kie-core's public names, so loading it is cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kie_avatar.models import AVATAR_SPEC, KLING_AVATAR, MODELS
from kie_core.plugin import VideoModel, hookimpl

if TYPE_CHECKING:
    from kie_core.plugin import EndpointSchema

__all__ = [
    "AVATAR_SPEC",
    "KIE_PLUGIN_API",
    "KLING_AVATAR",
    "MODELS",
    "kie_register_emulations",
    "kie_register_models",
]

#: The kie-core plugin API versions this plugin supports; the registry refuses it on others.
KIE_PLUGIN_API = ">=1,<2"


@hookimpl
def kie_register_models(register: Callable[[VideoModel], None]) -> None:
    """Register ``kling-avatar`` (variants ``kling-avatar-standard`` and ``kling-avatar-pro``)."""
    for model in MODELS:
        register(model)


@hookimpl
def kie_register_emulations(register: Callable[[EndpointSchema], None]) -> None:
    """Teach the offline emulator the two KIE model ids (called only by the emulator)."""
    from kie_avatar.emulation import EMULATIONS

    for schema in EMULATIONS:
        register(schema)
