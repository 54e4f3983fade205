"""Old import paths of modules that moved to other distributions keep working.

``kie_core.emulator`` and ``kie_core.testing`` became the ``kie_emulator`` package of the
kie-emulator distribution. Importing an old name gives the very module object of its new home
(no second copy, so classes stay identical), when that distribution is installed; without it,
the import fails with the one-line install command.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from types import ModuleType

#: Old module prefix -> new module prefix, and the distribution that holds it.
MOVED: dict[str, tuple[str, str]] = {
    "kie_core.emulator": ("kie_emulator", "kie-emulator"),
    "kie_core.testing": ("kie_emulator.testing", "kie-emulator"),
}


def _target(name: str) -> tuple[str, str] | None:
    for old, (new, dist) in MOVED.items():
        if name == old or name.startswith(old + "."):
            return new + name[len(old) :], dist
    return None


class MovedModuleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves an old module name to the module at its new home."""

    def find_spec(
        self, fullname: str, path: object = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        """Claim the old names listed in :data:`MOVED`; leave every other name alone."""
        if _target(fullname) is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        """Import and return the module at the new home."""
        moved = _target(spec.name)
        assert moved is not None
        new, dist = moved
        try:
            return importlib.import_module(new)
        except ModuleNotFoundError as exc:
            if exc.name is None or not new.startswith(exc.name):
                raise
            raise ModuleNotFoundError(
                f"{spec.name} moved to {new}, in the {dist} distribution: pip install {dist}",
                name=spec.name,
            ) from None

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the module was executed at its new home."""


def install() -> None:
    """Put the finder on ``sys.meta_path`` (once)."""
    if not any(isinstance(finder, MovedModuleFinder) for finder in sys.meta_path):
        # Ahead of the path finder, which would load a second copy from the new folder.
        sys.meta_path.insert(0, MovedModuleFinder())
