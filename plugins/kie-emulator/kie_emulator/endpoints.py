"""Create routes of dedicated endpoints, built from the plugins' declarations.

A declaration names its route, its status protocol and its operation; the protocol's adapter
turns a validated body into the task to create (its record parameters, its links, the task it
continues). Validation, cross-field rules and prices come from the declaration alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kie_core.emulation import EndpointSchema, Operation
from kie_emulator.common import create_or_402, emulator_of, json_body
from kie_emulator.envelope import ok
from kie_emulator.fields import Field, require_object, validate_object
from kie_emulator.rules import check_rules, price_of
from kie_emulator.state import Emulator
from kie_emulator.tasks import Failure

CALLBACK_FIELD = Field("callBackUrl", "url")
"""Every dedicated create endpoint takes a ``callBackUrl``, declared or not."""


@dataclass
class Draft:
    """The task a protocol makes of one accepted create body.

    Attributes:
        model: the model the task and its charge carry.
        params: the parameters its record reports (``paramJson``, ``generateParam``...).
        failure: how it fails under the ``task-fail`` fault.
        meta: protocol details its record and links need.
        seed: the seed its record reports, if any.
        parent_id: the task it continues, if any.
    """

    model: str
    params: dict[str, Any]
    failure: Failure
    meta: dict[str, Any] = field(default_factory=dict)
    seed: int | None = None
    parent_id: str | None = None


DraftBuilder = Callable[[Emulator, EndpointSchema, dict[str, Any]], Draft]
"""Make the task of a validated body with defaults applied (may refuse with an ApiError)."""

Normalizer = Callable[[EndpointSchema, dict[str, Any]], dict[str, Any]]
"""Apply a protocol's own defaults and aliases to a validated body."""


def with_declared_defaults(schema: EndpointSchema, body: dict[str, Any]) -> dict[str, Any]:
    """Apply the declared defaults (the normalizer of protocols without quirks)."""
    return schema.with_defaults(body)


@dataclass(frozen=True)
class ProtocolAdapter:
    """What the emulator knows of one status protocol's create endpoints.

    Attributes:
        family: the protocol (task family) name.
        drafts: the draft builder of each operation served through the generic create route.
        normalize: the protocol's defaults and aliases.
        special: route factories for operations with an answer of their own (Veo upgrades).
    """

    family: str
    drafts: Mapping[Operation, DraftBuilder]
    normalize: Normalizer = with_declared_defaults
    special: Mapping[Operation, Callable[[EndpointSchema], Route]] = field(default_factory=dict)


def generic_route(schema: EndpointSchema, adapter: ProtocolAdapter) -> Route:
    """Return the create route of a declared dedicated endpoint."""
    fields = schema.fields
    if schema.input_field("callBackUrl") is None:
        fields = (*fields, CALLBACK_FIELD)
    build = adapter.drafts[schema.operation]

    async def create(request: Request) -> Response:
        em = emulator_of(request)
        raw = require_object(await json_body(request))
        body = validate_object(raw, fields, context=schema.model, ignored=schema.ignored)
        effective = adapter.normalize(schema, body)
        check_rules(schema, effective)
        draft = build(em, schema, effective)
        task = create_or_402(
            request,
            family=adapter.family,
            kind=schema.operation,
            model=draft.model,
            body=body,
            params=draft.params,
            price=price_of(schema, effective),
            failure=draft.failure,
            callback_url=body.get("callBackUrl"),
            parent_id=draft.parent_id,
            seed=draft.seed,
            meta=draft.meta,
        )
        return ok({"taskId": task.task_id})

    return Route(schema.route, create, methods=["POST"])


def dedicated_routes(
    schemas: list[EndpointSchema], adapters: Mapping[str, ProtocolAdapter]
) -> list[Route]:
    """Return the create routes of every declared dedicated endpoint.

    Raises:
        ValueError: a declaration names a protocol or operation the emulator does not serve.
    """
    routes = []
    for schema in schemas:
        adapter = adapters.get(schema.protocol)
        if adapter is None:
            raise ValueError(f"{schema.model}: unknown status protocol {schema.protocol!r}")
        if schema.operation in adapter.special:
            routes.append(adapter.special[schema.operation](schema))
        elif schema.operation in adapter.drafts:
            routes.append(generic_route(schema, adapter))
        else:
            raise ValueError(
                f"{schema.model}: protocol {schema.protocol!r} has no {schema.operation!r} calls"
            )
    return routes
