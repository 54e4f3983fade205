"""Luma Modify as data, and the model object that builds its call.

``luma-modify``: video-to-video. The prompt (English) and the source ``video`` (MP4, MOV or
AVI, at most 10 s and 500 MB, publicly reachable) are required; the output follows the source,
so there is no duration, aspect ratio or resolution setting.

The price is configuration (KIE publishes no table): 60 credits per task.
"""

from __future__ import annotations

from typing import Any

from kie_core.plugin import (
    EndpointCall,
    InputKind,
    Mode,
    ModelSpec,
    PriceRow,
    ResolvedRequest,
    TaskFamily,
    Variant,
    VideoModel,
)
from kie_luma.family import LUMA
from kie_luma.options import LumaOptions

GENERATE_PATH = "/api/v1/modify/generate"
MODE = "video-to-video"
CREDITS = 60

LUMA_MODIFY_SPEC = ModelSpec(
    name="luma-modify",
    title="Luma Modify",
    description="Luma video to video: restyle or transform a source video of up to 10 s "
    "following an English prompt.",
    variants=(
        Variant(
            name="modify",
            modes=(
                Mode(
                    name=MODE,
                    requires=frozenset({InputKind.TEXT, InputKind.VIDEO}),
                    prices=(PriceRow(credits=CREDITS),),
                ),
            ),
        ),
    ),
    options_model=LumaOptions,
)


def generate_body(resolved: ResolvedRequest) -> dict[str, Any]:
    """Return the body of ``POST /api/v1/modify/generate``."""
    request = resolved.request
    body: dict[str, Any] = {"prompt": request.prompt, "videoUrl": request.video}
    if "watermark" in resolved.options:
        body["watermark"] = resolved.options["watermark"]
    if request.callback_url:
        body["callBackUrl"] = request.callback_url
    return body


class LumaModel(VideoModel):
    """Luma Modify: ``POST /api/v1/modify/generate``."""

    family: TaskFamily = LUMA

    def __init__(self, spec: ModelSpec = LUMA_MODIFY_SPEC) -> None:
        self.spec = spec

    def build_call(self, resolved: ResolvedRequest) -> EndpointCall:
        """Return the generate call of a resolved request."""
        return EndpointCall(method="POST", path=GENERATE_PATH, body=generate_body(resolved))


LUMA_MODIFY = LumaModel()

#: Every model this plugin registers.
MODELS: tuple[VideoModel, ...] = (LUMA_MODIFY,)
