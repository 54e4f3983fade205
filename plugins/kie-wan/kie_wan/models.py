"""The Wan 2.5 model as data.

The newest KIE schema makes ``duration`` required and documents no defaults, so kie always
sends the duration and the resolution (the older documented defaults: 5 s, 1080p).
"""

from __future__ import annotations

from kie_core.plugin import InputKind, MarketModel, Mode, ModelSpec, PriceRow, Variant
from kie_wan.options import WanOptions

DURATIONS = (5, 10)
RESOLUTIONS = ("720p", "1080p")

#: Credits by duration and resolution, the same for text- and image-to-video.
PRICES = (
    PriceRow(credits=60, when={"duration": 5, "resolution": "720p"}),
    PriceRow(credits=120, when={"duration": 10, "resolution": "720p"}),
    PriceRow(credits=100, when={"duration": 5, "resolution": "1080p"}),
    PriceRow(credits=200, when={"duration": 10, "resolution": "1080p"}),
)

#: Wan documents the seed only as an integer; kie keeps it within a signed 32-bit range.
SEED_RANGE = (0, 2_147_483_647)

WAN_2_5_SPEC = ModelSpec(
    name="wan-2.5",
    title="Wan 2.5",
    description=(
        "Alibaba Wan 2.5 with generated sound: 5 or 10 s at 720p or 1080p, text-to-video "
        "(16:9, 9:16, 1:1) or image-to-video (follows the image)."
    ),
    variants=(
        Variant(
            name="standard",
            modes=(
                Mode(
                    name="text-to-video",
                    kie_model="wan/2-5-text-to-video",
                    requires=frozenset({InputKind.TEXT}),
                    durations=DURATIONS,
                    default_duration=5,
                    aspect_ratios=("16:9", "9:16", "1:1"),
                    default_aspect_ratio="16:9",
                    resolutions=RESOLUTIONS,
                    default_resolution="1080p",
                    prices=PRICES,
                ),
                Mode(
                    name="image-to-video",
                    kie_model="wan/2-5-image-to-video",
                    requires=frozenset({InputKind.TEXT, InputKind.FIRST_FRAME}),
                    durations=DURATIONS,
                    default_duration=5,
                    resolutions=RESOLUTIONS,
                    default_resolution="1080p",
                    prices=PRICES,
                ),
            ),
        ),
    ),
    prompt_max_length=800,
    negative_prompt_max_length=500,
    seed_range=SEED_RANGE,
    options_model=WanOptions,
)

WAN_2_5 = MarketModel(WAN_2_5_SPEC)

#: Every model this plugin registers.
MODELS: tuple[MarketModel, ...] = (WAN_2_5,)
