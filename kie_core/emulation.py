"""Emulator declarations: a model's KIE endpoint, written down as data from the KIE docs.

A provider plugin teaches the offline emulator (the ``kie-emulator`` distribution) the models it
adds through the :meth:`~kie_core.hookspecs.VideoProvider.kie_register_emulations` hook::

    from kie_core.emulation import EndpointSchema, InputField, Price

    SCHEMA = EndpointSchema(
        model="acme/v1-text-to-video",
        fields=(
            InputField("prompt", "string", required=True, max_length=2000),
            InputField("duration", "string", enum=("5", "10"), default="5"),
        ),
        prices=(Price(20, when={"duration": "5"}), Price(40, when={"duration": "10"})),
    )

    @hookimpl
    def kie_register_emulations(register):
        register(SCHEMA)

The emulator validates every request body against the declaration (independently of the
plugin's payload mapping), charges the declared prices and serves results in the status
protocol the declaration names. The contract suite (``kie_emulator.testing``) checks the
plugin's payloads and estimates against it. This module is pure data: it imports nothing
beyond the standard library, and nothing here runs a server.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

FieldType = Literal["string", "url", "boolean", "integer", "number", "string_list", "url_list"]
"""The JSON shape of a field (``url``: an http(s) URL string; ``*_list``: arrays of them)."""

Protocol = Literal["market", "veo", "runway", "aleph", "luma"]
"""The status protocol of an endpoint: the shape of its task records and callbacks.

``market``: ``/api/v1/jobs/recordInfo`` (``state``, ``resultJson``, ``creditsConsumed``);
``veo``: ``/api/v1/veo/record-info`` (``successFlag`` 0/1/2/3); ``runway``:
``/api/v1/runway/record-detail`` (``state`` wait/queueing/generating/success/fail); ``aleph``:
``/api/v1/aleph/record-info``; ``luma``: ``/api/v1/modify/record-info`` (``successFlag``).
"""

Operation = Literal["generate", "extend", "upgrade-1080p", "upgrade-4k"]
"""What a call to the endpoint does.

``generate`` creates a task; ``extend`` continues the finished task named by the body's
``taskId`` (same protocol); ``upgrade-1080p`` / ``upgrade-4k`` are Veo's upgrade calls.
"""

ResultKind = Literal["video"]
"""The kind of file a successful task publishes (a short MP4 in the emulator)."""

MARKET_CREATE = "/api/v1/jobs/createTask"
"""The route of every Market model: its declaration's ``model`` is the ``model`` id sent."""


@dataclass(frozen=True)
class InputField:
    """One accepted field of a request body (or of a Market ``input`` object).

    Attributes:
        name: the JSON key.
        type: the JSON shape.
        required: whether the field must be present (and, for strings and lists, non-empty).
        enum: the allowed values, when the set is finite.
        min_length: the shortest accepted string.
        max_length: the longest accepted string.
        minimum: the smallest accepted number.
        maximum: the largest accepted number.
        multiple_of: accepted numbers are multiples of this.
        min_items: the fewest items of a list.
        max_items: the most items of a list.
        default: the value KIE assumes when the field is absent (prices and rules see it).
        allow_empty: whether a required string may be ``""``.
    """

    name: str
    type: FieldType
    required: bool = False
    enum: tuple[Any, ...] | None = None
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    multiple_of: float | None = None
    min_items: int | None = None
    max_items: int | None = None
    default: Any = None
    allow_empty: bool = False


