"""The Wan-specific settings a request may carry in ``VideoRequest.options``."""

from __future__ import annotations

from pydantic import Field

from kie_core.plugin import ProviderOptions


class WanOptions(ProviderOptions):
    """Options of Wan 2.5; unknown keys are refused. Unset options are not sent.

    Attributes:
        enable_prompt_expansion: let an LLM rewrite the prompt (older docs: on by default).
        nsfw_checker: KIE's content filter switch, sent only when set.
    """

    enable_prompt_expansion: bool | None = Field(
        default=None, description="Let an LLM rewrite the prompt."
    )
    nsfw_checker: bool | None = Field(
        default=None, description="KIE's content filter switch; sent only when set."
    )
