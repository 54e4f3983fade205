"""The Hailuo-specific settings a request may carry in ``VideoRequest.options``."""

from __future__ import annotations

from pydantic import Field

from kie_core.plugin import ProviderOptions


class HailuoOptions(ProviderOptions):
    """Options of every Hailuo 02 model; unknown keys are refused. Unset options are not sent.

    Attributes:
        prompt_optimizer: let MiniMax rewrite the prompt (older docs: on by default).
        nsfw_checker: KIE's content filter switch (its documented meaning is contradictory, so
            it is only sent when set).
    """

    prompt_optimizer: bool | None = Field(
        default=None, description="Let MiniMax rewrite the prompt."
    )
    nsfw_checker: bool | None = Field(
        default=None, description="KIE's content filter switch; sent only when set."
    )
