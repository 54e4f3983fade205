"""The emulator declarations of the Kling Market models (market.md sections 3, 4 and 9)."""

from __future__ import annotations

from kie_core.plugin import EndpointSchema, InputField, Price

_ASPECTS = ("16:9", "9:16", "1:1")
_CFG = InputField("cfg_scale", "number", minimum=0, maximum=1, multiple_of=0.1, default=0.5)
_DURATION = InputField("duration", "string", enum=("5", "10"), default="5")
_IMAGE = InputField("image_url", "url", required=True)
_TAIL = InputField("tail_image_url", "url")


def _prompt(max_length: int) -> InputField:
    return InputField("prompt", "string", required=True, max_length=max_length)


def _negative(max_length: int) -> InputField:
    return InputField("negative_prompt", "string", max_length=max_length)


def _aspect() -> InputField:
    return InputField("aspect_ratio", "string", enum=_ASPECTS, default="16:9")


def _prices(five: float, ten: float) -> tuple[Price, ...]:
    return (Price(five, when={"duration": "5"}), Price(ten, when={"duration": "10"}))


def _kling_21(model: str, five: float, *, tail: bool) -> EndpointSchema:
    fields = (_prompt(5000), _IMAGE, _DURATION, _negative(500), _CFG)
    return EndpointSchema(model, fields + ((_TAIL,) if tail else ()), _prices(five, 2 * five))


EMULATIONS: tuple[EndpointSchema, ...] = (
    _kling_21("kling/v2-1-pro", 50, tail=True),
    _kling_21("kling/v2-1-standard", 25, tail=False),
    _kling_21("kling/v2-1-master-image-to-video", 160, tail=False),
    EndpointSchema(
        "kling/v2-1-master-text-to-video",
        (_prompt(5000), _aspect(), _DURATION, _negative(500), _CFG),
        _prices(160, 320),
    ),
    EndpointSchema(
        "kling/v2-5-turbo-text-to-video-pro",
        (_prompt(2500), _DURATION, _aspect(), _negative(2500), _CFG),
        _prices(42, 84),
    ),
    EndpointSchema(
        "kling/v2-5-turbo-image-to-video-pro",
        (_prompt(2500), _IMAGE, _TAIL, _DURATION, _negative(500), _CFG),
        _prices(42, 84),
    ),
)
"""Every Kling Market model id the plugin calls, as KIE documents it."""
