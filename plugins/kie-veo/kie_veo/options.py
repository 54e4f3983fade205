"""Veo-specific request options, passed in ``VideoRequest.options``."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from kie_core.plugin import ProviderOptions


class VeoOptions(ProviderOptions):
    """Settings of ``/api/v1/veo/generate`` and ``/api/v1/veo/extend`` beyond the common fields.

    The seed is the common ``VideoRequest.seed`` (sent as ``seeds``, 10000-99999). The
    deprecated ``enableFallback`` is not offered.

    Example:
        >>> VeoOptions(watermark="MyBrand", enable_translation=False).enable_translation
        False
    """

    model_config = ConfigDict(frozen=True)

    watermark: str | None = Field(
        default=None, description="Watermark text drawn on the video (sent as `watermark`)."
    )
    enable_translation: bool | None = Field(
        default=None,
        description="Translate the prompt to English first (`enableTranslation`, KIE default "
        "true). Generation only: the extend endpoint has no such field.",
    )