def matches(when: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
    """Whether ``data`` (a body with defaults applied) has every value ``when`` names.

    A value of ``when`` is either one value or a tuple of alternatives; numbers compare by
    value (``5 == 5.0``).
    """
    for name, expected in when.items():
        value = data.get(name)
        alternatives = expected if isinstance(expected, tuple) else (expected,)
        if value not in alternatives:
            return False
    return True


@dataclass(frozen=True)
class Forbidden:
    """A combination of values the endpoint refuses (``10`` s at ``1080P``, say).

    Attributes:
        when: field name to value (or tuple of values); the rule fires when all match.
        message: KIE's refusal, naming the field first (``input.duration: ...``).
    """

    when: Mapping[str, Any]
    message: str


@dataclass(frozen=True)
class RequiredWithout:
    """A field that becomes required when another one is absent.

    Attributes:
        field: the field that must then be present.
        without: the field whose absence requires it.
        message: KIE's refusal.
    """

    field: str
    without: str
    message: str


@dataclass(frozen=True)
class ItemCount:
    """How many items a list field holds when other fields have given values.

    Attributes:
        field: the list field (absent counts as empty).
        minimum: the fewest items.
        maximum: the most items.
        message: KIE's refusal.
        when: the values of other fields under which the count applies (always when empty).
    """

    field: str
    minimum: int
    maximum: int
    message: str
    when: Mapping[str, Any] = dataclasses.field(default_factory=dict)


Rule = Forbidden | RequiredWithout | ItemCount
"""A rule spanning several fields, checked on the body with defaults applied."""


@dataclass(frozen=True)
class Price:
    """One row of an endpoint's price table: the credits charged when ``when`` matches.

    Attributes:
        credits: the credits of a task (or of one second with ``per_second``).
        when: field values the row applies to (see :func:`matches`); empty: every task.
        per_second: multiply ``credits`` by the task's length (:class:`BilledSeconds`).
    """

    credits: float
    when: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    per_second: bool = False


@dataclass(frozen=True)
class BilledSeconds:
    """How the length of a task, billed by per-second prices, follows from its body.

    Exactly one way is given: a ``field`` holding seconds, a ``frames`` count divided by
    a ``fps`` field, or a ``fixed`` length for media the emulator cannot measure (audio).
    """

    field: str | None = None
    frames: str | None = None
    fps: str | None = None
    fixed: float | None = None

    def seconds(self, data: Mapping[str, Any]) -> float:
        """Return the billed seconds of a body with defaults applied."""
        if self.fixed is not None:
            return self.fixed
        if self.field is not None:
            return float(data[self.field])
        if self.frames is not None and self.fps is not None:
            return float(data[self.frames]) / float(data[self.fps])
        raise ValueError("BilledSeconds needs field, frames and fps, or fixed")


@dataclass(frozen=True)
class EndpointSchema:
    """The emulator declaration of one model endpoint, written from the KIE docs.

    Attributes:
        model: for a Market model, the exact ``model`` id; for a dedicated endpoint, the name
            its tasks and charges carry (``runway``, ``veo-extend``...).
        fields: the accepted fields (of ``input`` for the Market; of the body otherwise).
            Unknown keys are refused. A dedicated endpoint's ``callBackUrl`` is implied.
        prices: the price table; the first matching row applies. Empty when KIE publishes no
            price: the emulator then charges nothing and the spec must advertise no price.
        rules: rules spanning several fields.
        seconds: the billed length, for per-second prices.
        route: the create route; :data:`MARKET_CREATE` for Market models.
        protocol: the status protocol of the tasks created there.
        operation: what the call does.
        result: the kind of file a successful task publishes.
        watermarked: whether a successful task also publishes a watermarked copy.
        progress: whether records report ``progress`` and ``progressCallBackUrl`` is accepted.
        ignored: keys tolerated without validation (stray keys of the docs' own examples).
    """

    model: str
    fields: tuple[InputField, ...]
    prices: tuple[Price, ...]
    rules: tuple[Rule, ...] = ()
    seconds: BilledSeconds | None = None
    route: str = MARKET_CREATE
    protocol: Protocol = "market"
    operation: Operation = "generate"
    result: ResultKind = "video"
    watermarked: bool = False
    progress: bool = False
    ignored: tuple[str, ...] = ()

    @property
    def is_market(self) -> bool:
        """Whether this is a Market model (``POST /api/v1/jobs/createTask``)."""
        return self.route == MARKET_CREATE

    @property
    def key(self) -> str:
        """What identifies the declaration: the model id (Market) or the route."""
        return self.model if self.is_market else self.route

    def input_field(self, name: str) -> InputField | None:
        """Return the declared field ``name``, or ``None``."""
        return next((f for f in self.fields if f.name == name), None)

    def with_defaults(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Return ``data`` completed with the default of every absent field that has one."""
        merged = dict(data)
        for spec in self.fields:
            if merged.get(spec.name) is None and spec.default is not None:
                merged[spec.name] = spec.default
        return merged

    def price(self, data: Mapping[str, Any]) -> float | None:
        """Return the credits of a task with this body (defaults applied), or ``None``."""
        for row in self.prices:
            if matches(row.when, data):
                if not row.per_second:
                    return row.credits
                if self.seconds is None:
                    return None
                return round(row.credits * self.seconds.seconds(data), 2)
        return None


#: The name :mod:`kie_core.plugin` gives :class:`Forbidden`, beside the spec's own ``Forbidden``.
ForbiddenInput = Forbidden

__all__ = [
    "MARKET_CREATE",
    "BilledSeconds",
    "EndpointSchema",
    "FieldType",
    "Forbidden",
    "ForbiddenInput",
    "InputField",
    "ItemCount",
    "Operation",
    "Price",
    "Protocol",
    "RequiredWithout",
    "ResultKind",
    "Rule",
    "matches",
]
