"""The emulator declarations of the Seedance Market models (market.md sections 8 and 9)."""

from __future__ import annotations

from kie_core.plugin import EndpointSchema, InputField, Price

_NSFW = InputField("nsfw_checker", "boolean")
_SAFETY = InputField("enable_safety_checker", "boolean")
_CAMERA = InputField("camera_fixed", "boolean")
_IMAGE = InputField("image_url", "url", required=True)
_PROMPT = InputField("prompt", "string", required=True, max_length=10000)
_RESOLUTION = InputField("resolution", "string", enum=("480p", "720p", "1080p"), default="720p")
_DURATION = InputField("duration", "string", enum=("5", "10"), default="5")
_SEED_PRO = InputField("seed", "integer", minimum=-1, maximum=2147483647, default=-1)
_SEED_LITE = InputField("seed", "integer")
_PRO_ASPECTS = ("21:9", "16:9", "4:3", "1:1", "3:4", "9:16")
_LITE_ASPECTS = ("16:9", "4:3", "1:1", "3:4", "9:16", "9:21")


def _by(table: dict[tuple[str, str], float]) -> tuple[Price, ...]:
    return tuple(
        Price(credits, when={"duration": duration, "resolution": resolution})
        for (duration, resolution), credits in table.items()
    )


_V1 = _by(
    {
        ("5", "480p"): 14,
        ("5", "720p"): 30,
        ("5", "1080p"): 70,
        ("10", "480p"): 28,
        ("10", "720p"): 60,
        ("10", "1080p"): 140,
    }
)
"""V1 pro (text and image to video) and lite text to video (lite's 10 s: twice its 5 s)."""

_LITE_IMAGE = _by(
    {
        ("5", "480p"): 10,
        ("5", "720p"): 22.5,
        ("5", "1080p"): 50,
        ("10", "480p"): 20,
        ("10", "720p"): 45,
        ("10", "1080p"): 100,
    }
)


def _text(model: str, aspects: tuple[str, ...], seed: InputField) -> EndpointSchema:
    aspect = InputField("aspect_ratio", "string", enum=aspects, default="16:9")
    fields = (_PROMPT, aspect, _RESOLUTION, _DURATION, _CAMERA, seed, _SAFETY, _NSFW)
    return EndpointSchema(model, fields, _V1)


def _image(
    model: str, prices: tuple[Price, ...], seed: InputField, *, end_frame: bool
) -> EndpointSchema:
    end = (InputField("end_image_url", "url"),) if end_frame else ()
    fields = (_PROMPT, _IMAGE, *end, _RESOLUTION, _DURATION, _CAMERA, seed, _SAFETY, _NSFW)
    return EndpointSchema(model, fields, prices)


SEEDANCE_15 = EndpointSchema(
    "bytedance/seedance-1.5-pro",
    (
        InputField("prompt", "string", required=True, min_length=3, max_length=20000),
        InputField(
            "aspect_ratio",
            "string",
            required=True,
            enum=("1:1", "4:3", "3:4", "16:9", "9:16", "21:9"),
            default="1:1",
        ),
        InputField("duration", "number", required=True, minimum=4, maximum=12),
        InputField("input_urls", "url_list", max_items=2),
        _RESOLUTION,
        InputField("fixed_lens", "boolean", default=False),
        InputField("generate_audio", "boolean", default=False),
        _NSFW,
    ),
    # KIE publishes no price for Seedance 1.5 Pro (market.md section 9 lists none).
    prices=(),
)
"""Seedance 1.5 Pro (market.md section 8.6, KIE's newest schema)."""


EMULATIONS: tuple[EndpointSchema, ...] = (
    _text("bytedance/v1-pro-text-to-video", _PRO_ASPECTS, _SEED_PRO),
    _image("bytedance/v1-pro-image-to-video", _V1, _SEED_PRO, end_frame=False),
    _text("bytedance/v1-lite-text-to-video", _LITE_ASPECTS, _SEED_LITE),
    _image("bytedance/v1-lite-image-to-video", _LITE_IMAGE, _SEED_LITE, end_frame=True),
    EndpointSchema(
        "bytedance/v1-pro-fast-image-to-video",
        (
            _PROMPT,
            _IMAGE,
            InputField("resolution", "string", enum=("720p", "1080p"), default="720p"),
            _DURATION,
            _NSFW,
        ),
        _by({("5", "720p"): 16, ("10", "720p"): 36, ("5", "1080p"): 36, ("10", "1080p"): 72}),
    ),
    SEEDANCE_15,
)
"""Every Seedance Market model id the plugin calls, as KIE documents it."""
