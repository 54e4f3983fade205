"""The ByteDance Seedance V1 model as data: pro (default), lite and pro-fast variants.

KIE's ids are ``bytedance/v1-*``. Pro offers 21:9 where lite offers 9:21; only lite
image-to-video takes an end frame; pro-fast is image-to-video only, 720p or 1080p, and takes no
seed, camera or safety switch.
"""

from __future__ import annotations

from kie_core.plugin import (
    EndpointCall,
    InputKind,
    InvalidRequestError,
    MarketModel,
    Mode,
    ModelSpec,
    PriceRow,
    ResolvedRequest,
    Variant,
    VideoRequest,
)
from kie_seedance.options import SeedanceFastOptions, SeedanceOptions
from kie_seedance.seedance15 import SEEDANCE_15

TEXT = frozenset({InputKind.TEXT})
IMAGE = frozenset({InputKind.TEXT, InputKind.FIRST_FRAME})
DURATIONS = (5, 10)
RESOLUTIONS = ("480p", "720p", "1080p")
PRO_ASPECT_RATIOS = ("21:9", "16:9", "4:3", "1:1", "3:4", "9:16")
LITE_ASPECT_RATIOS = ("16:9", "4:3", "1:1", "3:4", "9:16", "9:21")

#: ``-1`` asks for a random seed.
SEED_RANGE = (-1, 2_147_483_647)


def _prices(table: dict[tuple[int, str], float], note: str = "") -> tuple[PriceRow, ...]:
    return tuple(
        PriceRow(credits=credits, when={"duration": duration, "resolution": resolution}, note=note)
        for (duration, resolution), credits in table.items()
    )


PRO_PRICES = _prices(
    {
        (5, "480p"): 14,
        (5, "720p"): 30,
        (5, "1080p"): 70,
        (10, "480p"): 28,
        (10, "720p"): 60,
        (10, "1080p"): 140,
    }
)
LITE_TEXT_PRICES = _prices({(5, "480p"): 14, (5, "720p"): 30, (5, "1080p"): 70}) + _prices(
    {(10, "480p"): 28, (10, "720p"): 60, (10, "1080p"): 140},
    note="not in the pricing crawls; twice the 5 s price",
)
LITE_IMAGE_PRICES = _prices(
    {
        (5, "480p"): 10,
        (5, "720p"): 22.5,
        (5, "1080p"): 50,
        (10, "480p"): 20,
        (10, "720p"): 45,
        (10, "1080p"): 100,
    }
)
FAST_PRICES = _prices({(5, "720p"): 16, (10, "720p"): 36, (5, "1080p"): 36, (10, "1080p"): 72})


def _mode(
    name: str,
    kie_model: str,
    prices: tuple[PriceRow, ...],
    *,
    aspect_ratios: tuple[str, ...] = (),
    resolutions: tuple[str, ...] = RESOLUTIONS,
    end_frame: bool = False,
) -> Mode:
    return Mode(
        name=name,
        kie_model=kie_model,
        requires=IMAGE if name == "image-to-video" else TEXT,
        accepts=frozenset({InputKind.LAST_FRAME}) if end_frame else frozenset(),
        durations=DURATIONS,
        default_duration=5,
        aspect_ratios=aspect_ratios,
        default_aspect_ratio="16:9" if aspect_ratios else None,
        resolutions=resolutions,
        default_resolution="720p",
        prices=prices,
    )


#: The variant that takes no seed (data cannot say it: the seed range is model-wide).
NO_SEED_VARIANT = "pro-fast"

SEEDANCE_SPEC = ModelSpec(
    name="seedance",
    title="ByteDance Seedance V1",
    description=(
        "ByteDance Seedance V1, 5 or 10 s at 480p/720p/1080p: pro (default), lite (cheaper "
        "image-to-video, end frame) and pro-fast (image-to-video only)."
    ),
    variants=(
        Variant(
            name="pro",
            description="bytedance/v1-pro-*: text-to-video (21:9 to 9:16) or image-to-video.",
            modes=(
                _mode(
                    "text-to-video",
                    "bytedance/v1-pro-text-to-video",
                    PRO_PRICES,
                    aspect_ratios=PRO_ASPECT_RATIOS,
                ),
                _mode("image-to-video", "bytedance/v1-pro-image-to-video", PRO_PRICES),
            ),
            options_model=SeedanceOptions,
        ),
        Variant(
            name="lite",
            aliases=("seedance-lite",),
            description="bytedance/v1-lite-*: 9:21 instead of 21:9; image-to-video end frame.",
            modes=(
                _mode(
                    "text-to-video",
                    "bytedance/v1-lite-text-to-video",
                    LITE_TEXT_PRICES,
                    aspect_ratios=LITE_ASPECT_RATIOS,
                ),
                _mode(
                    "image-to-video",
                    "bytedance/v1-lite-image-to-video",
                    LITE_IMAGE_PRICES,
                    end_frame=True,
                ),
            ),
            options_model=SeedanceOptions,
        ),
        Variant(
            name=NO_SEED_VARIANT,
            aliases=("seedance-pro-fast",),
            description="bytedance/v1-pro-fast-image-to-video: 720p or 1080p, no seed.",
            modes=(
                _mode(
                    "image-to-video",
                    "bytedance/v1-pro-fast-image-to-video",
                    FAST_PRICES,
                    resolutions=("720p", "1080p"),
                ),
            ),
            options_model=SeedanceFastOptions,
        ),
    ),
    prompt_max_length=10000,
    seed_range=SEED_RANGE,
)


class SeedanceModel(MarketModel):
    """Seedance's Market model, which also refuses a seed for the pro-fast variant."""

    def resolve(self, request: VideoRequest) -> ResolvedRequest:
        """Check ``request`` against the spec, then refuse a seed where the variant has none.

        Raises:
            InvalidRequestError: naming the field, the value and what is accepted.
        """
        resolved = super().resolve(request)
        _refuse_seed(resolved)
        return resolved

    def build_call(self, resolved: ResolvedRequest) -> EndpointCall:
        """Return the createTask call (refusing a pro-fast seed even if resolved elsewhere)."""
        _refuse_seed(resolved)
        return super().build_call(resolved)


def _refuse_seed(resolved: ResolvedRequest) -> None:
    if resolved.variant.name == NO_SEED_VARIANT and resolved.request.seed is not None:
        raise InvalidRequestError(
            f"{resolved.request.model} does not accept a seed",
            field="seed",
            value=resolved.request.seed,
            accepted=(),
        )


SEEDANCE = SeedanceModel(
    SEEDANCE_SPEC, fields={"first_frame": "image_url", "last_frame": "end_image_url"}
)

#: Every model this plugin registers.
MODELS: tuple[MarketModel, ...] = (SEEDANCE, SEEDANCE_15)
