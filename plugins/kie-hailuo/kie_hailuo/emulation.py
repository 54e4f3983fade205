"""The emulator declarations of the Hailuo Market models (market.md sections 6, 8.7 and 9)."""

from __future__ import annotations

from kie_core.plugin import EndpointSchema, ForbiddenInput, InputField, Price

_NSFW = InputField("nsfw_checker", "boolean")
_OPTIMIZER = InputField("prompt_optimizer", "boolean")
_IMAGE = InputField("image_url", "url", required=True)
_END = InputField("end_image_url", "url")
_NOT_10S_AT_1080P = ForbiddenInput(
    {"duration": "10", "resolution": "1080P"},
    "input.duration: 10-second videos are not supported at 1080P resolution",
)


def _prompt(max_length: int) -> InputField:
    return InputField("prompt", "string", required=True, max_length=max_length)


def _duration(default: str) -> InputField:
    return InputField("duration", "string", enum=("6", "10"), default=default)


def _by(table: dict[tuple[str, str], float]) -> tuple[Price, ...]:
    return tuple(
        Price(credits, when={"duration": duration, "resolution": resolution})
        for (duration, resolution), credits in table.items()
    )


def _hailuo_23(model: str, table: dict[tuple[str, str], float], *, pro: bool) -> EndpointSchema:
    fields = (
        _prompt(5000),
        _IMAGE,
        _duration("6"),
        InputField("resolution", "string", enum=("768P", "1080P"), default="768P"),
    )
    return EndpointSchema(
        model, fields + ((_NSFW,) if pro else ()), _by(table), rules=(_NOT_10S_AT_1080P,)
    )


EMULATIONS: tuple[EndpointSchema, ...] = (
    EndpointSchema("hailuo/02-text-to-video-pro", (_prompt(1500), _OPTIMIZER, _NSFW), (Price(57),)),
    EndpointSchema(
        "hailuo/02-text-to-video-standard",
        (_prompt(1500), _duration("6"), _OPTIMIZER, _NSFW),
        (Price(30, when={"duration": "6"}), Price(50, when={"duration": "10"})),
    ),
    EndpointSchema(
        "hailuo/02-image-to-video-pro",
        (_prompt(1500), _IMAGE, _END, _OPTIMIZER, _NSFW),
        (Price(57),),
    ),
    EndpointSchema(
        "hailuo/02-image-to-video-standard",
        (
            _prompt(1500),
            _IMAGE,
            _END,
            _duration("10"),
            InputField("resolution", "string", enum=("512P", "768P"), default="768P"),
            _OPTIMIZER,
            _NSFW,
        ),
        # 6 s at 768P is not in the crawl; the 6 s 768P figure of the text-to-video tier is used.
        _by({("6", "512P"): 12, ("10", "512P"): 20, ("6", "768P"): 30, ("10", "768P"): 50}),
    ),
    _hailuo_23(
        "hailuo/2-3-image-to-video-pro",
        {("6", "768P"): 45, ("10", "768P"): 90, ("6", "1080P"): 80},
        pro=True,
    ),
    _hailuo_23(
        "hailuo/2-3-image-to-video-standard",
        {("6", "768P"): 30, ("10", "768P"): 50, ("6", "1080P"): 50},
        pro=False,
    ),
)
"""Every Hailuo Market model id the plugin calls, as KIE documents it."""
