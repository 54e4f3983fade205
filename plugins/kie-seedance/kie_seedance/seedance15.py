"""ByteDance Seedance 1.5 Pro as data: one KIE model id for text and image to video.

``bytedance/seedance-1.5-pro`` (market.md section 8.6, KIE's newest schema) takes a prompt of
3 to 20 000 characters, an aspect ratio, a duration of 4 to 12 seconds (a number), an optional
resolution and up to two images in ``input_urls`` (first frame, then last frame; none for text
to video). KIE publishes no price for it, so the spec advertises none.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from kie_core.plugin import (
    InputKind,
    InvalidRequestError,
    MarketModel,
    Mode,
    ModelSpec,
    ResolvedRequest,
    Variant,
    VideoRequest,
)

KIE_MODEL = "bytedance/seedance-1.5-pro"
DURATIONS = tuple(range(4, 13))
ASPECT_RATIOS = ("1:1", "4:3", "3:4", "16:9", "9:16", "21:9")
RESOLUTIONS = ("480p", "720p", "1080p")
PROMPT_MIN_LENGTH = 3
PROMPT_MAX_LENGTH = 20000


class Seedance15Options(BaseModel):
    """Options of Seedance 1.5 Pro; unknown keys are refused. Unset options are not sent.

    Attributes:
        fixed_lens: keep the camera still.
        generate_audio: generate a soundtrack with the video (KIE charges more for it).
        nsfw_checker: KIE's content filter switch.
    """

    model_config = ConfigDict(extra="forbid")

    fixed_lens: bool | None = Field(default=None, description="Keep the camera still.")
    generate_audio: bool | None = Field(
        default=None, description="Generate a soundtrack with the video (costs more)."
    )
    nsfw_checker: bool | None = Field(
        default=None, description="KIE's content filter switch; sent only when set."
    )


def _mode(name: str, requires: frozenset[InputKind], accepts: frozenset[InputKind]) -> Mode:
    return Mode(
        name=name,
        kie_model=KIE_MODEL,
        requires=requires,
        accepts=accepts,
        durations=DURATIONS,
        default_duration=4,
        aspect_ratios=ASPECT_RATIOS,
        default_aspect_ratio="1:1",
        resolutions=RESOLUTIONS,
        default_resolution="720p",
    )


SEEDANCE_15_SPEC = ModelSpec(
    name="seedance-1.5-pro",
    title="ByteDance Seedance 1.5 Pro",
    family="market",
    provider="seedance",
    description=(
        "ByteDance Seedance 1.5 Pro, 4 to 12 s at 480p/720p/1080p, text to video or image to "
        "video with an optional last frame; optional generated audio. KIE publishes no price."
    ),
    variants=(
        Variant(
            name="pro",
            modes=(
                _mode("text-to-video", frozenset({InputKind.TEXT}), frozenset()),
                _mode(
                    "image-to-video",
                    frozenset({InputKind.TEXT, InputKind.FIRST_FRAME}),
                    frozenset({InputKind.LAST_FRAME}),
                ),
            ),
            options_model=Seedance15Options,
        ),
    ),
    prompt_max_length=PROMPT_MAX_LENGTH,
)


class Seedance15Model(MarketModel):
    """Seedance 1.5 Pro: frames travel together in ``input_urls``; short prompts are refused."""

    def resolve(self, request: VideoRequest) -> ResolvedRequest:
        """Check ``request`` against the spec and KIE's 3-character prompt minimum.

        Raises:
            InvalidRequestError: naming the field, the value and what is accepted.
        """
        if len(request.prompt.strip()) < PROMPT_MIN_LENGTH:
            raise InvalidRequestError(
                f"prompt {request.prompt!r} is too short for {request.model}: KIE accepts "
                f"{PROMPT_MIN_LENGTH} to {PROMPT_MAX_LENGTH} characters",
                field="prompt",
                value=request.prompt,
                accepted=(f"{PROMPT_MIN_LENGTH} to {PROMPT_MAX_LENGTH} characters",),
            )
        return super().resolve(request)

    def build_input(self, resolved: ResolvedRequest) -> dict[str, Any]:
        """Return the ``input`` object, the frames in ``input_urls`` (first, then last)."""
        payload = super().build_input(resolved)
        frames = [f for f in (resolved.request.first_frame, resolved.request.last_frame) if f]
        if frames:
            payload["input_urls"] = frames
        return payload


SEEDANCE_15 = Seedance15Model(
    SEEDANCE_15_SPEC,
    fields={"first_frame": None, "last_frame": None, "seed": None},
    duration_as_string=False,
)
