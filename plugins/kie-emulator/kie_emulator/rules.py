"""The cross-field rules and prices of a declaration, applied to one request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kie_core.emulation import EndpointSchema, Forbidden, ItemCount, RequiredWithout, matches
from kie_emulator.envelope import ApiError, validation_error


def _present(value: Any) -> bool:
    return value is not None and value not in ("", [])


def check_rules(schema: EndpointSchema, data: Mapping[str, Any]) -> None:
    """Check every rule of ``schema`` on ``data`` (the body with defaults applied).

    Raises:
        ApiError: code 422 with the first broken rule's message.
    """
    for rule in schema.rules:
        if isinstance(rule, Forbidden):
            if matches(rule.when, data):
                raise validation_error(rule.message)
        elif isinstance(rule, RequiredWithout):
            if not _present(data.get(rule.without)) and not _present(data.get(rule.field)):
                raise validation_error(rule.message)
        elif isinstance(rule, ItemCount) and matches(rule.when, data):
            items = data.get(rule.field) or []
            if not rule.minimum <= len(items) <= rule.maximum:
                raise validation_error(rule.message)


def price_of(schema: EndpointSchema, data: Mapping[str, Any]) -> float:
    """Return the declared credits of a task with this body (defaults applied).

    A declaration without prices (KIE publishes none) charges nothing.

    Raises:
        ApiError: code 422 when no price row matches (the declaration is incomplete).
    """
    if not schema.prices:
        return 0.0
    credits = schema.price(data)
    if credits is None:
        names = sorted({name for row in schema.prices for name in row.when})
        values = ", ".join(f"{name}={data.get(name)!r}" for name in names)
        raise ApiError(
            422, f"the emulator declaration of {schema.model} has no price for {values or 'it'}"
        )
    return credits
