"""Small model specs used by the core's own unit tests (independent of the real plugins)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from kie_core.families.market import MarketModel
from kie_core.models import Forbidden, Mode, ModelSpec, PriceRow, Variant, VideoModel
from kie_core.request import InputKind
from tests.kling_turbo import turbo_modes

T, F, L, R = InputKind.TEXT, InputKind.FIRST_FRAME, InputKind.LAST_FRAME, InputKind.REFERENCE_IMAGES


class TurboOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cfg_scale: float | None = Field(default=None, ge=0, le=1)


TURBO = ModelSpec(
    name="test-turbo",
    title="Test Turbo",
    family="market",
    aliases=("tt",),
    prompt_max_length=2500,
    negative_prompt_max_length=500,
    options_model=TurboOptions,
    variants=(
        Variant(
            name="pro",
            modes=turbo_modes(),
        ),
        Variant(
            name="hd",
            aliases=("test-turbo-hd",),
            modes=(
                Mode(
                    name="text-to-video",
                    kie_model="test/hd",
                    requires=frozenset({T}),
                    durations=(5, 10),
                    default_duration=5,
                    resolutions=("720p", "1080P"),
                    default_resolution="720p",
                    prices=(
                        PriceRow(credits=10, when={"resolution": "720p"}, per_second=True),
                        PriceRow(credits=20, when={"resolution": "1080P"}, per_second=True),
                    ),
                    forbidden=(
                        Forbidden(
                            when={"duration": 10, "resolution": "1080P"},
                            reason="1080P is 5-second only",
                        ),
                    ),
                ),
            ),
        ),
    ),
)

TURBO_MODEL = MarketModel(TURBO, fields={"last_frame": "tail_image_url"})


class SamplePlugin:
    """A plugin object registering the sample model."""

    def __init__(self, *models: MarketModel) -> None:
        self.models = models or (TURBO_MODEL,)

    def kie_register_models(self, register):  # type: ignore[no-untyped-def]
        for model in self.models:
            register(model)


def hookimpl_plugin(*models: VideoModel) -> object:
    """Return a plugin object whose hook is marked with kie's hookimpl."""
    from kie_core.hookspecs import hookimpl

    class _Plugin:
        @hookimpl
        def kie_register_models(self, register):  # type: ignore[no-untyped-def]
            for model in models or (TURBO_MODEL,):
                register(model)

    return _Plugin()
