"""The Kling models as data: which KIE model id serves which inputs, and what each costs.

Every Kling model on KIE speaks the Market API (``POST /api/v1/jobs/createTask``). Prices are
the kie.ai pricing rows of 2025-12 to 2026-06 (1 credit = US$0.005).
"""

from __future__ import annotations

from kie_core.plugin import InputKind, MarketModel, Mode, ModelSpec, PriceRow, Variant
from kie_kling.options import KlingOptions

TEXT = frozenset({InputKind.TEXT})
IMAGE = frozenset({InputKind.TEXT, InputKind.FIRST_FRAME})
TAIL = frozenset({InputKind.LAST_FRAME})
DURATIONS = (5, 10)
ASPECT_RATIOS = ("16:9", "9:16", "1:1")

#: Kling 2.1 and 2.5 Turbo accept at most this many negative-prompt characters everywhere
#: (Kling 2.5 Turbo text-to-video alone would take 2500; the stricter limit is model-wide).
NEGATIVE_PROMPT_MAX = 500


def _prices(five: float, ten: float) -> tuple[PriceRow, ...]:
    return (
        PriceRow(credits=five, when={"duration": 5}),
        PriceRow(credits=ten, when={"duration": 10}),
    )


def _text_mode(kie_model: str, prices: tuple[PriceRow, ...]) -> Mode:
    return Mode(
        name="text-to-video",
        kie_model=kie_model,
        requires=TEXT,
        durations=DURATIONS,
        default_duration=5,
        aspect_ratios=ASPECT_RATIOS,
        default_aspect_ratio="16:9",
        prices=prices,
    )


def _image_mode(kie_model: str, prices: tuple[PriceRow, ...], *, tail: bool) -> Mode:
    return Mode(
        name="image-to-video",
        kie_model=kie_model,
        requires=IMAGE,
        accepts=TAIL if tail else frozenset(),
        durations=DURATIONS,
        default_duration=5,
        prices=prices,
    )


KLING_2_1_SPEC = ModelSpec(
    name="kling-2.1-pro",
    title="Kling 2.1",
    description=(
        "Kling 2.1 image-to-video (pro: optional end frame; standard: cheaper) and the "
        "master tier, the only Kling 2.1 that also does text-to-video."
    ),
    variants=(
        Variant(
            name="pro",
            description="kling/v2-1-pro: image-to-video with an optional end frame.",
            modes=(_image_mode("kling/v2-1-pro", _prices(50, 100), tail=True),),
        ),
        Variant(
            name="master",
            aliases=("kling-2.1-master",),
            description="kling/v2-1-master-*: text-to-video (16:9, 9:16, 1:1) or image-to-video.",
            modes=(
                _text_mode("kling/v2-1-master-text-to-video", _prices(160, 320)),
                _image_mode("kling/v2-1-master-image-to-video", _prices(160, 320), tail=False),
            ),
        ),
        Variant(
            name="standard",
            aliases=("kling-2.1-standard",),
            description="kling/v2-1-standard: image-to-video without an end frame.",
            modes=(_image_mode("kling/v2-1-standard", _prices(25, 50), tail=False),),
        ),
    ),
    prompt_max_length=5000,
    negative_prompt_max_length=NEGATIVE_PROMPT_MAX,
    options_model=KlingOptions,
)

KLING_2_5_TURBO_SPEC = ModelSpec(
    name="kling-2.5-turbo",
    title="Kling 2.5 Turbo Pro",
    aliases=("kling-2.5-turbo-pro",),
    description="Kling 2.5 Turbo Pro: text-to-video, or image-to-video with an optional end frame.",
    variants=(
        Variant(
            name="pro",
            modes=(
                _text_mode("kling/v2-5-turbo-text-to-video-pro", _prices(42, 84)),
                _image_mode("kling/v2-5-turbo-image-to-video-pro", _prices(42, 84), tail=True),
            ),
        ),
    ),
    prompt_max_length=2500,
    negative_prompt_max_length=NEGATIVE_PROMPT_MAX,
    options_model=KlingOptions,
)

#: Kling's ``input`` keys that differ from the Market defaults: the end frame is the tail image.
FIELDS: dict[str, str | None] = {"first_frame": "image_url", "last_frame": "tail_image_url"}

KLING_2_1 = MarketModel(KLING_2_1_SPEC, fields=FIELDS)
KLING_2_5_TURBO = MarketModel(KLING_2_5_TURBO_SPEC, fields=FIELDS)

#: Every model this plugin registers.
MODELS: tuple[MarketModel, ...] = (KLING_2_1, KLING_2_5_TURBO)
