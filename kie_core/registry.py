"""Plugin discovery and model lookup.

Plugins are found through the ``kie.providers`` entry point group with importlib-metadata and
imported on first use, never at ``import kie_core``. Each plugin loads inside its own guard: one
that raises on import, implements an unknown hook or registers a malformed model is recorded
with its error (``kie plugins`` shows why) and the rest keep working.

``KIE_LOAD_PLUGINS=a,b`` loads only the named plugins; ``KIE_DISABLE_PLUGINS=a,b`` skips them.
"""

from __future__ import annotations

import os
import threading
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pluggy

from kie_core.errors import PluginError, UnknownModelError
from kie_core.families.base import TaskFamily
from kie_core.families.market import MARKET
from kie_core.hookspecs import PROJECT_NAME, VideoProvider
from kie_core.models import ModelSpec, VideoModel

#: The entry point group provider plugins register under.
ENTRY_POINT_GROUP = "kie.providers"


@dataclass
class PluginInfo:
    """What the registry knows about one plugin: where it came from and how loading went."""

    name: str
    distribution: str | None = None
    version: str | None = None
    value: str | None = None
    models: list[str] = field(default_factory=list)
    error: str | None = None
    model_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the plugin loaded without error."""
        return self.error is None


@dataclass(frozen=True)
class PluginSource:
    """A plugin to load: a name and a loader returning the plugin object (module or instance)."""

    name: str
    load: Callable[[], object]
    distribution: str | None = None
    version: str | None = None
    value: str | None = None


def _split_env(name: str) -> set[str] | None:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return None
    return {part.strip() for part in raw.split(",") if part.strip()}


def entry_point_sources(group: str = ENTRY_POINT_GROUP) -> list[PluginSource]:
    """Return the plugins installed under an entry point group (nothing is imported yet)."""
    import importlib_metadata

    sources: list[PluginSource] = []
    for entry in importlib_metadata.entry_points(group=group):
        dist = entry.dist
        sources.append(
            PluginSource(
                name=entry.name,
                load=entry.load,
                distribution=dist.name if dist is not None else None,
                version=dist.version if dist is not None else None,
                value=entry.value,
            )
        )
    return sources


class Registry:
    """The installed models, by name and alias, and the task families they use.

    Args:
        sources: the plugins to load; by default those of the ``kie.providers`` entry points,
            filtered by ``KIE_LOAD_PLUGINS`` / ``KIE_DISABLE_PLUGINS``.
    """

    def __init__(self, sources: Iterable[PluginSource] | None = None) -> None:
        self._sources = list(sources) if sources is not None else None
        self._lock = threading.RLock()
        self._loaded = False
        self._pm = pluggy.PluginManager(PROJECT_NAME)
        self._pm.add_hookspecs(VideoProvider)
        self._models: dict[str, VideoModel] = {}
        self._by_name: dict[str, VideoModel] = {}
        self._families: dict[str, TaskFamily] = {MARKET.name: MARKET}
        self._plugins: dict[str, PluginInfo] = {}

    # --- loading -------------------------------------------------------------------------

    def _ensure_loaded(self) -> None:
        if self._loaded:
            return
        with self._lock:
            if self._loaded:
                return
            sources = self._sources if self._sources is not None else entry_point_sources()
            only = _split_env("KIE_LOAD_PLUGINS")
            skip = _split_env("KIE_DISABLE_PLUGINS") or set()
            for source in sources:
                if (only is not None and source.name not in only) or source.name in skip:
                    continue
                self._load_source(source)
            self._loaded = True

    def _load_source(self, source: PluginSource) -> None:
        info = PluginInfo(
            name=source.name,
            distribution=source.distribution,
            version=source.version,
            value=source.value,
        )
        self._plugins[source.name] = info
        try:
            plugin = source.load()
        except BaseException as exc:  # a broken plugin must never break the rest
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            info.error = f"import failed: {type(exc).__name__}: {exc}"
            return
        self.register_plugin(plugin, info)

    def register_plugin(self, plugin: object, info: PluginInfo | str) -> PluginInfo:
        """Register a plugin object directly (tests, applications embedding a provider)."""
        with self._lock:
            if isinstance(info, str):
                info = PluginInfo(name=info)
            self._plugins[info.name] = info
            try:
                self._pm.register(plugin, name=info.name)
                self._pm.check_pending()
            except Exception as exc:
                if self._pm.is_registered(plugin):
                    self._pm.unregister(plugin)
                info.error = f"invalid plugin: {type(exc).__name__}: {exc}"
                return info
            for impl in self._pm.hook.kie_register_families.get_hookimpls():
                if impl.plugin is plugin:
                    self._call_impl(info, impl.function, self._add_family)
            for impl in self._pm.hook.kie_register_models.get_hookimpls():
                if impl.plugin is plugin:
                    self._call_impl(info, impl.function, lambda m: self._add_model(info, m))
            self._loaded = self._loaded or self._sources == []
            return info

    def _call_impl(
        self, info: PluginInfo, function: Callable[..., Any], register: Callable[[Any], None]
    ) -> None:
        try:
            function(register=register)
        except Exception as exc:
            info.error = f"hook failed: {type(exc).__name__}: {exc}"
            info.model_errors.append(traceback.format_exc(limit=3))

    def _add_family(self, family: TaskFamily) -> None:
        if not isinstance(family, TaskFamily) or not family.name:
            raise PluginError(f"not a named TaskFamily: {family!r}")
        self._families.setdefault(family.name, family)

    def _add_model(self, info: PluginInfo, model: VideoModel) -> None:
        try:
            spec = getattr(model, "spec", None)
            if not isinstance(model, VideoModel) or not isinstance(spec, ModelSpec):
                raise PluginError(f"not a VideoModel with a ModelSpec: {model!r}")
            family = getattr(model, "family", None)
            if not isinstance(family, TaskFamily) or not family.name:
                raise PluginError(f"model {spec.name!r} has no TaskFamily")
            taken = [n for n in spec.all_names() if n in self._by_name]
            if taken:
                owner = self._by_name[taken[0]].spec.provider
                raise PluginError(f"model name {taken[0]!r} is already provided by {owner!r}")
            if spec.provider != info.name:
                model.spec = spec.model_copy(update={"provider": info.name})
        except Exception as exc:
            info.model_errors.append(f"{type(exc).__name__}: {exc}")
            return
        self._models[model.spec.name] = model
        for name in model.spec.all_names():
            self._by_name[name] = model
        self._families.setdefault(family.name, family)
        info.models.append(model.spec.name)

    # --- lookup --------------------------------------------------------------------------

    def models(self) -> list[VideoModel]:
        """Every loaded model, sorted by name."""
        self._ensure_loaded()
        return [self._models[name] for name in sorted(self._models)]

    def specs(self) -> list[ModelSpec]:
        """Return the specs of every loaded model, sorted by name."""
        return [model.spec for model in self.models()]

    def get(self, name: str) -> VideoModel:
        """Return the model with this name or alias.

        Raises:
            UnknownModelError: naming the installed models.
        """
        self._ensure_loaded()
        model = self._by_name.get(name) or self._by_name.get(name.lower())
        if model is None:
            known = sorted(self._by_name)
            hint = ", ".join(sorted(self._models)) or "none (install a plugin such as kie-veo)"
            raise UnknownModelError(
                f"unknown model {name!r}{_suggestion(name, known)}; installed models: {hint}",
                field="model",
                value=name,
                accepted=known,
            )
        return model

    def family(self, name: str) -> TaskFamily:
        """Return a task family by name (``market``, ``veo``, ``runway``...)."""
        self._ensure_loaded()
        try:
            return self._families[name]
        except KeyError:
            raise PluginError(
                f"unknown task family {name!r}; known: {', '.join(sorted(self._families))}"
            ) from None

    def families(self) -> dict[str, TaskFamily]:
        """Every known task family by name."""
        self._ensure_loaded()
        return dict(self._families)

    def plugins(self) -> list[PluginInfo]:
        """Every plugin seen, loaded or failed, sorted by name."""
        self._ensure_loaded()
        return [self._plugins[name] for name in sorted(self._plugins)]


_default: Registry | None = None
_default_lock = threading.Lock()


def default_registry() -> Registry:
    """Return the process-wide registry of installed plugins (created on first use)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Registry()
        return _default


def reset_default_registry() -> None:
    """Forget the process-wide registry so the next use rescans entry points."""
    global _default
    with _default_lock:
        _default = None


def _suggestion(name: str, known: list[str]) -> str:
    """Return `` (did you mean 'x'?)`` for a name close to installed ones, else nothing."""
    import difflib

    close = [repr(item) for item in difflib.get_close_matches(name.lower(), known, n=3)]
    if not close:
        return ""
    listed = close[0] if len(close) == 1 else f"{', '.join(close[:-1])} or {close[-1]}"
    return f" (did you mean {listed}?)"
