"""Spec checks: every spec is well formed and every advertised setting has a price."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ValidationError

from kie_core.errors import InvalidRequestError
from kie_core.models import Mode, ModelSpec, Variant, VideoModel
from kie_emulator.testing.problems import raise_if
from kie_emulator.testing.requests import (
    UNKNOWN_OPTION,
    Combination,
    base_request,
    combinations,
)


def _options_model(spec: ModelSpec, variant: Variant) -> type[BaseModel] | None:
    return variant.options_model or spec.options_model


def _check_names(models: Sequence[VideoModel]) -> list[str]:
    problems: list[str] = []
    seen: dict[str, str] = {}
    for model in models:
        spec = model.spec
        for name in spec.all_names():
            if name != name.lower() or not name.strip() or " " in name:
                problems.append(f"{spec.name}: name {name!r} must be lowercase without spaces")
            if name in seen:
                problems.append(f"{spec.name}: name {name!r} is also used by {seen[name]}")
            seen[name] = spec.name
        if not spec.title.strip():
            problems.append(f"{spec.name}: title is empty")
        if spec.family != model.family.name:
            problems.append(
                f"{spec.name}: spec.family {spec.family!r} is not its family {model.family.name!r}"
            )
        for variant in spec.variants[1:]:
            if not variant.aliases:
                problems.append(
                    f"{spec.name}: variant {variant.name!r} has no alias, so no name reaches it"
                )
        variant_names = [variant.name for variant in spec.variants]
        if len(variant_names) != len(set(variant_names)):
            problems.append(f"{spec.name}: variant names repeat: {variant_names}")
    return problems


def _check_mode(model: VideoModel, variant: Variant, mode: Mode) -> list[str]:
    spec = model.spec
    where = f"{spec.name} [{variant.name}/{mode.name}]"
    problems: list[str] = []
    if model.family.name == "market" and not mode.kie_model:
        problems.append(f"{where}: a Market mode must name its kie_model")
    for key, default, values in (
        ("duration", mode.default_duration, mode.durations),
        ("aspect_ratio", mode.default_aspect_ratio, mode.aspect_ratios),
        ("resolution", mode.default_resolution, mode.resolutions),
    ):
        if values and default not in values:
            problems.append(f"{where}: default {key} {default!r} is not among {values}")
        if len(set(values)) != len(values):
            problems.append(f"{where}: {key} values repeat: {values}")
    if any(duration <= 0 for duration in mode.durations):
        problems.append(f"{where}: durations must be positive: {mode.durations}")
    try:
        resolved = model.resolve(base_request(spec, variant, mode))
    except InvalidRequestError as exc:
        problems.append(f"{where}: a request with its required inputs is refused: {exc}")
        return problems
    if resolved.mode.name != mode.name:
        problems.append(
            f"{where}: a request with its required inputs selects mode {resolved.mode.name!r}"
        )
    if spec.deprecated is not None and not resolved.warnings:
        problems.append(f"{where}: the model is deprecated but resolving it gives no warning")
    return problems


def _check_prices(combos: Sequence[Combination]) -> list[str]:
    problems: list[str] = []
    for combo in combos:
        try:
            resolved = combo.model.resolve(combo.request)
        except InvalidRequestError as exc:
            problems.append(f"{combo.label}: an advertised setting is refused: {exc}")
            continue
        credits = resolved.estimate_credits()
        if credits is None:
            problems.append(f"{combo.label}: no price row covers this advertised setting")
        elif credits < 0:
            problems.append(f"{combo.label}: the estimated price is negative ({credits})")
    return problems


def _check_options_models(spec: ModelSpec) -> list[str]:
    problems: list[str] = []
    for variant in spec.variants:
        options_model = _options_model(spec, variant)
        if options_model is None:
            continue
        where = f"{spec.name} [{variant.name}] options {options_model.__name__}"
        if options_model.model_config.get("extra") != "forbid":
            problems.append(f"{where}: must set model_config = ConfigDict(extra='forbid')")
        try:
            options_model.model_validate({UNKNOWN_OPTION: True})
        except ValidationError:
            pass
        else:
            problems.append(f"{where}: accepts the unknown key {UNKNOWN_OPTION!r}")
    return problems


def check_specs(models: Sequence[VideoModel]) -> None:
    """Check that every spec is well formed and every advertised setting has a price.

    Names and aliases are unique and lowercase, every non-default variant has an alias, every
    mode is reached by its required inputs and (Market) names its KIE model id, defaults lie
    in their lists, every duration x aspect ratio x resolution a mode lists has a non-negative
    price, options models forbid unknown keys, and a deprecated model has a note and warns.

    Raises:
        ContractError: listing every problem.
    """
    problems = _check_names(models)
    for model in models:
        spec = model.spec
        if spec.deprecated is not None and not spec.deprecation_note.strip():
            problems.append(f"{spec.name}: deprecated {spec.deprecated} without a deprecation_note")
        for limit_name in ("prompt_max_length", "negative_prompt_max_length"):
            limit = getattr(spec, limit_name)
            if limit is not None and limit <= 0:
                problems.append(f"{spec.name}: {limit_name} must be positive, got {limit}")
        if spec.seed_range is not None and spec.seed_range[0] > spec.seed_range[1]:
            problems.append(f"{spec.name}: seed_range {spec.seed_range} is reversed")
        for variant in spec.variants:
            mode_names = [mode.name for mode in variant.modes]
            if len(mode_names) != len(set(mode_names)):
                problems.append(f"{spec.name} [{variant.name}]: mode names repeat: {mode_names}")
            for mode in variant.modes:
                problems.extend(_check_mode(model, variant, mode))
        problems.extend(_check_options_models(spec))
        problems.extend(_check_prices(combinations(model)))
    raise_if("model specs", problems)
