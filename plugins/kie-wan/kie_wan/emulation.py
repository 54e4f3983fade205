"""The emulator declarations of the Wan Market models (market.md sections 7, 9 and 10.8)."""

from __future__ import annotations

from kie_core.plugin import BilledSeconds, EndpointSchema, InputField, Price

_NSFW = InputField("nsfw_checker", "boolean")
_IMAGE = InputField("image_url", "url", required=True)
_PRICES_25 = tuple(
    Price(credits, when={"duration": duration, "resolution": resolution})
    for (duration, resolution), credits in {
        ("5", "720p"): 60,
        ("10", "720p"): 120,
        ("5", "1080p"): 100,
        ("10", "1080p"): 200,
    }.items()
)


def _wan_25(model: str, *, image: bool) -> EndpointSchema:
    prompt = InputField("prompt", "string", required=True, max_length=800)
    duration = InputField("duration", "string", required=True, enum=("5", "10"))
    aspect = InputField("aspect_ratio", "string", enum=("16:9", "9:16", "1:1"), default="16:9")
    first = (prompt, _IMAGE, duration) if image else (prompt, duration, aspect)
    rest = (
        InputField("resolution", "string", enum=("720p", "1080p"), default="1080p"),
        InputField("negative_prompt", "string", max_length=500),
        InputField("enable_prompt_expansion", "boolean"),
        InputField("seed", "integer"),
        _NSFW,
    )
    return EndpointSchema(model, first + rest, _PRICES_25)


_SPEECH = EndpointSchema(
    "wan/2-2-a14b-speech-to-video-turbo",
    (
        InputField("prompt", "string", required=True, max_length=5000),
        _IMAGE,
        InputField("audio_url", "url", required=True),
        InputField("num_frames", "integer", minimum=40, maximum=120, multiple_of=4, default=80),
        InputField("frames_per_second", "number", minimum=4, maximum=60, default=16),
        InputField("resolution", "string", enum=("480p", "580p", "720p"), default="480p"),
        InputField("negative_prompt", "string", max_length=500),
        InputField("seed", "integer"),
        InputField("num_inference_steps", "integer", minimum=2, maximum=40, default=27),
        InputField("guidance_scale", "number", minimum=1, maximum=10, multiple_of=0.1, default=3.5),
        InputField("shift", "number", minimum=1, maximum=10, multiple_of=0.1, default=5),
        _NSFW,
        InputField("enable_safety_checker", "boolean"),
    ),
    tuple(
        Price(credits, when={"resolution": resolution}, per_second=True)
        for resolution, credits in {"480p": 12, "580p": 18, "720p": 24}.items()
    ),
    seconds=BilledSeconds(frames="num_frames", fps="frames_per_second"),
)

EMULATIONS: tuple[EndpointSchema, ...] = (
    _wan_25("wan/2-5-text-to-video", image=False),
    _wan_25("wan/2-5-image-to-video", image=True),
    _SPEECH,
)
"""Every Wan Market model id the plugin calls, as KIE documents it."""
