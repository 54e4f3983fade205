"""Runway Gen-3 and Runway Aleph as data, and the model objects that build their calls.

``runway-gen3`` (family ``runway``): text-to-video needs an aspect ratio; with an image the
ratio follows the image, so none is accepted; ``extend_task_id`` continues an earlier Runway
task through ``/api/v1/runway/extend``. 10 s is not available at 1080p.

``runway-aleph`` (family ``aleph``): video-to-video of the first 5 s of a source video, with an
optional reference image. The output length follows the source (at most 5 s), so it has no
duration setting. ``aspect_ratio`` ``Auto`` (the default) sends no ``aspectRatio`` and keeps the
source's ratio; the documented ratios are sent as given.

Prices are configuration (KIE publishes no table): Runway 720p 5 s 12 credits, 720p 10 s 30,
1080p 5 s 30, an extension 12 at 720p and 30 at 1080p; Aleph 30 per task.
"""

from __future__ import annotations

from typing import Any

from kie_core.plugin import (
    EndpointCall,
    Forbidden,
    InputKind,
    Mode,
    ModelSpec,
    PriceRow,
    ResolvedRequest,
    TaskFamily,
    Variant,
    VideoModel,
)
from kie_runway.aleph_family import ALEPH
from kie_runway.family import RUNWAY
from kie_runway.options import AlephOptions, RunwayOptions

RUNWAY_GENERATE_PATH = "/api/v1/runway/generate"
RUNWAY_EXTEND_PATH = "/api/v1/runway/extend"
ALEPH_GENERATE_PATH = "/api/v1/aleph/generate"

TEXT_MODE = "text-to-video"
IMAGE_MODE = "image-to-video"
EXTEND_MODE = "extend"
ALEPH_MODE = "video-to-video"

RUNWAY_DURATIONS = (5, 10)
RUNWAY_ASPECT_RATIOS = ("16:9", "4:3", "1:1", "3:4", "9:16")
RUNWAY_QUALITIES = ("720p", "1080p")
RUNWAY_PROMPT_MAX = 1800

#: The kie value that leaves Aleph's ``aspectRatio`` out (the output keeps the source ratio).
ALEPH_KEEP_RATIO = "Auto"
ALEPH_ASPECT_RATIOS = (ALEPH_KEEP_RATIO, "16:9", "9:16", "4:3", "3:4", "1:1", "21:9")
#: Aleph's seed range is not documented; this is the range of Runway's own API.
ALEPH_SEED_RANGE = (0, 4_294_967_295)

RUNWAY_PRICES = (
    PriceRow(credits=12, when={"resolution": "720p", "duration": 5}),
    PriceRow(credits=30, when={"resolution": "720p", "duration": 10}),
    PriceRow(credits=30, when={"resolution": "1080p", "duration": 5}),
)
RUNWAY_EXTEND_PRICES = (
    PriceRow(credits=12, when={"resolution": "720p"}),
    PriceRow(credits=30, when={"resolution": "1080p"}),
)
NO_10S_AT_1080P = Forbidden(
    when={"duration": 10, "resolution": "1080p"},
    reason="1080p is 5-second only; use 720p for 10 s",
)

_GENERATE: dict[str, Any] = {
    "durations": RUNWAY_DURATIONS,
    "resolutions": RUNWAY_QUALITIES,
    "default_duration": 5,
    "default_resolution": "720p",
    "prices": RUNWAY_PRICES,
    "forbidden": (NO_10S_AT_1080P,),
}

RUNWAY_SPEC = ModelSpec(
    name="runway-gen3",
    title="Runway Gen-3 Alpha Turbo",
    description="Runway text or image to video, 5 or 10 s, 720p or 1080p, extendable.",
    variants=(
        Variant(
            name="gen3",
            modes=(
                Mode(
                    name=TEXT_MODE,
                    requires=frozenset({InputKind.TEXT}),
                    aspect_ratios=RUNWAY_ASPECT_RATIOS,
                    default_aspect_ratio="16:9",
                    **_GENERATE,
                ),
                Mode(
                    name=IMAGE_MODE,
                    requires=frozenset({InputKind.TEXT, InputKind.FIRST_FRAME}),
                    **_GENERATE,
                ),
                Mode(
                    name=EXTEND_MODE,
                    requires=frozenset({InputKind.TEXT, InputKind.SOURCE_TASK}),
                    resolutions=RUNWAY_QUALITIES,
                    default_resolution="720p",
                    prices=RUNWAY_EXTEND_PRICES,
                ),
            ),
        ),
    ),
    prompt_max_length=RUNWAY_PROMPT_MAX,
    options_model=RunwayOptions,
)

