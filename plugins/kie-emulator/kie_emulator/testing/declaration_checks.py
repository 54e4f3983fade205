"""Declaration checks: a plugin's emulator declarations are well formed and cover its models.

Only kie-core at import time: the emulator itself is imported inside the checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from kie_core.emulation import (
    EndpointSchema,
    Forbidden,
    ItemCount,
    RequiredWithout,
)
from kie_core.models import VideoModel
from kie_emulator.testing.problems import raise_if


def protocol_operations() -> dict[str, frozenset[str]]:
    """Return the status protocols the emulator serves, and the operations of each."""
    from kie_emulator.app import ADAPTERS

    served = {"market": frozenset({"generate"})}
    for name, adapter in ADAPTERS.items():
        served[name] = frozenset({*adapter.drafts, *adapter.special})
    return served


def _named_fields(schema: EndpointSchema) -> list[tuple[str, str]]:
    """Every (field name, where it is used) the declaration refers to."""
    names: list[tuple[str, str]] = []
    for index, row in enumerate(schema.prices):
        names += [(name, f"price row {index}") for name in row.when]
    for rule in schema.rules:
        if isinstance(rule, Forbidden):
            names += [(name, "a Forbidden rule") for name in rule.when]
        elif isinstance(rule, RequiredWithout):
            names += [
                (rule.field, "a RequiredWithout rule"),
                (rule.without, "a RequiredWithout rule"),
            ]
        elif isinstance(rule, ItemCount):
            names += [(rule.field, "an ItemCount rule")]
            names += [(name, "an ItemCount rule") for name in rule.when]
    seconds = schema.seconds
    if seconds is not None:
        for name in (seconds.field, seconds.frames, seconds.fps):
            if name is not None:
                names.append((name, "seconds"))
    return names


def _schema_problems(schema: EndpointSchema, served: dict[str, frozenset[str]]) -> list[str]:
    from kie_emulator.envelope import ApiError
    from kie_emulator.fields import check_field

    where = f"declaration {schema.model!r}"
    problems: list[str] = []
    allowed = served.get(schema.protocol)
    if allowed is None:
        problems.append(f"{where}: unknown status protocol {schema.protocol!r}")
    elif schema.operation not in allowed:
        problems.append(f"{where}: protocol {schema.protocol!r} has no {schema.operation!r} calls")
    if schema.is_market != (schema.protocol == "market"):
        problems.append(
            f"{where}: route {schema.route} does not speak protocol {schema.protocol!r}"
        )
    if not schema.route.startswith("/api/"):
        problems.append(f"{where}: route {schema.route!r} is not under /api/")
    declared = [f.name for f in schema.fields]
    if len(declared) != len(set(declared)):
        problems.append(f"{where}: fields repeat: {declared}")
    for spec in schema.fields:
        if spec.default is None:
            continue
        try:
            check_field(spec, spec.name, spec.default)
        except ApiError as exc:
            problems.append(f"{where}: the default of {spec.name} is refused ({exc.msg})")
    for name, used in _named_fields(schema):
        if name not in declared:
            problems.append(f"{where}: {used} names {name!r}, which is not a declared field")
    if any(row.per_second for row in schema.prices) and schema.seconds is None:
        problems.append(f"{where}: a per-second price needs `seconds` (BilledSeconds)")
    return problems


def _market_ids(models: Iterable[VideoModel]) -> set[str]:
    return {
        mode.kie_model
        for model in models
        if model.family.name == "market"
        for variant in model.spec.variants
        for mode in variant.modes
        if mode.kie_model
    }


def check_emulations(models: Sequence[VideoModel], emulations: Sequence[EndpointSchema]) -> None:
    """Check a plugin's emulator declarations against themselves and against its models.

    Each declaration names a status protocol and operation the emulator serves, a route under
    ``/api/`` (the Market's for the ``market`` protocol), distinct fields whose defaults pass
    their own rules, prices, rules and billed seconds that name declared fields only, and
    ``seconds`` for per-second prices. Every Market model id the plugin's modes call is
    declared, and no two declarations share a model id or route.

    Raises:
        ContractError: listing every problem.
    """
    problems: list[str] = []
    keys = [schema.key for schema in emulations]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    problems += [f"{key!r} is declared more than once" for key in repeated]
    served = protocol_operations()
    for schema in emulations:
        problems += _schema_problems(schema, served)
    declared = {schema.model for schema in emulations if schema.is_market}
    problems += [
        f"the plugin declares no emulator schema for Market model id {kie_model!r}: declare its "
        "endpoint with kie_register_emulations (see the plugin guide)"
        for kie_model in sorted(_market_ids(models) - declared)
    ]
    raise_if("emulator declarations", problems)
