"""The Veo 3.1 models as data, and the model object that turns a request into its call.

``veo-3.1`` is Veo 3.1 Quality (KIE model ``veo3``); ``veo-3.1-fast`` is Veo 3.1 Fast
(``veo3_fast``) with the Lite variant (``veo3_lite``) reached as ``veo-3.1-lite``. The mode is
chosen by the inputs: a prompt alone is text-to-video, a first frame (and optionally a last
frame) is ``FIRST_AND_LAST_FRAMES_2_VIDEO``, reference images are ``REFERENCE_2_VIDEO`` (Fast
only) and ``extend_task_id`` continues an earlier Veo task through ``/api/v1/veo/extend``.

Prices are configuration, not contract: KIE publishes no credit table for Veo. The figures are
the third-party measurements quoted in the project's API notes (per 8 s clip at 720p; 1080p
adds 5 credits and 4k 120, the measured costs of the 1080P and 4K upgrades).
"""

from __future__ import annotations

from typing import Any

from kie_core.plugin import (
    EndpointCall,
    InputKind,
    InvalidRequestError,
    Mode,
    ModelSpec,
    PriceRow,
    ResolvedRequest,
    TaskFamily,
    Variant,
    VideoModel,
    VideoRequest,
)
from kie_veo.family import VEO
from kie_veo.options import VeoOptions

GENERATE_PATH = "/api/v1/veo/generate"
EXTEND_PATH = "/api/v1/veo/extend"

TEXT_MODE = "text-to-video"
FRAMES_MODE = "first-last-frames"
REFERENCE_MODE = "reference-images"
EXTEND_MODE = "extend"

#: ``generationType`` sent for each generation mode (always sent, never left to the server).
GENERATION_TYPES: dict[str, str] = {
    TEXT_MODE: "TEXT_2_VIDEO",
    FRAMES_MODE: "FIRST_AND_LAST_FRAMES_2_VIDEO",
    REFERENCE_MODE: "REFERENCE_2_VIDEO",
}

#: The extend endpoint names the model tier, not the KIE model id.
EXTEND_MODELS: dict[str, str] = {"veo3": "quality", "veo3_fast": "fast", "veo3_lite": "lite"}

DURATIONS = (8,)
ASPECT_RATIOS = ("16:9", "9:16", "Auto")
#: REFERENCE_2_VIDEO is documented for 16:9 and 9:16 only.
REFERENCE_ASPECT_RATIOS = ("16:9", "9:16")
RESOLUTIONS = ("720p", "1080p", "4k")
MAX_REFERENCE_IMAGES = 3
SEED_RANGE = (10000, 99999)

#: Credits per 8 s clip at 720p (third-party figures; see the module docstring).
BASE_CREDITS: dict[str, float] = {"veo3": 250, "veo3_fast": 80, "veo3_lite": 30}
#: Credits added by a higher resolution on generate.
RESOLUTION_SURCHARGE: dict[str, float] = {"720p": 0, "1080p": 5, "4k": 120}


def _generation_prices(kie_model: str) -> tuple[PriceRow, ...]:
    return tuple(
        PriceRow(credits=BASE_CREDITS[kie_model] + extra, when={"resolution": resolution})
        for resolution, extra in RESOLUTION_SURCHARGE.items()
    )


def _modes(kie_model: str, *, reference: bool) -> tuple[Mode, ...]:
    """Return the modes of one Veo tier (reference images only where documented)."""
    prices = _generation_prices(kie_model)
    common: dict[str, Any] = {
        "kie_model": kie_model,
        "durations": DURATIONS,
        "resolutions": RESOLUTIONS,
        "default_duration": 8,
        "default_aspect_ratio": "16:9",
        "default_resolution": "720p",
        "prices": prices,
    }
    modes = [
        Mode(
            name=TEXT_MODE,
            requires=frozenset({InputKind.TEXT}),
            aspect_ratios=ASPECT_RATIOS,
            **common,
        ),
        Mode(
            name=FRAMES_MODE,
            requires=frozenset({InputKind.TEXT, InputKind.FIRST_FRAME}),
            accepts=frozenset({InputKind.LAST_FRAME}),
            aspect_ratios=ASPECT_RATIOS,
            **common,
        ),
    ]
    if reference:
        modes.append(
            Mode(
                name=REFERENCE_MODE,
                requires=frozenset({InputKind.TEXT, InputKind.REFERENCE_IMAGES}),
                aspect_ratios=REFERENCE_ASPECT_RATIOS,
                max_reference_images=MAX_REFERENCE_IMAGES,
                **common,
            )
        )
    modes.append(
        Mode(
            name=EXTEND_MODE,
            kie_model=kie_model,
            requires=frozenset({InputKind.TEXT, InputKind.SOURCE_TASK}),
            prices=(PriceRow(credits=BASE_CREDITS[kie_model], note="one extension"),),
        )
    )
    return tuple(modes)


