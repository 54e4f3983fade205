"""Exact request bodies for every Veo model, mode and advertised value."""

from __future__ import annotations

import itertools

import pytest
from kie_veo import get_4k_call, get_1080p_call
from kie_veo.models import ASPECT_RATIOS, REFERENCE_ASPECT_RATIOS, RESOLUTIONS
from veo_helpers import call, resolve

PROMPT = "A dog playing in a park"
IMG1 = "http://example.com/image1.jpg"
IMG2 = "http://example.com/image2.jpg"
IMG3 = "http://example.com/image3.jpg"

#: (name typed by the user, KIE model id, extend tier)
TIERS = [
    ("veo-3.1", "veo3", "quality"),
    ("veo-3.1-quality", "veo3", "quality"),
    ("veo-3.1-fast", "veo3_fast", "fast"),
    ("veo-3.1-lite", "veo3_lite", "lite"),
]


@pytest.mark.parametrize(
    ("tier", "aspect", "resolution"), list(itertools.product(TIERS, ASPECT_RATIOS, RESOLUTIONS))
)
def test_text_to_video_body(tier: tuple[str, str, str], aspect: str, resolution: str) -> None:
    name, kie_model, _ = tier
    result = call(model=name, prompt=PROMPT, aspect_ratio=aspect, resolution=resolution)
    assert result.method == "POST"
    assert result.path == "/api/v1/veo/generate"
    assert result.params is None
    assert result.body == {
        "prompt": PROMPT,
        "model": kie_model,
        "generationType": "TEXT_2_VIDEO",
        "aspect_ratio": aspect,
        "aspectRatio": aspect,
        "resolution": resolution,
    }


@pytest.mark.parametrize(
    ("tier", "aspect", "frames"),
    list(itertools.product(TIERS, ASPECT_RATIOS, [(IMG1,), (IMG1, IMG2)])),
)
def test_first_and_last_frames_body(
    tier: tuple[str, str, str], aspect: str, frames: tuple[str, ...]
) -> None:
    name, kie_model, _ = tier
    last = frames[1] if len(frames) == 2 else None
    result = call(
        model=name, prompt=PROMPT, first_frame=frames[0], last_frame=last, aspect_ratio=aspect
    )
    assert result.path == "/api/v1/veo/generate"
    assert result.body == {
        "prompt": PROMPT,
        "model": kie_model,
        "generationType": "FIRST_AND_LAST_FRAMES_2_VIDEO",
        "aspect_ratio": aspect,
        "aspectRatio": aspect,
        "resolution": "720p",
        "imageUrls": list(frames),
    }


@pytest.mark.parametrize(
    ("aspect", "resolution", "images"),
    list(
        itertools.product(
            REFERENCE_ASPECT_RATIOS, RESOLUTIONS, [(IMG1,), (IMG1, IMG2), (IMG1, IMG2, IMG3)]
        )
    ),
)
def test_reference_images_body_fast_only(
    aspect: str, resolution: str, images: tuple[str, ...]
) -> None:
    result = call(
        model="veo-3.1-fast",
        prompt=PROMPT,
        reference_images=images,
        aspect_ratio=aspect,
        resolution=resolution,
    )
    assert result.path == "/api/v1/veo/generate"
    assert result.body == {
        "prompt": PROMPT,
        "model": "veo3_fast",
        "generationType": "REFERENCE_2_VIDEO",
        "aspect_ratio": aspect,
        "aspectRatio": aspect,
        "resolution": resolution,
        "imageUrls": list(images),
    }


def test_documented_generate_example() -> None:
    """The docs' full example request, field for field (plus the legacy aspectRatio spelling)."""
    result = call(
        model="veo-3.1-fast",
        prompt=PROMPT,
        reference_images=(IMG1, IMG2),
        aspect_ratio="16:9",
        seed=12345,
        callback_url="http://your-callback-url.com/complete",
        resolution="720p",
        options={"watermark": "MyBrand", "enable_translation": True},
    )
    assert result.body == {
        "prompt": PROMPT,
        "imageUrls": [IMG1, IMG2],
        "model": "veo3_fast",
        "generationType": "REFERENCE_2_VIDEO",
        "aspect_ratio": "16:9",
        "aspectRatio": "16:9",
        "seeds": 12345,
        "watermark": "MyBrand",
        "callBackUrl": "http://your-callback-url.com/complete",
        "enableTranslation": True,
        "resolution": "720p",
    }
    assert "enableFallback" not in result.body


