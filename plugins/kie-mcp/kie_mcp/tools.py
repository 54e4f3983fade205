"""The tool list: names, one-paragraph descriptions and tight JSON schemas.

Every tool costs the agent context on every turn, so the schemas are written by hand: no
titles, no repeated definitions, only the fields a call needs (see ``docs/mcp.md`` for their
measured size).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import mcp_types as types

from kie_mcp.config import MAX_IDS, MAX_REQUESTS

_STR = {"type": "string"}


def request_schema() -> dict[str, Any]:
    """Return the schema of one video request (the model names come from the models tool)."""
    return {
        "type": "object",
        "properties": {
            "model": {"type": "string", "description": "a name from the models tool"},
            "prompt": _STR,
            "duration": {"type": "integer", "description": "seconds"},
            "aspect_ratio": _STR,
            "resolution": _STR,
            "first_frame": {"type": "string", "description": "image URL or local path"},
            "last_frame": _STR,
            "reference_images": {"type": "array", "items": _STR},
            "video": _STR,
            "audio": _STR,
            "extend_task_id": _STR,
            "negative_prompt": _STR,
            "seed": {"type": "integer"},
            "options": {"type": "object", "description": "model options (see models)"},
        },
        "required": ["model", "prompt"],
        "additionalProperties": False,
    }


def _requests() -> dict[str, Any]:
    return {
        "type": "array",
        "items": request_schema(),
        "minItems": 1,
        "maxItems": MAX_REQUESTS,
    }


_IDS = {
    "type": "array",
    "items": {"type": ["string", "integer"]},
    "maxItems": MAX_IDS,
    "description": "task ids (strings) or journal entry ids (integers)",
}

_NO_ARGS: dict[str, Any] = {"type": "object", "properties": {}, "additionalProperties": False}

DESCRIPTIONS: dict[str, str] = {
    "models": (
        "List the video models you may use: name, durations, aspect ratios, resolutions, "
        "inputs, option keys and credit prices. Call it once before estimate or generate; "
        "pass `name` to see only models whose name contains it."
    ),
    "estimate": (
        "Validate 1-16 video requests and price them in credits without sending anything. "
        "Each bad request comes back as an error naming the field and the accepted values; "
        "`caps` shows the per-call and daily limits generate will enforce. Use it before "
        "generate when unsure."
    ),
    "generate": (
        "Start 1-16 video generations and return at once with one item per request (journal "
        "entry id, task id, estimated credits). Nothing is sent if any request is invalid or "
        "the batch would exceed the per-call cap, the daily cap or the account balance. An "
        "identical request already started is followed, not paid again (`followed: true`). "
        "Local files (paths relative to the output folder) are uploaded first. Then call tasks "
        "with wait_seconds, then collect."
    ),
    "tasks": (
        "Show the state of tasks (by task id or journal entry id), or of the most recent ones "
        "when `ids` is empty. With `wait_seconds` (at most 45) it waits until all given tasks "
        "finish or the time runs out, sending progress notifications, then returns the states; "
        "call it again if some are still running. States: submitting, created, running, "
        "succeeded, downloaded, failed, ambiguous, rejected."
    ),
    "collect": (
        "Download the results of succeeded tasks into the server's output folder (optionally "
        "a sub-folder of it via `folder`; paths outside it are refused) and return the file "
        "paths. Already downloaded results are not fetched again. With `resources: true` each "
        "file is also returned as a resource link a client can open."
    ),
    "credits": (
        "Return the account's credit balance and this server's caps: per generate call, per "
        "UTC day, and what today has already committed."
    ),
    "spend": (
        "Summarize credits committed per UTC day and model from the journal: the estimate "
        "and, where KIE reported it, the actual charge. `days` (default 7, at most 90) sets "
        "how far back."
    ),
}

_READ_ONLY = types.ToolAnnotations(read_only_hint=True, open_world_hint=True)


def tool_list() -> list[types.Tool]:
    """Return the seven tools."""
    schemas: dict[str, dict[str, Any]] = {
        "models": {
            "type": "object",
            "properties": {"name": _STR},
            "additionalProperties": False,
        },
        "estimate": {
            "type": "object",
            "properties": {"requests": _requests()},
            "required": ["requests"],
            "additionalProperties": False,
        },
        "generate": {
            "type": "object",
            "properties": {"requests": _requests()},
            "required": ["requests"],
            "additionalProperties": False,
        },
        "tasks": {
            "type": "object",
            "properties": {
                "ids": _IDS,
                "wait_seconds": {"type": "number", "minimum": 0, "maximum": 45},
                "limit": {"type": "integer", "minimum": 1, "maximum": 50},
            },
            "additionalProperties": False,
        },
        "collect": {
            "type": "object",
            "properties": {
                "ids": {**_IDS, "minItems": 1},
                "folder": {"type": "string", "description": "sub-folder of the output folder"},
                "resources": {"type": "boolean"},
            },
            "required": ["ids"],
            "additionalProperties": False,
        },
        "credits": _NO_ARGS,
        "spend": {
            "type": "object",
            "properties": {"days": {"type": "integer", "minimum": 1, "maximum": 90}},
            "additionalProperties": False,
        },
    }
    annotations = {
        "models": _READ_ONLY,
        "estimate": _READ_ONLY,
        "generate": types.ToolAnnotations(
            read_only_hint=False, destructive_hint=False, idempotent_hint=True
        ),
        "tasks": _READ_ONLY,
        "collect": types.ToolAnnotations(
            read_only_hint=False, destructive_hint=False, idempotent_hint=True
        ),
        "credits": _READ_ONLY,
        "spend": _READ_ONLY,
    }
    return [
        types.Tool(
            name=name,
            description=DESCRIPTIONS[name],
            input_schema=schema,
            annotations=annotations[name],
        )
        for name, schema in schemas.items()
    ]


def schema_size(tools: Sequence[types.Tool]) -> tuple[int, int]:
    """Return the tool list's size as the client receives it: (bytes of JSON, approx tokens).

    Tokens are approximated as bytes / 4, the usual figure for JSON-heavy English text.
    """
    import json

    payload = [tool.model_dump(by_alias=True, exclude_none=True, mode="json") for tool in tools]
    size = len(json.dumps(payload, separators=(",", ":")).encode("utf-8"))
    return size, round(size / 4)


def input_schema_size(tools: Sequence[types.Tool]) -> int:
    """Return the bytes of the input schemas alone (compact JSON), without names or prose."""
    import json

    schemas = [tool.input_schema for tool in tools]
    return len(json.dumps(schemas, separators=(",", ":")).encode("utf-8"))
