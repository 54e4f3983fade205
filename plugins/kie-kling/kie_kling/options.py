"""The Kling-specific settings a request may carry in ``VideoRequest.options``."""

from __future__ import annotations

from pydantic import Field

from kie_core.plugin import ProviderOptions


class KlingOptions(ProviderOptions):
    """Options of every Kling 2.1 and 2.5 Turbo model; unknown keys are refused.

    Attributes:
        cfg_scale: how closely the video follows the prompt, 0 to 1 in steps of 0.1 (KIE's
            default is 0.5).
    """

    cfg_scale: float | None = Field(
        default=None,
        ge=0,
        le=1,
        multiple_of=0.1,
        description="How closely the video follows the prompt, 0 to 1, step 0.1 (default 0.5).",
    )
