"""Loading a plugin the way kie does, into a registry of its own."""

from __future__ import annotations

from kie_core.models import VideoModel
from kie_core.registry import ENTRY_POINT_GROUP, Registry
from kie_emulator.testing.problems import raise_if


def default_plugin_name(plugin: object) -> str:
    """Return the entry point name a plugin is installed under, or its module/class name."""
    module_name = getattr(plugin, "__name__", None)
    if isinstance(module_name, str):
        import importlib_metadata

        for entry in importlib_metadata.entry_points(group=ENTRY_POINT_GROUP):
            if entry.value == module_name:
                return str(entry.name)
        return module_name
    return type(plugin).__name__


def load_plugin(plugin: object, name: str | None = None) -> list[VideoModel]:
    """Register ``plugin`` in a fresh registry, as kie would, and return its models.

    Args:
        plugin: the object registered under the ``kie.providers`` entry point (usually a module).
        name: the plugin's name; by default its entry point name.

    Raises:
        ContractError: the plugin does not load, registers no model, or a model is refused.
    """
    registry = Registry(sources=[])
    info = registry.register_plugin(plugin, name or default_plugin_name(plugin))
    problems: list[str] = []
    if info.error:
        problems.append(f"plugin {info.name!r} did not load: {info.error}")
    problems.extend(f"a model was refused: {error}" for error in info.model_errors)
    models = registry.models()
    if not models and not problems:
        problems.append(f"plugin {info.name!r} registers no model through kie_register_models")
    raise_if(f"plugin {info.name!r}", problems)
    return models
