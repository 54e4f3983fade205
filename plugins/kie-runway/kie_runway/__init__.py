"""kie-runway: Runway Gen-3 and Runway Aleph on KIE.ai as a kie provider plugin.

Registered under the ``kie.providers`` entry point ``runway``. Importing this module loads only
the hook functions; the model specs and the families load when kie calls the hooks (or when one
of the names below is first used).

Models: ``runway-gen3`` (family ``runway``) and ``runway-aleph`` (family ``aleph``).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING, Any

from kie_core.plugin import hookimpl

if TYPE_CHECKING:
    from kie_core.plugin import EndpointSchema, TaskFamily, VideoModel
    from kie_runway.aleph_family import ALEPH, AlephFamily
    from kie_runway.family import RUNWAY, RunwayFamily
    from kie_runway.models import MODELS, RUNWAY_ALEPH, RUNWAY_GEN3, AlephModel, RunwayModel
    from kie_runway.options import AlephOptions, RunwayOptions

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "ALEPH": "kie_runway.aleph_family",
    "AlephFamily": "kie_runway.aleph_family",
    "RUNWAY": "kie_runway.family",
    "RunwayFamily": "kie_runway.family",
    "MODELS": "kie_runway.models",
    "RUNWAY_ALEPH": "kie_runway.models",
    "RUNWAY_GEN3": "kie_runway.models",
    "AlephModel": "kie_runway.models",
    "RunwayModel": "kie_runway.models",
    "AlephOptions": "kie_runway.options",
    "RunwayOptions": "kie_runway.options",
}

__all__ = [
    "ALEPH",
    "KIE_PLUGIN_API",
    "MODELS",
    "RUNWAY",
    "RUNWAY_ALEPH",
    "RUNWAY_GEN3",
    "AlephFamily",
    "AlephModel",
    "AlephOptions",
    "RunwayFamily",
    "RunwayModel",
    "RunwayOptions",
    "__version__",
    "kie_register_emulations",
    "kie_register_families",
    "kie_register_models",
]

#: The kie-core plugin API versions this plugin supports; the registry refuses it on others.
KIE_PLUGIN_API = ">=1,<2"


@hookimpl
def kie_register_models(register: Callable[[VideoModel], None]) -> None:
    """Register ``runway-gen3`` and ``runway-aleph``."""
    from kie_runway.models import MODELS

    for model in MODELS:
        register(model)


@hookimpl
def kie_register_emulations(register: Callable[[EndpointSchema], None]) -> None:
    """Teach the offline emulator the endpoints of the plugin's models (as KIE documents them)."""
    from kie_runway.emulation import EMULATIONS

    for schema in EMULATIONS:
        register(schema)


@hookimpl
def kie_register_families(register: Callable[[TaskFamily], None]) -> None:
    """Register the ``runway`` and ``aleph`` families, readable on their own."""
    from kie_runway.aleph_family import ALEPH
    from kie_runway.family import RUNWAY

    register(RUNWAY)
    register(ALEPH)


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'kie_runway' has no attribute {name!r}")
    value = getattr(import_module(module_name), name)
    globals()[name] = value
    return value
