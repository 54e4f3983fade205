"""The version of the plugin API this kie-core provides, and the check of what a plugin supports.

The plugin API is what a plugin relies on: the hooks of :mod:`kie_core.hookspecs` and the public
names it builds models from (``ModelSpec``, ``VideoModel``, ``TaskFamily``...). Its version is
``MAJOR.MINOR``: the minor number grows when something is added (a new optional hook, a new
field with a default), the major number when something a plugin may use changes or goes away.

A plugin declares the versions it supports as a module attribute of its entry point object::

    KIE_PLUGIN_API = ">=1,<2"

Comma-separated clauses, each an operator (``>=``, ``>``, ``<=``, ``<``, ``==``, ``!=``) and a
dotted version; missing parts count as zero (``1`` is ``1.0``). The registry refuses a plugin
whose range excludes :data:`PLUGIN_API_VERSION` and ``kie plugins`` says why; a plugin that
declares nothing is loaded as before.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable

#: The plugin API version this kie-core provides (``MAJOR.MINOR``).
PLUGIN_API_VERSION = "1.0"

#: The module attribute in which a plugin declares the plugin API versions it supports.
PLUGIN_API_ATTRIBUTE = "KIE_PLUGIN_API"

_CLAUSE = re.compile(r"\s*(>=|<=|==|!=|>|<)\s*(\d+(?:\.\d+)*)\s*")
_OPERATORS: dict[str, Callable[[tuple[int, ...], tuple[int, ...]], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}


def parse_version(text: str) -> tuple[int, ...]:
    """Return a dotted version as integers without trailing zeros (``"1.0"`` -> ``(1,)``).

    Raises:
        ValueError: if the text is not dotted integers.
    """
    if not re.fullmatch(r"\d+(?:\.\d+)*", text.strip()):
        raise ValueError(f"plugin API version {text!r} is not dotted integers such as '1.0'")
    parts = [int(part) for part in text.strip().split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _padded(left: tuple[int, ...], right: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    width = max(len(left), len(right))
    return tuple(side + (0,) * (width - len(side)) for side in (left, right))


def parse_range(text: str) -> list[tuple[str, tuple[int, ...]]]:
    """Return the clauses of a range such as ``">=1,<2"`` as ``(operator, version)`` pairs.

    Raises:
        ValueError: naming the clause that is not ``<operator><version>``.
    """
    clauses: list[tuple[str, tuple[int, ...]]] = []
    for clause in text.split(","):
        match = _CLAUSE.fullmatch(clause)
        if match is None:
            raise ValueError(
                f"plugin API range {text!r}: clause {clause.strip()!r} is not an operator "
                f"({', '.join(_OPERATORS)}) followed by a version such as '1' or '1.2'"
            )
        clauses.append((match.group(1), parse_version(match.group(2))))
    return clauses


def range_contains(text: str, version: str = PLUGIN_API_VERSION) -> bool:
    """Whether the range ``text`` admits ``version`` (by default this kie-core's).

    Raises:
        ValueError: if the range or the version is unreadable.
    """
    wanted = parse_version(version)
    for op, bound in parse_range(text):
        left, right = _padded(wanted, bound)
        if not _OPERATORS[op](left, right):
            return False
    return True


def plugin_api_problem(plugin: object) -> str | None:
    """Return why ``plugin`` cannot load on this kie-core's plugin API, or None if it can.

    A plugin without a :data:`PLUGIN_API_ATTRIBUTE` declares nothing and can load.
    """
    declared = getattr(plugin, PLUGIN_API_ATTRIBUTE, None)
    if declared is None:
        return None
    if not isinstance(declared, str):
        return f"{PLUGIN_API_ATTRIBUTE} is {declared!r}; expected a range string such as '>=1,<2'"
    try:
        compatible = range_contains(declared)
    except ValueError as exc:
        return f"unreadable {PLUGIN_API_ATTRIBUTE}: {exc}"
    if compatible:
        return None
    return (
        f"built for plugin API {declared}, this kie-core provides {PLUGIN_API_VERSION}; "
        "install a kie-core or a plugin release that matches"
    )
