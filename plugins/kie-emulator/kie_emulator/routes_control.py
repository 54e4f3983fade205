"""The ``/_emulator`` control API for tests and tools (no authentication, never faulted)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kie_emulator.common import emulator_of
from kie_emulator.config import FaultRule

PREFIX = "/_emulator"


def _error(message: str) -> Response:
    return JSONResponse({"error": message}, status_code=400)


async def _body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return {}
    return json.loads(raw)


def _rules(payload: Any) -> tuple[list[FaultRule], bool]:
    replace = False
    items: Any = payload
    if isinstance(payload, dict) and "rules" in payload:
        items = payload["rules"]
        replace = bool(payload.get("replace", False))
    elif isinstance(payload, dict):
        items = [payload]
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ValueError("expected a rule object, a list of rules, or {'rules': [...]}")
    return [FaultRule.from_dict(i) for i in items], replace


async def state(request: Request) -> Response:
    """``GET /_emulator/state``: credits, ledger, tasks (with create/charge counts), faults."""
    return JSONResponse(emulator_of(request).snapshot())


async def add_faults(request: Request) -> Response:
    """``POST /_emulator/faults``: add rules.

    The body is a rule, a list of rules, or ``{"rules": [...], "replace": true}`` to replace.
    """
    em = emulator_of(request)
    try:
        rules, replace = _rules(await _body(request))
    except (ValueError, TypeError) as exc:
        return _error(str(exc))
    em.add_faults(rules, replace=replace)
    return JSONResponse({"faults": [a.to_dict() for a in em.fault_engine.rules]})


async def clear_faults(request: Request) -> Response:
    """``DELETE /_emulator/faults``: remove every rule."""
    emulator_of(request).clear_faults()
    return JSONResponse({"faults": []})


async def reset(request: Request) -> Response:
    """``POST /_emulator/reset``: forget tasks, links and charges; restore credits and faults."""
    em = emulator_of(request)
    em.reset()
    return JSONResponse({"credits": em.credits, "tasks": 0})


async def credits(request: Request) -> Response:
    """``POST /_emulator/credits``: ``{"credits": N}`` sets the balance, ``{"add": N}`` adds."""
    em = emulator_of(request)
    try:
        payload = await _body(request)
        if "credits" in payload:
            em.set_credits(float(payload["credits"]))
        elif "add" in payload:
            em.set_credits(em.credits + float(payload["add"]))
        else:
            return _error("expected {'credits': N} or {'add': N}")
    except (ValueError, TypeError) as exc:
        return _error(str(exc))
    return JSONResponse({"credits": em.credits})


async def configure(request: Request) -> Response:
    """``POST /_emulator/config``: change run-time settings (``task_seconds``, ``link_ttl``...)."""
    em = emulator_of(request)
    try:
        payload = await _body(request)
        if not isinstance(payload, dict):
            return _error("expected a JSON object of settings")
        if "faults" in payload:
            payload["faults"] = [FaultRule.from_dict(f) for f in payload["faults"]]
        em.configure(**payload)
    except (ValueError, TypeError) as exc:
        return _error(str(exc))
    return JSONResponse(em.config.to_dict())


async def clock(request: Request) -> Response:
    """``POST /_emulator/clock``: ``{"advance": seconds}`` moves the emulated clock forward."""
    em = emulator_of(request)
    try:
        payload = await _body(request)
        em.advance(float(payload.get("advance", 0)))
    except (ValueError, TypeError, AttributeError) as exc:
        return _error(str(exc))
    return JSONResponse({"offset": em.clock.offset, "now": em.clock.now_ms()})


ROUTES = [
    Route(f"{PREFIX}/state", state, methods=["GET"]),
    Route(f"{PREFIX}/faults", add_faults, methods=["POST"]),
    Route(f"{PREFIX}/faults", clear_faults, methods=["DELETE"]),
    Route(f"{PREFIX}/reset", reset, methods=["POST"]),
    Route(f"{PREFIX}/credits", credits, methods=["POST"]),
    Route(f"{PREFIX}/config", configure, methods=["POST"]),
    Route(f"{PREFIX}/clock", clock, methods=["POST"]),
]
"""The control routes."""
