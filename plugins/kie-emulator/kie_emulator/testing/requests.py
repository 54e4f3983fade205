"""The requests the checks send: one per advertised setting, built from a model's spec."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kie_core.calls import EndpointCall
from kie_core.models import Forbidden, Mode, ModelSpec, ResolvedRequest, Variant, VideoModel
from kie_core.request import INPUT_FIELDS, InputKind, VideoRequest

#: The https URL the checks put in each media input (KIE inputs are always URLs).
DEFAULT_MEDIA: dict[InputKind, str] = {
    InputKind.FIRST_FRAME: "https://example.com/kie-contract/first-frame.png",
    InputKind.LAST_FRAME: "https://example.com/kie-contract/last-frame.png",
    InputKind.REFERENCE_IMAGES: "https://example.com/kie-contract/reference.png",
    InputKind.VIDEO: "https://example.com/kie-contract/source.mp4",
    InputKind.AUDIO: "https://example.com/kie-contract/speech.mp3",
}

#: The task id put in ``extend_task_id`` where no real earlier task is at hand.
PLACEHOLDER_TASK_ID = "0123456789abcdef0123456789abcdef"

#: The prompt of every generated request.
PROMPT = "A red fox trots through fresh snow at dawn, steam rising from its breath"

#: An option name no plugin defines.
UNKNOWN_OPTION = "kie_contract_unknown_option"

#: Above this many duration x aspect ratio x resolution combinations a mode is sampled.
MAX_COMBINATIONS_PER_MODE = 64


def name_for_variant(spec: ModelSpec, variant: Variant) -> str | None:
    """Return the name a user types to reach ``variant``, or None if nothing reaches it."""
    if variant is spec.default_variant:
        return spec.name
    return variant.aliases[0] if variant.aliases else None


def media_fields(
    kinds: Iterable[InputKind],
    media: dict[InputKind, str],
    *,
    task_id: str = PLACEHOLDER_TASK_ID,
    references: int = 1,
) -> dict[str, Any]:
    """Return the request fields carrying ``kinds`` (text excluded), filled with ``media``."""
    fields: dict[str, Any] = {}
    for kind in kinds:
        if kind is InputKind.TEXT:
            continue
        if kind is InputKind.SOURCE_TASK:
            fields["extend_task_id"] = task_id
        elif kind is InputKind.REFERENCE_IMAGES:
            stem, dot, suffix = media[kind].rpartition(".")
            fields["reference_images"] = tuple(
                f"{stem}-{index}{dot}{suffix}" if dot else media[kind]
                for index in range(1, max(1, references) + 1)
            )
        else:
            fields[INPUT_FIELDS[kind]] = media[kind]
    return fields


def base_request(
    spec: ModelSpec,
    variant: Variant,
    mode: Mode,
    *,
    optional_inputs: bool = False,
    media: dict[InputKind, str] | None = None,
    task_id: str = PLACEHOLDER_TASK_ID,
    **settings: Any,
) -> VideoRequest:
    """Return a request that selects ``mode`` of ``variant``: its required inputs, filled.

    Args:
        spec: the model.
        variant: the variant, reached by its name or first alias.
        mode: the mode the inputs select.
        optional_inputs: also fill the inputs the mode accepts but does not require.
        media: the URL of each media input kind (default :data:`DEFAULT_MEDIA`).
        task_id: the ``extend_task_id`` of modes that continue an earlier task.
        settings: other request fields (duration, aspect_ratio, options...).
    """
    kinds = mode.all_inputs if optional_inputs else mode.requires
    name = name_for_variant(spec, variant) or spec.name
    prompt = PROMPT if InputKind.TEXT in mode.all_inputs else ""
    fields = media_fields(
        kinds, media or DEFAULT_MEDIA, task_id=task_id, references=mode.max_reference_images
    )
    return VideoRequest(model=name, prompt=prompt, **{**fields, **settings})


def prepare(model: VideoModel, request: VideoRequest) -> tuple[ResolvedRequest, EndpointCall]:
    """Resolve a request with the model and build its call, as the client does before sending.

    Raises:
        InvalidRequestError: from either step; a model may refuse in ``build_call`` what its
            spec cannot express.
    """
    resolved = model.resolve(request)
    return resolved, model.build_call(resolved)


@dataclass(frozen=True)
class Combination:
    """One advertised setting of one mode of one variant, as a request.

    Attributes:
        model: the registered model.
        variant: the variant the request's name reaches.
        mode: the mode its inputs select.
        request: the request itself (media inputs are https URLs).
    """

    model: VideoModel
    variant: Variant
    mode: Mode
    request: VideoRequest

    @property
    def label(self) -> str:
        """Describe the combination in one line for problem reports."""
        request = self.request
        inputs = sorted(kind.value for kind in request.input_kinds())
        parts = [f"{request.model} [{self.variant.name}/{self.mode.name}]"]
        for key in ("duration", "aspect_ratio", "resolution"):
            value = getattr(request, key)
            if value is not None:
                parts.append(f"{key}={value}")
        parts.append("inputs=" + "+".join(inputs))
        return " ".join(parts)


def _settings_grid(mode: Mode, limit: int) -> list[tuple[Any, Any, Any]]:
    """Every duration x aspect ratio x resolution of a mode, or a sample covering each value."""
    axes: list[Sequence[Any]] = [
        mode.durations or (None,),
        mode.aspect_ratios or (None,),
        mode.resolutions or (None,),
    ]
    grid = list(itertools.product(*axes))
    if len(grid) <= limit:
        return grid
    widest = max(len(axis) for axis in axes)
    covering = [tuple(axis[i % len(axis)] for axis in axes) for i in range(widest)]
    rest = [combo for combo in grid if combo not in covering]
    extra = random.Random(0).sample(rest, max(0, limit - len(covering)))
    return [combo for combo in grid if combo in covering or combo in extra]


def _forbidden_by(mode: Mode, settings: dict[str, Any]) -> Forbidden | None:
    """Return the mode's rule that refuses these settings (a combination it does not offer)."""
    for rule in mode.forbidden:
        if all(key in settings and settings[key] == value for key, value in rule.when.items()):
            return rule
    return None


def combinations(
    model: VideoModel,
    *,
    media: dict[InputKind, str] | None = None,
    task_id: str = PLACEHOLDER_TASK_ID,
    limit: int = MAX_COMBINATIONS_PER_MODE,
) -> list[Combination]:
    """Return a request for every advertised setting of every mode of every variant.

    Each mode yields every duration x aspect ratio x resolution it lists (sampled, every value
    kept at least once, above ``limit``; combinations its ``forbidden`` rules refuse are
    left out) with its required inputs, plus one request with
    every input it accepts at its default settings. Unreachable variants are skipped (see
    :func:`check_specs`).
    """
    found: list[Combination] = []
    spec = model.spec
    for variant in spec.variants:
        if name_for_variant(spec, variant) is None:
            continue
        for mode in variant.modes:
            for duration, aspect, resolution in _settings_grid(mode, limit):
                settings = {"duration": duration, "aspect_ratio": aspect, "resolution": resolution}
                if _forbidden_by(mode, settings):
                    continue
                request = base_request(
                    spec,
                    variant,
                    mode,
                    media=media,
                    task_id=task_id,
                    duration=duration,
                    aspect_ratio=aspect,
                    resolution=resolution,
                )
                found.append(Combination(model, variant, mode, request))
            if mode.accepts - mode.requires - {InputKind.TEXT}:
                request = base_request(
                    spec, variant, mode, optional_inputs=True, media=media, task_id=task_id
                )
                found.append(Combination(model, variant, mode, request))
    return found
