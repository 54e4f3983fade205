"""Parsing of single-range HTTP ``Range`` headers (RFC 9110 §14)."""

from __future__ import annotations


class Unsatisfiable(Exception):
    """The range lies entirely outside the representation: answer 416."""


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """Return the inclusive byte range a ``Range`` header asks for.

    Returns ``None`` when the whole representation should be sent: no header, a unit other
    than ``bytes``, a malformed value, or several ranges (which this server chooses to ignore,
    as RFC 9110 allows).

    Raises:
        Unsatisfiable: the range is well formed but no byte of it exists.
    """
    if not header:
        return None
    unit, _, spec = header.strip().partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    first, last = first.strip(), last.strip()
    if not dash or (first and not first.isdigit()) or (last and not last.isdigit()):
        return None
    if not first:
        if not last:
            return None
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return max(size - suffix, 0), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None
    if start >= size:
        raise Unsatisfiable
    return start, min(end, size - 1)
