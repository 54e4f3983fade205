"""Credit prices. Prices are configuration, not contract: every figure lives here.

Market prices follow market.md §9 (kie.ai/pricing crawls). The dedicated families have no
authoritative prices; the figures below are the project's chosen defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# --- Market (market.md §9), keyed by model id and then by variant ---------------------------

_BY_DURATION: dict[str, dict[str, float]] = {
    "kling/v2-1-standard": {"5": 25, "10": 50},
    "kling/v2-1-pro": {"5": 50, "10": 100},
    "kling/v2-1-master-image-to-video": {"5": 160, "10": 320},
    "kling/v2-1-master-text-to-video": {"5": 160, "10": 320},
    "kling/v2-5-turbo-text-to-video-pro": {"5": 42, "10": 84},
    "kling/v2-5-turbo-image-to-video-pro": {"5": 42, "10": 84},
    "hailuo/02-text-to-video-standard": {"6": 30, "10": 50},
}

_FLAT: dict[str, float] = {
    "hailuo/02-text-to-video-pro": 57,
    "hailuo/02-image-to-video-pro": 57,
}

_PER_SECOND_AVATAR: dict[str, float] = {
    "kling/ai-avatar-standard": 8,
    "kling/ai-avatar-pro": 16,
}

AVATAR_BILLED_SECONDS = 15
"""The avatar length is set by the audio, which the emulator cannot measure: bill the 15 s cap."""

# (duration, resolution) -> credits
_WAN_25: dict[tuple[str, str], float] = {
    ("5", "720p"): 60,
    ("10", "720p"): 120,
    ("5", "1080p"): 100,
    ("10", "1080p"): 200,
}
"""Wan 2.5, text and image to video alike."""

_BYTEDANCE_V1: dict[tuple[str, str], float] = {
    ("5", "480p"): 14,
    ("5", "720p"): 30,
    ("5", "1080p"): 70,
    ("10", "480p"): 28,
    ("10", "720p"): 60,
    ("10", "1080p"): 140,
}
"""Seedance V1 pro (text and image to video) and lite text to video."""

_BY_DURATION_RESOLUTION: dict[str, dict[tuple[str, str], float]] = {
    # 6 s at 768P is not in the crawl; the 6 s 768P figure of the text-to-video tier is used.
    "hailuo/02-image-to-video-standard": {
        ("6", "512P"): 12,
        ("10", "512P"): 20,
        ("6", "768P"): 30,
        ("10", "768P"): 50,
    },
    "hailuo/2-3-image-to-video-standard": {
        ("6", "768P"): 30,
        ("10", "768P"): 50,
        ("6", "1080P"): 50,
    },
    "hailuo/2-3-image-to-video-pro": {
        ("6", "768P"): 45,
        ("10", "768P"): 90,
        ("6", "1080P"): 80,
    },
    "wan/2-5-text-to-video": _WAN_25,
    "wan/2-5-image-to-video": _WAN_25,
    "bytedance/v1-pro-text-to-video": _BYTEDANCE_V1,
    "bytedance/v1-pro-image-to-video": _BYTEDANCE_V1,
    # Only the 5 s rows were crawled; 10 s is taken as twice the 5 s price.
    "bytedance/v1-lite-text-to-video": _BYTEDANCE_V1,
    "bytedance/v1-lite-image-to-video": {
        ("5", "480p"): 10,
        ("5", "720p"): 22.5,
        ("5", "1080p"): 50,
        ("10", "480p"): 20,
        ("10", "720p"): 45,
        ("10", "1080p"): 100,
    },
    "bytedance/v1-pro-fast-image-to-video": {
        ("5", "720p"): 16,
        ("10", "720p"): 36,
        ("5", "1080p"): 36,
        ("10", "1080p"): 72,
    },
}

_WAN_S2V_PER_SECOND: dict[str, float] = {"480p": 12, "580p": 18, "720p": 24}

_SORA: dict[str, float] = {"10": 20, "15": 25}
_SORA_PRO: dict[tuple[str, str], float] = {
    ("standard", "10"): 150,
    ("standard", "15"): 270,
    ("high", "10"): 330,
    ("high", "15"): 630,
}


def market_price(model_id: str, data: Mapping[str, Any]) -> float:
    """Return the credits a Market task costs, given its ``input`` with defaults applied.

    Raises:
        KeyError: the model or the variant has no price (the schemas prevent this).
    """
    if model_id in _FLAT:
        return _FLAT[model_id]
    if model_id in _BY_DURATION:
        return _BY_DURATION[model_id][str(data["duration"])]
    if model_id in _PER_SECOND_AVATAR:
        return _PER_SECOND_AVATAR[model_id] * AVATAR_BILLED_SECONDS
    if model_id in _BY_DURATION_RESOLUTION:
        return _BY_DURATION_RESOLUTION[model_id][(str(data["duration"]), str(data["resolution"]))]
    if model_id == "wan/2-2-a14b-speech-to-video-turbo":
        seconds = float(data["num_frames"]) / float(data["frames_per_second"])
        return round(seconds * _WAN_S2V_PER_SECOND[str(data["resolution"])], 2)
    if model_id.startswith("sora-2-pro-"):
        return _SORA_PRO[(str(data["size"]), str(data["n_frames"]))]
    if model_id.startswith("sora-2-"):
        return _SORA[str(data["n_frames"])]
    raise KeyError(model_id)


# --- dedicated families (project defaults) --------------------------------------------------

VEO_GENERATION: dict[str, float] = {"veo3": 250, "veo3_fast": 80, "veo3_lite": 30}
"""Credits of one Veo 3.1 generation, by ``model``."""

VEO_1080P = 5.0
"""Credits of a 1080P upgrade (also added to a generation asked at ``resolution: 1080p``)."""

VEO_4K = 120.0
"""Credits of a 4K upgrade (also added to a generation asked at ``resolution: 4k``)."""

VEO_EXTEND_MODEL: dict[str, str] = {"fast": "veo3_fast", "quality": "veo3", "lite": "veo3_lite"}
"""The generation model whose price an extension of each ``model`` costs."""

RUNWAY: dict[tuple[str, int], float] = {("720p", 5): 12, ("720p", 10): 30, ("1080p", 5): 30}
"""Credits of a Runway generation, by (quality, duration)."""

RUNWAY_EXTEND: dict[str, float] = {"720p": 12, "1080p": 30}
"""Credits of a Runway extension, by quality."""

ALEPH = 30.0
"""Credits of a Runway Aleph video-to-video task."""

LUMA_MODIFY = 60.0
"""Credits of a Luma Modify task."""


def veo_generation_price(model: str, resolution: str) -> float:
    """Return the credits of a Veo generation at the requested resolution."""
    surcharge = {"720p": 0.0, "1080p": VEO_1080P, "4k": VEO_4K}[resolution]
    return VEO_GENERATION[model] + surcharge


def veo_extend_price(model: str) -> float:
    """Return the credits of a Veo extension with extend-``model`` ``fast|quality|lite``."""
    return VEO_GENERATION[VEO_EXTEND_MODEL[model]]
