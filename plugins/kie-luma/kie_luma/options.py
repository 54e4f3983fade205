"""Luma Modify request options, passed in ``VideoRequest.options``."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from kie_core.plugin import ProviderOptions


class LumaOptions(ProviderOptions):
    """Settings of ``/api/v1/modify/generate`` beyond the common fields.

    Example:
        >>> LumaOptions(watermark="your-watermark-id").watermark
        'your-watermark-id'
    """

    model_config = ConfigDict(frozen=True)

    watermark: str | None = Field(
        default=None, description="Watermark identifier (sent as lower-case `watermark`)."
    )
