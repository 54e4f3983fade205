"""Causes the benchmarks look for: imports that fail again and again on the hot path.

httpcore's async locks call ``current_async_library()``, which runs ``import sniffio`` each time.
When sniffio is not installed (httpx 0.28 and recent anyio no longer require it), every such
call is a failed import, and a failed import is not cached: Python searches every ``sys.path``
entry again. :class:`ImportLookups` counts those searches in a worker; :func:`failed_import_us`
says what one costs with this interpreter's ``sys.path``.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
import timeit
from collections.abc import Sequence
from types import ModuleType
from typing import Any

#: The module httpcore looks up on every async lock it sets up.
SNIFFIO = "sniffio"


def importable(name: str) -> bool:
    """Return whether ``name`` can be imported here."""
    return name in sys.modules or importlib.util.find_spec(name) is not None


def failed_import_us(name: str = SNIFFIO, number: int = 300) -> float | None:
    """Return the microseconds one failed ``import name`` costs (None if it imports)."""
    if importable(name):
        return None
    code = f"try:\n    import {name}\nexcept ImportError:\n    pass"
    return timeit.timeit(code, number=number) / number * 1e6


class ImportLookups(importlib.abc.MetaPathFinder):
    """Counts the searches for one module name; finds nothing itself.

    Installed first on ``sys.meta_path``, it sees every import of ``name`` that is not already
    in ``sys.modules``, that is, every failed attempt of a module that is not installed.
    """

    def __init__(self, name: str = SNIFFIO) -> None:
        self.name = name
        self.count = 0

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> Any:
        """Count a search for the watched name; let the other finders do the finding."""
        if fullname == self.name:
            self.count += 1
        return None

    def install(self) -> ImportLookups:
        """Put this finder first on ``sys.meta_path`` and return it."""
        sys.meta_path.insert(0, self)
        return self

    def remove(self) -> None:
        """Take this finder off ``sys.meta_path``."""
        if self in sys.meta_path:
            sys.meta_path.remove(self)