ALEPH_SPEC = ModelSpec(
    name="runway-aleph",
    title="Runway Aleph",
    description="Runway Aleph video to video: restyle, relight or re-view the first 5 s of a "
    "source video, optionally guided by one reference image.",
    variants=(
        Variant(
            name="aleph",
            modes=(
                Mode(
                    name=ALEPH_MODE,
                    requires=frozenset({InputKind.TEXT, InputKind.VIDEO}),
                    accepts=frozenset({InputKind.REFERENCE_IMAGES}),
                    aspect_ratios=ALEPH_ASPECT_RATIOS,
                    default_aspect_ratio=ALEPH_KEEP_RATIO,
                    max_reference_images=1,
                    prices=(PriceRow(credits=30),),
                ),
            ),
        ),
    ),
    seed_range=ALEPH_SEED_RANGE,
    options_model=AlephOptions,
)


def _watermark_and_callback(resolved: ResolvedRequest) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if "watermark" in resolved.options:
        fields["waterMark"] = resolved.options["watermark"]
    if resolved.request.callback_url:
        fields["callBackUrl"] = resolved.request.callback_url
    return fields


def runway_generate_body(resolved: ResolvedRequest) -> dict[str, Any]:
    """Return the body of ``POST /api/v1/runway/generate`` (duration is a JSON number)."""
    request = resolved.request
    body: dict[str, Any] = {
        "prompt": request.prompt,
        "duration": request.duration,
        "quality": request.resolution,
    }
    if resolved.mode.name == IMAGE_MODE:
        body["imageUrl"] = request.first_frame
    else:
        body["aspectRatio"] = request.aspect_ratio
    body.update(_watermark_and_callback(resolved))
    return body


def runway_extend_body(resolved: ResolvedRequest) -> dict[str, Any]:
    """Return the body of ``POST /api/v1/runway/extend``."""
    request = resolved.request
    body: dict[str, Any] = {
        "taskId": request.extend_task_id,
        "prompt": request.prompt,
        "quality": request.resolution,
    }
    body.update(_watermark_and_callback(resolved))
    return body


def aleph_body(resolved: ResolvedRequest) -> dict[str, Any]:
    """Return the body of ``POST /api/v1/aleph/generate``."""
    request = resolved.request
    body: dict[str, Any] = {"prompt": request.prompt, "videoUrl": request.video}
    if request.aspect_ratio and request.aspect_ratio != ALEPH_KEEP_RATIO:
        body["aspectRatio"] = request.aspect_ratio
    if request.seed is not None:
        body["seed"] = request.seed
    if request.reference_images:
        body["referenceImage"] = request.reference_images[0]
    if "upload_cn" in resolved.options:
        body["uploadCn"] = resolved.options["upload_cn"]
    body.update(_watermark_and_callback(resolved))
    return body


class RunwayModel(VideoModel):
    """Runway Gen-3: ``/api/v1/runway/generate`` or, with ``extend_task_id``, ``/extend``."""

    family: TaskFamily = RUNWAY

    def __init__(self, spec: ModelSpec = RUNWAY_SPEC) -> None:
        self.spec = spec

    def build_call(self, resolved: ResolvedRequest) -> EndpointCall:
        """Return the generate or extend call of a resolved request."""
        if resolved.mode.name == EXTEND_MODE:
            return EndpointCall(
                method="POST", path=RUNWAY_EXTEND_PATH, body=runway_extend_body(resolved)
            )
        return EndpointCall(
            method="POST", path=RUNWAY_GENERATE_PATH, body=runway_generate_body(resolved)
        )


class AlephModel(VideoModel):
    """Runway Aleph: ``POST /api/v1/aleph/generate``."""

    family: TaskFamily = ALEPH

    def __init__(self, spec: ModelSpec = ALEPH_SPEC) -> None:
        self.spec = spec

    def build_call(self, resolved: ResolvedRequest) -> EndpointCall:
        """Return the Aleph generate call of a resolved request."""
        return EndpointCall(method="POST", path=ALEPH_GENERATE_PATH, body=aleph_body(resolved))


RUNWAY_GEN3 = RunwayModel()
RUNWAY_ALEPH = AlephModel()

#: Every model this plugin registers.
MODELS: tuple[VideoModel, ...] = (RUNWAY_GEN3, RUNWAY_ALEPH)
