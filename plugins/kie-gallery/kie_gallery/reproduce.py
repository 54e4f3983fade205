"""From a journaled payload back to the request, and to the ``kie generate`` command that sends it.

The journal keeps the create body that was sent, not the request it came from. The request is
read back from the body (through a Market model's own field map when it has one, through the
common spellings otherwise), rebuilt into a call, and compared with the journaled body: only
when the rebuilt body is identical is the command called exact.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from kie_core.errors import KieError
from kie_core.journal import CALLBACK_FIELDS
from kie_core.request import VideoRequest

if TYPE_CHECKING:
    from kie_core.journal import JournalEntry
    from kie_core.models import VideoModel
    from kie_core.registry import Registry

#: Common request fields and the payload keys other than Market's that carry them.
COMMON_KEYS: dict[str, tuple[str, ...]] = {
    "prompt": ("prompt",),
    "duration": ("duration", "n_frames"),
    "aspect_ratio": ("aspect_ratio", "aspectRatio"),
    "resolution": ("resolution", "quality"),
    "negative_prompt": ("negative_prompt", "negativePrompt"),
    "seed": ("seed", "seeds"),
    "first_frame": ("image_url", "imageUrl", "first_frame_url"),
    "last_frame": ("tail_image_url", "end_image_url", "last_frame_url", "lastFrameUrl"),
    "video": ("video_url", "videoUrl"),
    "audio": ("audio_url", "audioUrl"),
    "extend_task_id": ("taskId",),
}

#: Payload keys that carry a list of images.
IMAGE_LISTS = ("image_urls", "imageUrls", "reference_image_urls")

#: The ``kie generate`` flag of each request field.
FLAGS: dict[str, str] = {
    "duration": "--duration",
    "aspect_ratio": "--aspect-ratio",
    "resolution": "--resolution",
    "negative_prompt": "--negative-prompt",
    "seed": "--seed",
    "first_frame": "--image",
    "last_frame": "--last-frame",
    "video": "--video",
    "audio": "--audio",
    "extend_task_id": "--extend",
}


@dataclass(frozen=True)
class Reproduction:
    """A journaled task read back as a request.

    Attributes:
        request: the request, or None when it could not be read back.
        exact: whether the request builds exactly the journaled body.
        note: why it is not exact, when it is not.
    """

    request: VideoRequest | None
    exact: bool
    note: str = ""

    def command(self) -> str:
        """Return the ``kie generate`` command line (empty without a request)."""
        return generate_command(self.request) if self.request is not None else ""


def sent_body(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Return the payload without its callback URLs (they say where to report, not what)."""
    return {key: value for key, value in payload.items() if key not in CALLBACK_FIELDS}


def flat_fields(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Return the generation fields of a body: Market's ``input`` object, or the body itself."""
    inner = payload.get("input")
    return dict(inner) if isinstance(inner, Mapping) else dict(payload)


def model_name_for(model: VideoModel, variant: str | None) -> str:
    """Return the name or alias that selects a model's variant (the name for the default)."""
    spec = model.spec
    for name in spec.all_names():
        if variant is None or spec.variant_for(name).name == variant:
            return name
    return spec.name


def _market_keys(model: VideoModel, kie_model: str | None) -> tuple[dict[str, str], dict[str, Any]]:
    """Return a Market model's payload key per common field, and its inverse value maps."""
    from kie_core.families.market import MarketModel

    if not isinstance(model, MarketModel):
        return {}, {}
    fields = {**model.fields, **model.per_model_fields.get(kie_model or "", {})}
    keys = {common: key for common, key in fields.items() if key is not None}
    inverse = {
        common: {sent: ours for ours, sent in mapping.items()}
        for common, mapping in model.value_maps.items()
    }
    return keys, inverse


def _guess_request(model: VideoModel, entry: JournalEntry) -> VideoRequest:
    fields = flat_fields(sent_body(entry.payload))
    used: set[str] = set()
    values: dict[str, Any] = {}
    market_keys, inverse_maps = _market_keys(model, entry.kie_model)
    for common, spellings in COMMON_KEYS.items():
        market = market_keys.get(common)
        candidates = (market.removesuffix("[]"),) if market else spellings
        for key in candidates:
            if key not in fields or fields[key] is None:
                continue
            value = fields[key]
            used.add(key)
            if isinstance(value, list):
                value = value[0] if value else None
            value = inverse_maps.get(common, {}).get(value, value)
            if value is not None:
                values.setdefault(common, value)
            break
    if "reference_images" in market_keys:
        values_key = market_keys["reference_images"].removesuffix("[]")
        if isinstance(fields.get(values_key), list):
            values["reference_images"] = tuple(fields[values_key])
            used.add(values_key)
    for key in IMAGE_LISTS:
        images = fields.get(key)
        if key in used or not isinstance(images, list) or not images:
            continue
        used.add(key)
        values.setdefault("first_frame", images[0])
        if len(images) > 1:
            values.setdefault("last_frame", images[1])
    if "duration" in values:
        values["duration"] = int(values["duration"])
    if "seed" in values:
        values["seed"] = int(values["seed"])
    options_model = model.spec.variant_for(model_name_for(model, entry.variant)).options_model
    options_model = options_model or model.spec.options_model
    accepted = set(options_model.model_fields) if options_model is not None else set()
    options = {key: value for key, value in fields.items() if key in accepted and key not in used}
    callback = entry.payload.get("callBackUrl")
    return VideoRequest(
        model=model_name_for(model, entry.variant),
        options=options,
        callback_url=callback if isinstance(callback, str) else None,
        **values,
    )


def reproduce(registry: Registry, entry: JournalEntry) -> Reproduction:
    """Read a journaled task back as a request and check it builds the same body."""
    try:
        model = registry.get(entry.model)
    except KieError:
        return Reproduction(None, False, f"the model {entry.model!r} is not installed")
    try:
        request = _guess_request(model, entry)
        call = model.build_call(model.resolve(request))
    except (KieError, ValidationError, ValueError, TypeError) as exc:
        return Reproduction(None, False, f"the payload could not be read back: {exc}")
    if sent_body(call.body or {}) == sent_body(entry.payload):
        return Reproduction(request, True)
    return Reproduction(
        request, False, "approximate: this command builds a payload that differs from the one sent"
    )


def generate_command(request: VideoRequest) -> str:
    """Return the ``kie generate`` command line that sends ``request``.

    A prompt that starts with ``-`` would read as an option, so it then comes after ``--``,
    behind every option.
    """
    args: list[str] = []
    for field, flag in FLAGS.items():
        value = getattr(request, field)
        if value is not None:
            args += [flag, str(value)]
    for image in request.reference_images:
        args += ["--reference-image", image]
    for key, value in request.options.items():
        args += ["--option", f"{key}={json.dumps(value)}"]
    if request.callback_url:
        args += ["--callback-url", request.callback_url]
    if request.prompt.startswith("-"):
        return shlex.join(["kie", "generate", *args, "--", request.model, request.prompt])
    return shlex.join(["kie", "generate", request.model, request.prompt, *args])
