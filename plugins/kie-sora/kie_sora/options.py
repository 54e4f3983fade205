"""The Sora-specific settings a request may carry in ``VideoRequest.options``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from kie_core.plugin import ProviderOptions


class SoraOptions(ProviderOptions):
    """Options of Sora 2 (standard); unknown keys are refused.

    Attributes:
        remove_watermark: ask KIE for the video without the Sora watermark.
        character_id_list: up to five character ids made with ``sora-2-characters``.
        upload_method: where KIE stores the result: ``s3`` (sent by default) or ``oss``
            (Aliyun, faster from China).
    """

    remove_watermark: bool | None = Field(
        default=None, description="Return the video without the Sora watermark."
    )
    character_id_list: list[str] | None = Field(
        default=None,
        max_length=5,
        description="Up to five character ids made with sora-2-characters.",
    )
    upload_method: Literal["s3", "oss"] | None = Field(
        default=None, description="Result storage: s3 (default) or oss (Aliyun)."
    )


class SoraProOptions(SoraOptions):
    """Options of Sora 2 Pro: those of Sora 2 plus the output ``size``.

    Attributes:
        size: ``standard`` or ``high`` quality; KIE's default is ``high`` for text-to-video and
            ``standard`` for image-to-video. ``high`` costs about twice as much.
    """

    size: Literal["standard", "high"] | None = Field(
        default=None,
        description="standard or high (KIE default: high for text, standard for image input).",
    )
