"""Reading tool arguments: each bad one is refused naming the field, the value and what is accepted.

The JSON schemas tell a well-behaved client what to send; these checks hold whatever arrives.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from kie_core.request import VideoRequest
from kie_mcp.config import MAX_IDS, MAX_REQUESTS
from kie_mcp.errors import ToolRefusal
from kie_mcp.tools import request_schema

#: The request fields an agent may set (no callback URL: results are followed with tasks).
REQUEST_FIELDS = tuple(request_schema()["properties"])

_FIX = "Fix the named field (see accepted) and call again; nothing was sent or charged."


def bad(field: str, value: Any, message: str, accepted: Any = None) -> ToolRefusal:
    """Return the refusal of one bad argument."""
    return ToolRefusal("invalid_input", message, _FIX, field=field, value=value, accepted=accepted)


def only(args: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    """Refuse any argument not in ``allowed``."""
    for key in args:
        if key not in allowed:
            raise bad(key, None, f"unknown argument {key!r}", accepted=allowed)


def integer(args: Mapping[str, Any], name: str, low: int, high: int, default: int) -> int:
    """Return an integer argument within [low, high]."""
    value = args.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise bad(name, value, f"{name} must be an integer from {low} to {high}", [low, high])
    return value


def number(args: Mapping[str, Any], name: str, low: float, high: float) -> float:
    """Return a number argument within [low, high] (0 when absent)."""
    value = args.get(name, 0)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise bad(name, value, f"{name} must be a number from {low:g} to {high:g}", [low, high])
    return float(value)


def flag(args: Mapping[str, Any], name: str) -> bool:
    """Return a boolean argument (false when absent)."""
    value = args.get(name, False)
    if not isinstance(value, bool):
        raise bad(name, value, f"{name} must be true or false", [True, False])
    return value


def text(args: Mapping[str, Any], name: str) -> str | None:
    """Return an optional non-empty string argument."""
    value = args.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise bad(name, value, f"{name} must be a non-empty string")
    return value.strip()


def ids(args: Mapping[str, Any], *, required: bool) -> list[str | int]:
    """Return task ids (strings) and journal entry ids (integers), at most 32."""
    value = args.get("ids", [])
    if not isinstance(value, list) or len(value) > MAX_IDS or (required and not value):
        low = 1 if required else 0
        raise bad("ids", value, f"ids must be a list of {low} to {MAX_IDS} task or entry ids")
    for item in value:
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise bad("ids", item, "each id is a task id (string) or a journal entry id (integer)")
        if isinstance(item, str) and not item.strip():
            raise bad("ids", item, "a task id must not be empty")
    return [item.strip() if isinstance(item, str) else item for item in value]


def requests(args: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Return the raw request objects: a list of 1 to 16 objects."""
    value = args.get("requests")
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_REQUESTS:
        raise bad("requests", None, f"requests must be a list of 1 to {MAX_REQUESTS} objects")
    for index, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise bad(f"requests[{index}]", item, "each request must be an object")
    return value


def video_request(raw: Mapping[str, Any], index: int) -> VideoRequest:
    """Return a :class:`VideoRequest` from one raw request object."""
    for key in raw:
        if key not in REQUEST_FIELDS:
            raise _indexed(bad(key, None, f"unknown request field {key!r}", REQUEST_FIELDS), index)
    try:
        return VideoRequest.model_validate(dict(raw))
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"]) or "request"
        refusal = bad(field, error.get("input"), f"{field}: {error['msg']}")
        raise _indexed(refusal, index) from None


def _indexed(refusal: ToolRefusal, index: int) -> ToolRefusal:
    refusal.index = index
    return refusal
