"""Luma Modify request options, passed in ``VideoRequest.options``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class LumaOptions(BaseModel):
    """Settings of ``/api/v1/modify/generate`` beyond the common fields.

    Example:
        >>> LumaOptions(watermark="your-watermark-id").watermark
        'your-watermark-id'
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    watermark: str | None = Field(
        default=None, description="Watermark identifier (sent as lower-case `watermark`)."
    )
