"""Declarative field rules and the validator that applies them to request bodies."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from kie_emulator.envelope import ApiError, validation_error

FieldType = Literal["string", "url", "boolean", "integer", "number", "string_list", "url_list"]
"""The JSON shapes a field may take."""

REQUIRED_MSG = "This field is required"
"""KIE's own wording for a missing field."""


@dataclass(frozen=True)
class Field:
    """One field of a request body or of a Market ``input`` object.

    Attributes:
        name: the JSON key.
        type: the JSON shape (``url`` is a string that must be an http(s) URL).
        required: whether the field must be present (and, for strings, non-empty).
        enum: the allowed values, if the set is finite.
        max_length: the maximum length of a string.
        minimum: the smallest allowed number.
        maximum: the largest allowed number.
        multiple_of: numbers must be a multiple of this.
        min_items: the fewest items of a list.
        max_items: the most items of a list.
        default: the value the server assumes when the field is absent (used for prices).
        allow_empty: whether a required string may be ``""``.
    """

    name: str
    type: FieldType
    required: bool = False
    enum: tuple[Any, ...] | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    multiple_of: float | None = None
    min_items: int | None = None
    max_items: int | None = None
    default: Any = None
    allow_empty: bool = False


def _fmt(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://")) and len(value) > len("https://")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return float(value)


def _check_string(spec: Field, where: str, value: Any) -> None:
    if not isinstance(value, str):
        if spec.enum is not None:
            choices = ", ".join(_fmt(v) for v in spec.enum)
            raise validation_error(f"{where}: must be a string, one of {choices}")
        raise validation_error(f"{where}: must be a string")
    if spec.required and not spec.allow_empty and not value.strip():
        raise validation_error(f"{where}: {REQUIRED_MSG}")
    if spec.max_length is not None and len(value) > spec.max_length:
        raise validation_error(f"{where}: must be at most {spec.max_length} characters")
    if spec.type == "url" and value and not _is_url(value):
        raise validation_error(f"{where}: must be an http(s) URL")


def _check_number(spec: Field, where: str, value: Any) -> None:
    number = _number(value)
    if number is None:
        raise validation_error(f"{where}: must be a number")
    if spec.type == "integer" and not number.is_integer():
        raise validation_error(f"{where}: must be an integer")
    low, high = spec.minimum, spec.maximum
    if (low is not None and number < low) or (high is not None and number > high):
        if low is not None and high is not None:
            raise validation_error(f"{where}: must be between {low:g} and {high:g}")
        if low is not None:
            raise validation_error(f"{where}: must be at least {low:g}")
        raise validation_error(f"{where}: must be at most {high:g}")
    if spec.multiple_of is not None:
        ratio = number / spec.multiple_of
        if abs(ratio - round(ratio)) > 1e-6:
            raise validation_error(f"{where}: must be a multiple of {spec.multiple_of:g}")


def _check_list(spec: Field, where: str, value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise validation_error(f"{where}: must be an array of strings")
    if spec.required and not value:
        raise validation_error(f"{where}: {REQUIRED_MSG}")
    if spec.min_items is not None and len(value) < spec.min_items:
        raise validation_error(f"{where}: must contain at least {spec.min_items} item(s)")
    if spec.max_items is not None and len(value) > spec.max_items:
        raise validation_error(f"{where}: must contain at most {spec.max_items} item(s)")
    if spec.type == "url_list":
        for i, item in enumerate(value):
            if not _is_url(item):
                raise validation_error(f"{where}[{i}]: must be an http(s) URL")


def check_field(spec: Field, where: str, value: Any) -> None:
    """Validate one present value against its rule.

    Raises:
        ApiError: code 422 with a message naming the field.
    """
    if spec.type in {"string", "url"}:
        _check_string(spec, where, value)
    elif spec.type == "boolean":
        if not isinstance(value, bool):
            raise validation_error(f"{where}: must be a boolean")
    elif spec.type in {"integer", "number"}:
        _check_number(spec, where, value)
    else:
        _check_list(spec, where, value)
    if spec.enum is not None and value not in spec.enum:
        choices = ", ".join(_fmt(v) for v in spec.enum)
        raise validation_error(f"{where}: must be one of {choices}")


def validate_object(
    data: Any,
    fields: Iterable[Field],
    *,
    prefix: str = "",
    context: str = "",
    ignored: Iterable[str] = (),
) -> dict[str, Any]:
    """Validate a JSON object against field rules and return it.

    Unknown keys are rejected with a message naming the key; ``ignored`` keys are tolerated.

    Raises:
        ApiError: code 422 naming the first offending field.
    """
    label = prefix.rstrip(".") or "body"
    if not isinstance(data, Mapping):
        raise validation_error(f"{label}: must be a JSON object")
    specs = {f.name: f for f in fields}
    tolerated = set(ignored)
    for key in data:
        if key not in specs and key not in tolerated:
            suffix = f" for {context}" if context else ""
            raise validation_error(f"{prefix}{key}: unknown parameter {_fmt(key)}{suffix}")
    for spec in specs.values():
        where = f"{prefix}{spec.name}"
        if spec.name not in data or data[spec.name] is None:
            if spec.required:
                raise validation_error(f"{where}: {REQUIRED_MSG}")
            continue
        check_field(spec, where, data[spec.name])
    return dict(data)


def with_defaults(data: Mapping[str, Any], fields: Iterable[Field]) -> dict[str, Any]:
    """Return ``data`` completed with the default of every absent field that has one."""
    merged = dict(data)
    for spec in fields:
        if merged.get(spec.name) is None and spec.default is not None:
            merged[spec.name] = spec.default
    return merged


def require_object(data: Any) -> dict[str, Any]:
    """Return ``data`` if it is a JSON object.

    Raises:
        ApiError: code 422 otherwise.
    """
    if not isinstance(data, dict):
        raise validation_error("body: must be a JSON object")
    return data


__all__ = [
    "REQUIRED_MSG",
    "ApiError",
    "Field",
    "FieldType",
    "check_field",
    "require_object",
    "validate_object",
    "with_defaults",
]
