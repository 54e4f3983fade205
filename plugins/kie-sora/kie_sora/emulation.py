"""The emulator declarations of the Sora 2 Market models (market.md sections 2, 9 and 10)."""

from __future__ import annotations

from kie_core.plugin import EndpointSchema, InputField, Price

_STANDARD = (Price(20, when={"n_frames": "10"}), Price(25, when={"n_frames": "15"}))
_PRO = tuple(
    Price(credits, when={"size": size, "n_frames": frames})
    for (size, frames), credits in {
        ("standard", "10"): 150,
        ("standard", "15"): 270,
        ("high", "10"): 330,
        ("high", "15"): 630,
    }.items()
)


def _sora(model: str, *, image: bool, pro: bool) -> EndpointSchema:
    fields = [
        InputField("prompt", "string", required=True, max_length=10000),
        InputField("aspect_ratio", "string", enum=("portrait", "landscape"), default="landscape"),
        InputField("n_frames", "string", enum=("10", "15"), default="10"),
        InputField("remove_watermark", "boolean"),
        InputField("character_id_list", "string_list", max_items=5),
        InputField("upload_method", "string", required=pro, enum=("s3", "oss"), default="s3"),
    ]
    if image:
        fields.append(InputField("image_urls", "url_list", required=True, min_items=1, max_items=1))
    if pro:
        size_default = "standard" if image else "high"
        fields.append(InputField("size", "string", enum=("standard", "high"), default=size_default))
    return EndpointSchema(
        model,
        tuple(fields),
        _PRO if pro else _STANDARD,
        watermarked=True,
        progress=True,
    )


EMULATIONS: tuple[EndpointSchema, ...] = (
    _sora("sora-2-text-to-video", image=False, pro=False),
    _sora("sora-2-image-to-video", image=True, pro=False),
    _sora("sora-2-pro-text-to-video", image=False, pro=True),
    _sora("sora-2-pro-image-to-video", image=True, pro=True),
)
"""Every Sora 2 Market model id the plugin calls, as KIE last published it."""
