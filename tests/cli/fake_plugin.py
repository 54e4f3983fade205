"""A small provider plugin for the CLI tests, independent of the real plugins.

Its models speak KIE model ids of the shipped plugins (Kling 2.5 Turbo, Kling 2.1 Pro, Sora 2)
and it declares their endpoints to the emulator with those plugins' declarations, so the
end-to-end tests run against the emulator with only this plugin loaded (``KIE_LOAD_PLUGINS``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from kie_core.emulation import EndpointSchema
from kie_core.families.market import MarketModel
from kie_core.hookspecs import hookimpl
from kie_core.models import Mode, ModelSpec, PriceRow, Variant, VideoModel
from kie_core.request import InputKind
from tests.kling_turbo import prices, turbo_modes

T, F, L = InputKind.TEXT, InputKind.FIRST_FRAME, InputKind.LAST_FRAME

#: The entry point name of this plugin.
PLUGIN_NAME = "clitest"


class KlingOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cfg_scale: float | None = Field(default=None, ge=0, le=1)


TURBO = MarketModel(
    ModelSpec(
        name="cli-turbo",
        title="CLI test Kling 2.5 Turbo",
        family="market",
        aliases=("ct",),
        prompt_max_length=2500,
        negative_prompt_max_length=2500,
        options_model=KlingOptions,
        variants=(
            Variant(
                name="pro",
                modes=turbo_modes(),
            ),
        ),
    )
)

IMAGE_ONLY = MarketModel(
    ModelSpec(
        name="cli-image",
        title="CLI test Kling 2.1 Pro (image to video only)",
        family="market",
        prompt_max_length=5000,
        negative_prompt_max_length=500,
        options_model=KlingOptions,
        variants=(
            Variant(
                name="pro",
                modes=(
                    Mode(
                        name="image-to-video",
                        kie_model="kling/v2-1-pro",
                        requires=frozenset({T, F}),
                        accepts=frozenset({L}),
                        durations=(5, 10),
                        default_duration=5,
                        prices=prices(50, 100),
                    ),
                ),
            ),
        ),
    )
)

DEPRECATED = MarketModel(
    ModelSpec(
        name="cli-old",
        title="CLI test Sora 2 (deprecated)",
        family="market",
        prompt_max_length=10000,
        deprecated=date(2026, 9, 24),
        deprecation_note="OpenAI shut the Sora 2 API down",
        variants=(
            Variant(
                name="standard",
                modes=(
                    Mode(
                        name="text-to-video",
                        kie_model="sora-2-text-to-video",
                        requires=frozenset({T}),
                        durations=(10, 15),
                        default_duration=10,
                        aspect_ratios=("16:9", "9:16"),
                        default_aspect_ratio="16:9",
                        prices=(
                            PriceRow(credits=20, when={"duration": 10}),
                            PriceRow(credits=25, when={"duration": 15}),
                        ),
                    ),
                ),
            ),
        ),
    ),
    fields={"duration": "n_frames"},
    value_maps={"aspect_ratio": {"16:9": "landscape", "9:16": "portrait"}},
)

MODELS: tuple[VideoModel, ...] = (TURBO, IMAGE_ONLY, DEPRECATED)


@hookimpl
def kie_register_models(register: Callable[[VideoModel], None]) -> None:
    """Register the CLI test models."""
    for model in MODELS:
        register(model)


@hookimpl
def kie_register_emulations(register: Callable[[EndpointSchema], None]) -> None:
    """Declare the endpoints of the KIE model ids the CLI test models call."""
    from kie_kling.emulation import EMULATIONS as KLING
    from kie_sora.emulation import EMULATIONS as SORA

    called = {
        mode.kie_model
        for model in MODELS
        for variant in model.spec.variants
        for mode in variant.modes
    }
    for schema in (*KLING, *SORA):
        if schema.model in called:
            register(schema)