def test_defaults_fill_aspect_ratio_and_resolution_and_send_no_duration() -> None:
    result = call(model="veo-3.1", prompt=PROMPT, duration=8)
    assert result.body is not None
    assert result.body["aspect_ratio"] == "16:9"
    assert result.body["resolution"] == "720p"
    assert "duration" not in result.body


@pytest.mark.parametrize(("typed", "sent"), [("auto", "Auto"), ("4K", "4k"), ("1080P", "1080p")])
def test_choices_are_matched_case_insensitively(typed: str, sent: str) -> None:
    field = "aspect_ratio" if typed == "auto" else "resolution"
    result = call(model="veo-3.1-fast", prompt=PROMPT, **{field: typed})
    assert result.body is not None
    assert result.body[field] == sent


@pytest.mark.parametrize("enable", [True, False])
def test_enable_translation_is_sent_as_camel_case(enable: bool) -> None:
    result = call(model="veo-3.1-lite", prompt=PROMPT, options={"enable_translation": enable})
    assert result.body is not None
    assert result.body["enableTranslation"] is enable


@pytest.mark.parametrize("tier", TIERS)
def test_extend_body(tier: tuple[str, str, str]) -> None:
    name, _, extend_model = tier
    result = call(
        model=name,
        prompt="The dog continues running through the park",
        extend_task_id="veo_task_abcdef123456",
        seed=12345,
        callback_url="https://your-callback-url.com/veo-extend-callback",
        options={"watermark": "MyBrand"},
    )
    assert result.method == "POST"
    assert result.path == "/api/v1/veo/extend"
    assert result.body == {
        "taskId": "veo_task_abcdef123456",
        "prompt": "The dog continues running through the park",
        "seeds": 12345,
        "model": extend_model,
        "watermark": "MyBrand",
        "callBackUrl": "https://your-callback-url.com/veo-extend-callback",
    }


def test_extend_minimal_body_names_the_tier() -> None:
    result = call(model="veo-3.1-fast", prompt="more", extend_task_id="t1")
    assert result.body == {"taskId": "t1", "prompt": "more", "model": "fast"}


@pytest.mark.parametrize(
    ("name", "resolution", "credits"),
    [
        ("veo-3.1", "720p", 250),
        ("veo-3.1", "1080p", 255),
        ("veo-3.1", "4k", 370),
        ("veo-3.1-fast", "720p", 80),
        ("veo-3.1-fast", "1080p", 85),
        ("veo-3.1-fast", "4k", 200),
        ("veo-3.1-lite", "720p", 30),
        ("veo-3.1-lite", "1080p", 35),
        ("veo-3.1-lite", "4k", 150),
    ],
)
def test_generation_estimates(name: str, resolution: str, credits: float) -> None:
    assert resolve(model=name, prompt=PROMPT, resolution=resolution).estimate_credits() == credits


@pytest.mark.parametrize(("tier", "credits"), list(zip(TIERS, [250, 250, 80, 30], strict=True)))
def test_extend_costs_the_tier_generation_price(tier: tuple[str, str, str], credits: float) -> None:
    resolved = resolve(model=tier[0], prompt="more", extend_task_id="t1")
    assert resolved.estimate_credits() == credits


def test_1080p_call_is_a_get_with_query_params() -> None:
    result = get_1080p_call("veo_task_abcdef123456", index=1)
    assert result.method == "GET"
    assert result.path == "/api/v1/veo/get-1080p-video"
    assert result.params == {"taskId": "veo_task_abcdef123456", "index": "1"}
    assert result.body is None


def test_4k_call_is_a_post_with_a_json_body() -> None:
    result = get_4k_call("veo_task_abcdef123456", callback_url="https://example.com/4k")
    assert result.method == "POST"
    assert result.path == "/api/v1/veo/get-4k-video"
    assert result.body == {
        "taskId": "veo_task_abcdef123456",
        "index": 0,
        "callBackUrl": "https://example.com/4k",
    }
    assert result.params is None
    assert get_4k_call("t", 2).body == {"taskId": "t", "index": 2}
