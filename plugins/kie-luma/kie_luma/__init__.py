"""kie-luma: Luma Modify (video to video) on KIE.ai as a kie provider plugin.

Registered under the ``kie.providers`` entry point ``luma``. Importing this module loads only
the hook functions; the model spec and the family load when kie calls the hooks (or when one of
the names below is first used).

Model: ``luma-modify``. Task family: ``luma``.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING, Any

from kie_core.plugin import hookimpl

if TYPE_CHECKING:
    from kie_core.plugin import EndpointSchema, TaskFamily, VideoModel
    from kie_luma.family import LUMA, LumaFamily
    from kie_luma.models import LUMA_MODIFY, MODELS, LumaModel
    from kie_luma.options import LumaOptions

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "LUMA": "kie_luma.family",
    "LumaFamily": "kie_luma.family",
    "LUMA_MODIFY": "kie_luma.models",
    "MODELS": "kie_luma.models",
    "LumaModel": "kie_luma.models",
    "LumaOptions": "kie_luma.options",
}

__all__ = [
    "KIE_PLUGIN_API",
    "LUMA",
    "LUMA_MODIFY",
    "MODELS",
    "LumaFamily",
    "LumaModel",
    "LumaOptions",
    "__version__",
    "kie_register_emulations",
    "kie_register_families",
    "kie_register_models",
]

#: The kie-core plugin API versions this plugin supports; the registry refuses it on others.
KIE_PLUGIN_API = ">=1,<2"


@hookimpl
def kie_register_models(register: Callable[[VideoModel], None]) -> None:
    """Register ``luma-modify``."""
    from kie_luma.models import MODELS

    for model in MODELS:
        register(model)


@hookimpl
def kie_register_emulations(register: Callable[[EndpointSchema], None]) -> None:
    """Teach the offline emulator the endpoints of the plugin's models (as KIE documents them)."""
    from kie_luma.emulation import EMULATIONS

    for schema in EMULATIONS:
        register(schema)


@hookimpl
def kie_register_families(register: Callable[[TaskFamily], None]) -> None:
    """Register the ``luma`` family, readable on its own."""
    from kie_luma.family import LUMA

    register(LUMA)


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'kie_luma' has no attribute {name!r}")
    value = getattr(import_module(module_name), name)
    globals()[name] = value
    return value
