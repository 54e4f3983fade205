"""The models the emulator serves: the declarations of the installed plugins, by key."""

from __future__ import annotations

from collections.abc import Iterable

from kie_core.emulation import EndpointSchema
from kie_emulator.paths import MARKET_CREATE


class Catalog:
    """Emulator declarations, by Market model id and by dedicated route.

    Args:
        schemas: the declarations; when two declare the same model id or route, the first wins.
    """

    def __init__(self, schemas: Iterable[EndpointSchema]) -> None:
        self.schemas = tuple(schemas)
        self._market: dict[str, EndpointSchema] = {}
        self._routes: dict[str, EndpointSchema] = {}
        for schema in self.schemas:
            table = self._market if schema.is_market else self._routes
            table.setdefault(schema.key, schema)

    @classmethod
    def installed(cls) -> Catalog:
        """Return the declarations of the installed plugins (kie's default registry)."""
        from kie_core.registry import default_registry

        return cls(default_registry().emulations())

    def market(self, model_id: str) -> EndpointSchema | None:
        """Return the declaration of a Market model id, or ``None``."""
        return self._market.get(model_id)

    def route(self, path: str) -> EndpointSchema | None:
        """Return the declaration of a dedicated create route, or ``None``."""
        return self._routes.get(path)

    def dedicated(self) -> list[EndpointSchema]:
        """Return the declarations of dedicated endpoints, one per route."""
        return list(self._routes.values())

    def market_ids(self) -> list[str]:
        """Return every declared Market model id, sorted."""
        return sorted(self._market)

    @property
    def create_paths(self) -> frozenset[str]:
        """Routes that create (and charge for) a task."""
        dedicated = {path for path, s in self._routes.items() if s.operation != "upgrade-1080p"}
        return frozenset({MARKET_CREATE, *dedicated})