VEO_31_SPEC = ModelSpec(
    name="veo-3.1",
    title="Veo 3.1 Quality",
    description="Google Veo 3.1, highest fidelity: 8 s clips with audio, text or image to "
    "video, extendable.",
    aliases=("veo-3.1-quality",),
    variants=(Variant(name="quality", modes=_modes("veo3", reference=False)),),
    seed_range=SEED_RANGE,
    options_model=VeoOptions,
)

VEO_31_FAST_SPEC = ModelSpec(
    name="veo-3.1-fast",
    title="Veo 3.1 Fast",
    description="Google Veo 3.1 Fast (and the cheaper Lite tier): 8 s clips with audio, text, "
    "frames or reference images to video, extendable.",
    variants=(
        Variant(
            name="fast",
            description="Veo 3.1 Fast (veo3_fast); the only tier with reference images.",
            modes=_modes("veo3_fast", reference=True),
        ),
        Variant(
            name="lite",
            aliases=("veo-3.1-lite",),
            description="Veo 3.1 Lite (veo3_lite): text or frames to video, extend.",
            modes=_modes("veo3_lite", reference=False),
        ),
    ),
    seed_range=SEED_RANGE,
    options_model=VeoOptions,
)


def check_mode_options(resolved: ResolvedRequest) -> None:
    """Refuse options the chosen endpoint has no field for.

    Raises:
        InvalidRequestError: ``enable_translation`` on an extend request.
    """
    if resolved.mode.name == EXTEND_MODE and "enable_translation" in resolved.options:
        raise InvalidRequestError(
            f"{resolved.request.model} extend does not take enable_translation: "
            f"POST {EXTEND_PATH} has no enableTranslation field",
            field="options.enable_translation",
            value=resolved.options["enable_translation"],
            accepted=("watermark",),
        )


def _common_fields(resolved: ResolvedRequest) -> dict[str, Any]:
    """Fields both endpoints share: seeds, watermark, callBackUrl."""
    request = resolved.request
    fields: dict[str, Any] = {}
    if request.seed is not None:
        fields["seeds"] = request.seed
    if "watermark" in resolved.options:
        fields["watermark"] = resolved.options["watermark"]
    if request.callback_url:
        fields["callBackUrl"] = request.callback_url
    return fields


def generate_body(resolved: ResolvedRequest) -> dict[str, Any]:
    """Return the JSON body of ``POST /api/v1/veo/generate``.

    The aspect ratio goes out as ``aspect_ratio`` (the current docs' spelling) and also as
    ``aspectRatio`` (the older docs' spelling, still the one KIE echoes in ``paramJson``), with
    the same value, so the ratio is honoured whichever spelling the server reads.
    """
    request = resolved.request
    mode = resolved.mode
    body: dict[str, Any] = {
        "prompt": request.prompt,
        "model": mode.kie_model,
        "generationType": GENERATION_TYPES[mode.name],
        "aspect_ratio": request.aspect_ratio,
        "aspectRatio": request.aspect_ratio,
        "resolution": request.resolution,
    }
    if mode.name == FRAMES_MODE:
        frames = [request.first_frame, request.last_frame]
        body["imageUrls"] = [url for url in frames if url]
    elif mode.name == REFERENCE_MODE:
        body["imageUrls"] = list(request.reference_images)
    if "enable_translation" in resolved.options:
        body["enableTranslation"] = resolved.options["enable_translation"]
    body.update(_common_fields(resolved))
    return body


def extend_body(resolved: ResolvedRequest) -> dict[str, Any]:
    """Return the JSON body of ``POST /api/v1/veo/extend``."""
    request = resolved.request
    kie_model = resolved.mode.kie_model or ""
    body: dict[str, Any] = {
        "taskId": request.extend_task_id,
        "prompt": request.prompt,
        "model": EXTEND_MODELS[kie_model],
    }
    body.update(_common_fields(resolved))
    return body


class VeoModel(VideoModel):
    """A Veo 3.1 model: its spec, the Veo family, and the generate/extend calls."""

    family: TaskFamily = VEO

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec

    def resolve(self, request: VideoRequest) -> ResolvedRequest:
        """Check a request against the spec and the chosen endpoint's fields."""
        resolved = super().resolve(request)
        check_mode_options(resolved)
        return resolved

    def build_call(self, resolved: ResolvedRequest) -> EndpointCall:
        """Return ``POST /api/v1/veo/generate``, or ``/api/v1/veo/extend`` to extend a task."""
        check_mode_options(resolved)
        if resolved.mode.name == EXTEND_MODE:
            return EndpointCall(method="POST", path=EXTEND_PATH, body=extend_body(resolved))
        return EndpointCall(method="POST", path=GENERATE_PATH, body=generate_body(resolved))


VEO_31 = VeoModel(VEO_31_SPEC)
VEO_31_FAST = VeoModel(VEO_31_FAST_SPEC)

#: Every model this plugin registers.
MODELS: tuple[VeoModel, ...] = (VEO_31, VEO_31_FAST)
