"""The Kling 2.5 Turbo modes the core's own tests build their sample models from.

A copy of the documented capabilities (market.md §4, §9) that does not depend on the kie-kling
plugin, so core tests run with nothing but kie-core installed.
"""

from __future__ import annotations

from kie_core.models import Mode, PriceRow
from kie_core.request import InputKind

T, F, L = InputKind.TEXT, InputKind.FIRST_FRAME, InputKind.LAST_FRAME


def prices(short: float, long: float) -> tuple[PriceRow, ...]:
    """Return price rows for 5 s and 10 s."""
    return (
        PriceRow(credits=short, when={"duration": 5}),
        PriceRow(credits=long, when={"duration": 10}),
    )


def turbo_modes() -> tuple[Mode, Mode]:
    """Return Kling 2.5 Turbo's text-to-video and image-to-video (optional tail frame) modes."""
    return (
        Mode(
            name="text-to-video",
            kie_model="kling/v2-5-turbo-text-to-video-pro",
            requires=frozenset({T}),
            durations=(5, 10),
            default_duration=5,
            aspect_ratios=("16:9", "9:16", "1:1"),
            default_aspect_ratio="16:9",
            prices=prices(42, 84),
        ),
        Mode(
            name="image-to-video",
            kie_model="kling/v2-5-turbo-image-to-video-pro",
            requires=frozenset({T, F}),
            accepts=frozenset({L}),
            durations=(5, 10),
            default_duration=5,
            prices=prices(42, 84),
        ),
    )
