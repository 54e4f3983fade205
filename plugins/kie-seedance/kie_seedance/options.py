"""The Seedance-specific settings a request may carry in ``VideoRequest.options``."""

from __future__ import annotations

from pydantic import Field

from kie_core.plugin import ProviderOptions


class SeedanceFastOptions(ProviderOptions):
    """Options of Seedance V1 Pro Fast; unknown keys are refused. Unset options are not sent.

    Attributes:
        nsfw_checker: KIE's content filter switch, sent only when set.
    """

    nsfw_checker: bool | None = Field(
        default=None, description="KIE's content filter switch; sent only when set."
    )


class SeedanceOptions(SeedanceFastOptions):
    """Options of Seedance V1 Pro and Lite: those of Pro Fast plus camera and safety switches.

    Attributes:
        camera_fixed: keep the camera still.
        enable_safety_checker: ByteDance's safety checker; on unless ``False`` is sent.
    """

    camera_fixed: bool | None = Field(default=None, description="Keep the camera still.")
    enable_safety_checker: bool | None = Field(
        default=None, description="ByteDance's safety checker; on unless False is sent."
    )
