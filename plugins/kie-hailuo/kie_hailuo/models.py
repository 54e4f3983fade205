"""The Hailuo 02 models as data: ``minimax`` is the standard tier, ``hailuo-02`` the pro tier.

KIE names MiniMax's Hailuo models ``hailuo/02-*``; there is no ``minimax/*`` id for Hailuo 02,
so the request's "Minimax" and "Hailuo 02" map to the two tiers. Resolutions use a capital P.
"""

from __future__ import annotations

from kie_core.plugin import InputKind, MarketModel, Mode, ModelSpec, PriceRow, Variant
from kie_hailuo.options import HailuoOptions

TEXT = frozenset({InputKind.TEXT})
IMAGE = frozenset({InputKind.TEXT, InputKind.FIRST_FRAME})
END_FRAME = frozenset({InputKind.LAST_FRAME})

STANDARD_TEXT = "hailuo/02-text-to-video-standard"
STANDARD_IMAGE = "hailuo/02-image-to-video-standard"
PRO_TEXT = "hailuo/02-text-to-video-pro"
PRO_IMAGE = "hailuo/02-image-to-video-pro"

#: Pro output is 6 s at 1080P, fixed: neither is an input of the pro models.
PRO_PRICES = (PriceRow(credits=57, when={"duration": 6, "resolution": "1080P"}),)


def _pro_mode(
    name: str, kie_model: str, requires: frozenset[InputKind], *, end_frame: bool = False
) -> Mode:
    return Mode(
        name=name,
        kie_model=kie_model,
        requires=requires,
        accepts=END_FRAME if end_frame else frozenset(),
        durations=(6,),
        default_duration=6,
        resolutions=("1080P",),
        default_resolution="1080P",
        prices=PRO_PRICES,
    )


MINIMAX_SPEC = ModelSpec(
    name="minimax",
    title="MiniMax Hailuo 02 Standard",
    aliases=("hailuo-02-standard",),
    description=(
        "MiniMax Hailuo 02, standard tier: 6 or 10 s; text-to-video at 768P, image-to-video at "
        "512P or 768P with an optional end frame."
    ),
    variants=(
        Variant(
            name="standard",
            modes=(
                Mode(
                    name="text-to-video",
                    kie_model=STANDARD_TEXT,
                    requires=TEXT,
                    durations=(6, 10),
                    default_duration=6,
                    # Not an input of this model: advertised because the output is 768P.
                    resolutions=("768P",),
                    default_resolution="768P",
                    prices=(
                        PriceRow(credits=30, when={"duration": 6}),
                        PriceRow(credits=50, when={"duration": 10}),
                    ),
                ),
                Mode(
                    name="image-to-video",
                    kie_model=STANDARD_IMAGE,
                    requires=IMAGE,
                    accepts=END_FRAME,
                    durations=(6, 10),
                    default_duration=10,
                    resolutions=("512P", "768P"),
                    default_resolution="768P",
                    prices=(
                        PriceRow(credits=12, when={"duration": 6, "resolution": "512P"}),
                        PriceRow(credits=20, when={"duration": 10, "resolution": "512P"}),
                        PriceRow(
                            credits=30,
                            when={"duration": 6, "resolution": "768P"},
                            note="not in the pricing crawls; as text-to-video 6 s 768P",
                        ),
                        PriceRow(credits=50, when={"duration": 10, "resolution": "768P"}),
                    ),
                ),
            ),
        ),
    ),
    prompt_max_length=1500,
    options_model=HailuoOptions,
)

HAILUO_02_SPEC = ModelSpec(
    name="hailuo-02",
    title="MiniMax Hailuo 02 Pro",
    aliases=("hailuo-02-pro",),
    description=(
        "MiniMax Hailuo 02, pro tier: 6 s at 1080P, text-to-video or image-to-video with an "
        "optional end frame."
    ),
    variants=(
        Variant(
            name="pro",
            modes=(
                _pro_mode("text-to-video", PRO_TEXT, TEXT),
                _pro_mode("image-to-video", PRO_IMAGE, IMAGE, end_frame=True),
            ),
        ),
    ),
    prompt_max_length=1500,
    options_model=HailuoOptions,
)

#: Hailuo's ``input`` keys that differ from the Market defaults: the end frame.
FIELDS: dict[str, str | None] = {"first_frame": "image_url", "last_frame": "end_image_url"}

MINIMAX = MarketModel(
    MINIMAX_SPEC, fields=FIELDS, per_model_fields={STANDARD_TEXT: {"resolution": None}}
)
HAILUO_02 = MarketModel(HAILUO_02_SPEC, fields={**FIELDS, "duration": None, "resolution": None})

#: Every model this plugin registers.
MODELS: tuple[MarketModel, ...] = (MINIMAX, HAILUO_02)
