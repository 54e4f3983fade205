"""Runway and Aleph request options, passed in ``VideoRequest.options``."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from kie_core.plugin import ProviderOptions


class RunwayOptions(ProviderOptions):
    """Settings of ``/api/v1/runway/generate`` and ``/extend`` beyond the common fields.

    Example:
        >>> RunwayOptions(watermark="").watermark
        ''
    """

    model_config = ConfigDict(frozen=True)

    watermark: str | None = Field(
        default=None,
        description='Watermark text drawn bottom-right (sent as `waterMark`; "" = none).',
    )


class AlephOptions(ProviderOptions):
    """Settings of ``/api/v1/aleph/generate`` beyond the common fields.

    Example:
        >>> AlephOptions(upload_cn=True).upload_cn
        True
    """

    model_config = ConfigDict(frozen=True)

    watermark: str | None = Field(
        default=None, description='Watermark text (sent as `waterMark`; "" = none).'
    )
    upload_cn: bool | None = Field(
        default=None,
        description="Store the result on Alibaba Cloud OSS in China (`uploadCn`; KIE default "
        "false = global S3/R2).",
    )
