"""The Sora 2 models as data, kept for old tasks and scripts although the API is retired.

OpenAI shut the Sora 2 API down on 2026-09-24 and KIE removed Sora from its docs; the spec is
marked deprecated so every request warns before a credit is spent. Sora speaks the Market API
with its own field names: ``n_frames`` is the duration in seconds, the aspect ratio is
``landscape`` / ``portrait``, and the first frame travels as a one-item ``image_urls`` list.
"""

from __future__ import annotations

from datetime import date

from kie_core.plugin import InputKind, MarketModel, Mode, ModelSpec, PriceRow, Variant
from kie_sora.options import SoraOptions, SoraProOptions

TEXT = frozenset({InputKind.TEXT})
IMAGE = frozenset({InputKind.TEXT, InputKind.FIRST_FRAME})
DURATIONS = (10, 15)
ASPECT_RATIOS = ("16:9", "9:16")

#: The date the Sora 2 API was shut down.
RETIRED = date(2026, 9, 24)


def _prices(ten: float, fifteen: float, **when: str) -> tuple[PriceRow, ...]:
    return (
        PriceRow(credits=ten, when={"duration": 10, **when}),
        PriceRow(credits=fifteen, when={"duration": 15, **when}),
    )


#: Sora 2 Pro by ``size``; without a size KIE uses ``high`` for text, ``standard`` for images.
PRO_STANDARD = _prices(150, 270, size="standard")
PRO_HIGH = _prices(330, 630, size="high")


def _mode(
    name: str, kie_model: str, requires: frozenset[InputKind], prices: tuple[PriceRow, ...]
) -> Mode:
    return Mode(
        name=name,
        kie_model=kie_model,
        requires=requires,
        durations=DURATIONS,
        default_duration=10,
        aspect_ratios=ASPECT_RATIOS,
        default_aspect_ratio="16:9",
        prices=prices,
    )


SORA_2_SPEC = ModelSpec(
    name="sora-2",
    title="Sora 2",
    description="OpenAI Sora 2 and Sora 2 Pro, 10 or 15 s, landscape or portrait (retired).",
    variants=(
        Variant(
            name="standard",
            description="sora-2-text-to-video / sora-2-image-to-video.",
            modes=(
                _mode("text-to-video", "sora-2-text-to-video", TEXT, _prices(20, 25)),
                _mode("image-to-video", "sora-2-image-to-video", IMAGE, _prices(20, 25)),
            ),
            options_model=SoraOptions,
        ),
        Variant(
            name="pro",
            aliases=("sora-2-pro",),
            description="sora-2-pro-*: option size standard or high.",
            modes=(
                _mode(
                    "text-to-video",
                    "sora-2-pro-text-to-video",
                    TEXT,
                    (*PRO_STANDARD, *PRO_HIGH, *_prices(330, 630)),
                ),
                _mode(
                    "image-to-video",
                    "sora-2-pro-image-to-video",
                    IMAGE,
                    (*PRO_STANDARD, *PRO_HIGH, *_prices(150, 270)),
                ),
            ),
            options_model=SoraProOptions,
        ),
    ),
    prompt_max_length=10000,
    deprecated=RETIRED,
    deprecation_note=(
        "OpenAI shut the Sora 2 API down on 2026-09-24 and KIE removed Sora from its docs; "
        "requests will most likely fail"
    ),
)

SORA_2 = MarketModel(
    SORA_2_SPEC,
    fields={"first_frame": "image_urls[]", "last_frame": None, "duration": "n_frames"},
    value_maps={"aspect_ratio": {"16:9": "landscape", "9:16": "portrait"}},
    fixed_input={"upload_method": "s3"},
)

#: Every model this plugin registers.
MODELS: tuple[MarketModel, ...] = (SORA_2,)
