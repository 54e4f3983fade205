"""Input schemas of the Market models (``POST /api/v1/jobs/createTask``), from market.md."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kie_emulator.fields import Field

CrossCheck = Callable[[Mapping[str, Any]], str | None]
"""A rule spanning several fields: returns an error message, or ``None`` when satisfied."""


@dataclass(frozen=True)
class MarketModel:
    """One Market model id and what its ``input`` accepts.

    Attributes:
        model_id: the exact id sent as ``model``.
        family: ``sora``, ``kling``, ``hailuo``, ``wan`` or ``bytedance``.
        fields: the accepted ``input`` fields.
        checks: rules spanning several fields (evaluated on the input with defaults applied).
        ignored: extra ``input`` keys tolerated without validation (older spellings).
    """

    model_id: str
    family: str
    fields: tuple[Field, ...]
    checks: tuple[CrossCheck, ...] = ()
    ignored: tuple[str, ...] = ()

    @property
    def reports_progress(self) -> bool:
        """Whether ``recordInfo`` carries ``progress`` (Sora 2 only)."""
        return self.family == "sora"

    @property
    def accepts_progress_callback(self) -> bool:
        """Whether ``progressCallBackUrl`` is accepted at the top level (Sora 2 only)."""
        return self.family == "sora"


def _prompt(max_length: int, *, allow_empty: bool = False) -> Field:
    return Field("prompt", "string", required=True, max_length=max_length, allow_empty=allow_empty)


def _image(name: str = "image_url", *, required: bool = True) -> Field:
    return Field(name, "url", required=required)


def _duration(*values: str, default: str | None, required: bool = False) -> Field:
    return Field("duration", "string", required=required, enum=values, default=default)


_CFG = Field("cfg_scale", "number", minimum=0, maximum=1, multiple_of=0.1, default=0.5)
_NSFW = Field("nsfw_checker", "boolean")
_OPTIMIZER = Field("prompt_optimizer", "boolean")


def _not_10s_at_1080p(data: Mapping[str, Any]) -> str | None:
    if data.get("duration") == "10" and data.get("resolution") == "1080P":
        return "input.duration: 10-second videos are not supported at 1080P resolution"
    return None


def _sora(model_id: str, *, image: bool, pro: bool) -> MarketModel:
    fields = [
        _prompt(10000),
        Field("aspect_ratio", "string", enum=("portrait", "landscape"), default="landscape"),
        Field("n_frames", "string", enum=("10", "15"), default="10"),
        Field("remove_watermark", "boolean"),
        Field("character_id_list", "string_list", max_items=5),
        Field("upload_method", "string", required=pro, enum=("s3", "oss"), default="s3"),
    ]
    if image:
        fields.append(Field("image_urls", "url_list", required=True, min_items=1, max_items=1))
    if pro:
        size_default = "standard" if image else "high"
        fields.append(Field("size", "string", enum=("standard", "high"), default=size_default))
    return MarketModel(model_id, "sora", tuple(fields))


def _kling_21(model_id: str, *, tail: bool) -> MarketModel:
    fields = [
        _prompt(5000),
        _image(),
        _duration("5", "10", default="5"),
        Field("negative_prompt", "string", max_length=500),
        _CFG,
    ]
    if tail:
        fields.append(_image("tail_image_url", required=False))
    return MarketModel(model_id, "kling", tuple(fields))


_ASPECT_3 = ("16:9", "9:16", "1:1")

_KLING_MASTER_T2V = MarketModel(
    "kling/v2-1-master-text-to-video",
    "kling",
    (
        _prompt(5000),
        Field("aspect_ratio", "string", enum=_ASPECT_3, default="16:9"),
        _duration("5", "10", default="5"),
        Field("negative_prompt", "string", max_length=500),
        _CFG,
    ),
)

_KLING_25_T2V = MarketModel(
    "kling/v2-5-turbo-text-to-video-pro",
    "kling",
    (
        _prompt(2500),
        _duration("5", "10", default="5"),
        Field("aspect_ratio", "string", enum=_ASPECT_3, default="16:9"),
        Field("negative_prompt", "string", max_length=2500),
        _CFG,
    ),
)

_KLING_25_I2V = MarketModel(
    "kling/v2-5-turbo-image-to-video-pro",
    "kling",
    (
        _prompt(2500),
        _image(),
        _image("tail_image_url", required=False),
        _duration("5", "10", default="5"),
        Field("negative_prompt", "string", max_length=500),
        _CFG,
    ),
)


def _avatar(model_id: str) -> MarketModel:
    return MarketModel(
        model_id,
        "kling",
        (_image(), Field("audio_url", "url", required=True), _prompt(5000, allow_empty=True)),
    )


_HAILUO_02_T2V_PRO = MarketModel(
    "hailuo/02-text-to-video-pro", "hailuo", (_prompt(1500), _OPTIMIZER, _NSFW)
)
_HAILUO_02_T2V_STD = MarketModel(
    "hailuo/02-text-to-video-standard",
    "hailuo",
    (_prompt(1500), _duration("6", "10", default="6"), _OPTIMIZER, _NSFW),
)
_HAILUO_02_I2V_PRO = MarketModel(
    "hailuo/02-image-to-video-pro",
    "hailuo",
    (_prompt(1500), _image(), _image("end_image_url", required=False), _OPTIMIZER, _NSFW),
)
_HAILUO_02_I2V_STD = MarketModel(
    "hailuo/02-image-to-video-standard",
    "hailuo",
    (
        _prompt(1500),
        _image(),
        _image("end_image_url", required=False),
        _duration("6", "10", default="10"),
        Field("resolution", "string", enum=("512P", "768P"), default="768P"),
        _OPTIMIZER,
        _NSFW,
    ),
)


def _hailuo_23(model_id: str, *, pro: bool) -> MarketModel:
    fields = [
        _prompt(5000),
        _image(),
        _duration("6", "10", default="6"),
        Field("resolution", "string", enum=("768P", "1080P"), default="768P"),
    ]
    if pro:
        fields.append(_NSFW)
    return MarketModel(model_id, "hailuo", tuple(fields), checks=(_not_10s_at_1080p,))


def _wan_25(model_id: str, *, image: bool) -> MarketModel:
    fields = [
        _prompt(800),
        _duration("5", "10", default=None, required=True),
        Field("resolution", "string", enum=("720p", "1080p"), default="1080p"),
        Field("negative_prompt", "string", max_length=500),
        Field("enable_prompt_expansion", "boolean"),
        Field("seed", "integer"),
        _NSFW,
    ]
    if image:
        fields.insert(1, _image())
    else:
        fields.insert(2, Field("aspect_ratio", "string", enum=_ASPECT_3, default="16:9"))
    return MarketModel(model_id, "wan", tuple(fields))


_WAN_S2V = MarketModel(
    "wan/2-2-a14b-speech-to-video-turbo",
    "wan",
    (
        _prompt(5000),
        _image(),
        Field("audio_url", "url", required=True),
        Field("num_frames", "integer", minimum=40, maximum=120, multiple_of=4, default=80),
        Field("frames_per_second", "number", minimum=4, maximum=60, default=16),
        Field("resolution", "string", enum=("480p", "580p", "720p"), default="480p"),
        Field("negative_prompt", "string", max_length=500),
        Field("seed", "integer"),
        Field("num_inference_steps", "integer", minimum=2, maximum=40, default=27),
        Field("guidance_scale", "number", minimum=1, maximum=10, multiple_of=0.1, default=3.5),
        Field("shift", "number", minimum=1, maximum=10, multiple_of=0.1, default=5),
        _NSFW,
        Field("enable_safety_checker", "boolean"),
    ),
)

_SEED_V1_PRO = Field("seed", "integer", minimum=-1, maximum=2147483647, default=-1)
_RES_3 = Field("resolution", "string", enum=("480p", "720p", "1080p"), default="720p")
_DUR_5_10 = _duration("5", "10", default="5")


def _bytedance_t2v(model_id: str, aspects: tuple[str, ...], seed: Field) -> MarketModel:
    return MarketModel(
        model_id,
        "bytedance",
        (
            _prompt(10000),
            Field("aspect_ratio", "string", enum=aspects, default="16:9"),
            _RES_3,
            _DUR_5_10,
            Field("camera_fixed", "boolean"),
            seed,
            Field("enable_safety_checker", "boolean"),
            _NSFW,
        ),
    )


def _bytedance_i2v(model_id: str, *, end_frame: bool, seed: Field) -> MarketModel:
    fields = [
        _prompt(10000),
        _image(),
        _RES_3,
        _DUR_5_10,
        Field("camera_fixed", "boolean"),
        seed,
        Field("enable_safety_checker", "boolean"),
        _NSFW,
    ]
    if end_frame:
        fields.insert(2, _image("end_image_url", required=False))
    return MarketModel(model_id, "bytedance", tuple(fields))


_BYTEDANCE_PRO_FAST = MarketModel(
    "bytedance/v1-pro-fast-image-to-video",
    "bytedance",
    (
        _prompt(10000),
        _image(),
        Field("resolution", "string", enum=("720p", "1080p"), default="720p"),
        _DUR_5_10,
        _NSFW,
    ),
)

_PRO_ASPECTS = ("21:9", "16:9", "4:3", "1:1", "3:4", "9:16")
_LITE_ASPECTS = ("16:9", "4:3", "1:1", "3:4", "9:16", "9:21")
_SEED_LITE = Field("seed", "integer")

MARKET_MODELS: dict[str, MarketModel] = {
    m.model_id: m
    for m in (
        _sora("sora-2-text-to-video", image=False, pro=False),
        _sora("sora-2-image-to-video", image=True, pro=False),
        _sora("sora-2-pro-text-to-video", image=False, pro=True),
        _sora("sora-2-pro-image-to-video", image=True, pro=True),
        _kling_21("kling/v2-1-pro", tail=True),
        _kling_21("kling/v2-1-standard", tail=False),
        _kling_21("kling/v2-1-master-image-to-video", tail=False),
        _KLING_MASTER_T2V,
        _KLING_25_T2V,
        _KLING_25_I2V,
        _avatar("kling/ai-avatar-standard"),
        _avatar("kling/ai-avatar-pro"),
        _HAILUO_02_T2V_PRO,
        _HAILUO_02_T2V_STD,
        _HAILUO_02_I2V_PRO,
        _HAILUO_02_I2V_STD,
        _hailuo_23("hailuo/2-3-image-to-video-pro", pro=True),
        _hailuo_23("hailuo/2-3-image-to-video-standard", pro=False),
        _wan_25("wan/2-5-text-to-video", image=False),
        _wan_25("wan/2-5-image-to-video", image=True),
        _WAN_S2V,
        _bytedance_t2v("bytedance/v1-pro-text-to-video", _PRO_ASPECTS, _SEED_V1_PRO),
        _bytedance_i2v("bytedance/v1-pro-image-to-video", end_frame=False, seed=_SEED_V1_PRO),
        _bytedance_t2v("bytedance/v1-lite-text-to-video", _LITE_ASPECTS, _SEED_LITE),
        _bytedance_i2v("bytedance/v1-lite-image-to-video", end_frame=True, seed=_SEED_LITE),
        _BYTEDANCE_PRO_FAST,
    )
}
"""Every Market model the emulator knows, by id."""
