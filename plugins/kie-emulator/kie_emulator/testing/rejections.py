"""Rejection checks: values outside a spec are refused locally, naming the field."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from kie_core.errors import InvalidRequestError
from kie_core.models import ModelSpec, Variant, VideoModel
from kie_core.request import INPUT_FIELDS, InputKind, VideoRequest
from kie_emulator.testing.problems import raise_if
from kie_emulator.testing.requests import (
    DEFAULT_MEDIA,
    UNKNOWN_OPTION,
    base_request,
    media_fields,
    name_for_variant,
    prepare,
)


@dataclass(frozen=True)
class _Rejection:
    """A request that must be refused locally, and the field the error must name."""

    why: str
    request: VideoRequest
    field: str
    accepted: tuple[Any, ...] | None = None


def _outside(values: Sequence[int]) -> list[int]:
    candidates = [1, 7, 99, 1000]
    if values:
        candidates += [max(values) + 1, min(values) - 1]
    return sorted({value for value in candidates if value > 0 and value not in values})


def _variant_rejections(spec: ModelSpec, variant: Variant) -> Iterator[_Rejection]:
    mode = variant.modes[0]

    def request(**settings: Any) -> VideoRequest:
        return base_request(spec, variant, mode, **settings)

    for duration in _outside(mode.durations):
        yield _Rejection(
            f"duration {duration}", request(duration=duration), "duration", mode.durations
        )
    for aspect in ("7:3", "0:0"):
        if aspect not in mode.aspect_ratios:
            yield _Rejection(
                f"aspect ratio {aspect}",
                request(aspect_ratio=aspect),
                "aspect_ratio",
                mode.aspect_ratios,
            )
    for resolution in ("123p", "99K"):
        if resolution.lower() not in {r.lower() for r in mode.resolutions}:
            yield _Rejection(
                f"resolution {resolution}",
                request(resolution=resolution),
                "resolution",
                mode.resolutions,
            )
    accepted_anywhere: set[InputKind] = set()
    for each in variant.modes:
        accepted_anywhere |= each.all_inputs
    for kind in InputKind:
        if kind is InputKind.TEXT or kind in accepted_anywhere:
            continue
        media = media_fields((kind,), DEFAULT_MEDIA)
        yield _Rejection(f"input {kind.value}", request(**media), INPUT_FIELDS[kind])
    for each in variant.modes:
        for kind in each.requires - {InputKind.TEXT}:
            present = each.requires - {kind}
            if any(m.requires <= present <= m.all_inputs for m in variant.modes):
                continue
            without = base_request(spec, variant, each).model_copy(
                update={INPUT_FIELDS[kind]: () if kind is InputKind.REFERENCE_IMAGES else None}
            )
            yield _Rejection(f"{each.name} without {kind.value}", without, INPUT_FIELDS[kind])
    for each in variant.modes:
        for rule in each.forbidden:
            if set(rule.when) <= {"duration", "aspect_ratio", "resolution"}:
                combo = ", ".join(f"{key}={value}" for key, value in rule.when.items())
                yield _Rejection(
                    f"{each.name} with {combo}",
                    base_request(spec, variant, each).model_copy(update=dict(rule.when)),
                    next(iter(rule.when)),
                )
    if spec.prompt_max_length is not None and InputKind.TEXT in mode.all_inputs:
        too_long = "x" * (spec.prompt_max_length + 1)
        yield _Rejection(
            f"prompt of {len(too_long)} characters",
            request().model_copy(update={"prompt": too_long}),
            "prompt",
        )
    negative_limit = spec.negative_prompt_max_length
    negative = "blurry " * (((negative_limit or 0) // 7) + 1)
    yield _Rejection(
        f"negative prompt of {len(negative)} characters",
        request(negative_prompt=negative),
        "negative_prompt",
    )
    if spec.seed_range is None:
        yield _Rejection("a seed", request(seed=1), "seed")
    else:
        low, high = spec.seed_range
        yield _Rejection(f"seed {high + 1}", request(seed=high + 1), "seed")
        yield _Rejection(f"seed {low - 1}", request(seed=low - 1), "seed")
    yield _Rejection(
        f"option {UNKNOWN_OPTION}",
        request(options={UNKNOWN_OPTION: True}),
        f"options.{UNKNOWN_OPTION}",
    )


def _rejection_problems(model: VideoModel, case: _Rejection) -> list[str]:
    where = f"{case.request.model}: {case.why}"
    try:
        prepare(model, case.request)
    except InvalidRequestError as exc:
        problems: list[str] = []
        if exc.field != case.field:
            problems.append(f"{where} is refused naming field {exc.field!r}, not {case.field!r}")
        if case.accepted and tuple(exc.accepted or ()) != case.accepted:
            problems.append(
                f"{where} is refused without the accepted values {case.accepted} "
                f"(got {exc.accepted})"
            )
        return problems
    except Exception as exc:
        return [f"{where} raises {type(exc).__name__}, not InvalidRequestError: {exc}"]
    return [f"{where} is not refused locally (it would be sent and may spend credits)"]


def check_rejections(models: Sequence[VideoModel]) -> None:
    """Check that unsupported values are refused locally with an error naming the field.

    For every reachable variant: durations, aspect ratios and resolutions outside the lists
    (the error must list the accepted values), media inputs no mode takes, missing required
    inputs, a prompt over the limit, a negative prompt over the limit (or at all), seeds out of
    range (or at all), and an unknown option key.

    Raises:
        ContractError: listing every request that was not refused as it should be.
    """
    problems: list[str] = []
    for model in models:
        for variant in model.spec.variants:
            if name_for_variant(model.spec, variant) is None:
                continue
            for case in _variant_rejections(model.spec, variant):
                problems.extend(_rejection_problems(model, case))
    raise_if("local rejections", problems)
