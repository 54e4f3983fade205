"""Exact request bodies for Runway Gen-3 and Aleph, every mode and advertised value."""

from __future__ import annotations

import itertools

import pytest
from kie_runway.models import ALEPH_ASPECT_RATIOS, RUNWAY_ASPECT_RATIOS
from runway_helpers import call, resolve

CAT = "A fluffy orange cat dancing energetically in a colorful room with disco lights"
EAGLE = "A majestic eagle soaring through mountain clouds at sunset with cinematic camera movement"
IMAGE = "https://example.com/cat-image.jpg"
VIDEO = "https://example.com/input-video.mp4"

#: (duration, quality) pairs Runway offers: 10 s only at 720p.
OFFERED = [(5, "720p"), (10, "720p"), (5, "1080p")]


@pytest.mark.parametrize(
    ("aspect", "offered"), list(itertools.product(RUNWAY_ASPECT_RATIOS, OFFERED))
)
def test_runway_text_to_video_body(aspect: str, offered: tuple[int, str]) -> None:
    duration, quality = offered
    result = call(
        model="runway-gen3", prompt=CAT, duration=duration, resolution=quality, aspect_ratio=aspect
    )
    assert result.method == "POST"
    assert result.path == "/api/v1/runway/generate"
    assert result.body == {
        "prompt": CAT,
        "duration": duration,
        "quality": quality,
        "aspectRatio": aspect,
    }
    assert isinstance(result.body["duration"], int)


@pytest.mark.parametrize("offered", OFFERED)
def test_runway_image_to_video_body_has_no_aspect_ratio(offered: tuple[int, str]) -> None:
    duration, quality = offered
    result = call(
        model="runway-gen3", prompt=CAT, first_frame=IMAGE, duration=duration, resolution=quality
    )
    assert result.path == "/api/v1/runway/generate"
    assert result.body == {
        "prompt": CAT,
        "duration": duration,
        "quality": quality,
        "imageUrl": IMAGE,
    }


def test_runway_documented_example_without_the_ignored_aspect_ratio() -> None:
    """The docs' example, minus `aspectRatio` which the docs say is ignored with an image."""
    result = call(
        model="runway-gen3",
        prompt=CAT,
        first_frame=IMAGE,
        duration=5,
        resolution="720p",
        callback_url="https://api.example.com/callback",
        options={"watermark": "kie.ai"},
    )
    assert result.body == {
        "prompt": CAT,
        "imageUrl": IMAGE,
        "duration": 5,
        "quality": "720p",
        "waterMark": "kie.ai",
        "callBackUrl": "https://api.example.com/callback",
    }


def test_runway_defaults() -> None:
    result = call(model="runway-gen3", prompt=CAT)
    assert result.body == {"prompt": CAT, "duration": 5, "quality": "720p", "aspectRatio": "16:9"}


def test_runway_empty_watermark_is_sent() -> None:
    result = call(model="runway-gen3", prompt=CAT, options={"watermark": ""})
    assert result.body is not None
    assert result.body["waterMark"] == ""
    assert "watermark" not in result.body


@pytest.mark.parametrize("quality", ["720p", "1080p"])
def test_runway_extend_body(quality: str) -> None:
    result = call(
        model="runway-gen3",
        prompt="The cat continues dancing with more energy",
        extend_task_id="ee603959-debb-48d1-98c4-a6d1c717eba6",
        resolution=quality,
        callback_url="https://api.example.com/callback",
        options={"watermark": "kie.ai"},
    )
    assert result.method == "POST"
    assert result.path == "/api/v1/runway/extend"
    assert result.body == {
        "taskId": "ee603959-debb-48d1-98c4-a6d1c717eba6",
        "prompt": "The cat continues dancing with more energy",
        "quality": quality,
        "waterMark": "kie.ai",
        "callBackUrl": "https://api.example.com/callback",
    }


def test_runway_extend_defaults_to_720p() -> None:
    result = call(model="runway-gen3", prompt="more", extend_task_id="t1")
    assert result.body == {"taskId": "t1", "prompt": "more", "quality": "720p"}


@pytest.mark.parametrize(
    ("fields", "credits"),
    [
        ({"duration": 5, "resolution": "720p"}, 12),
        ({"duration": 10, "resolution": "720p"}, 30),
        ({"duration": 5, "resolution": "1080p"}, 30),
        ({"extend_task_id": "t", "resolution": "720p"}, 12),
        ({"extend_task_id": "t", "resolution": "1080p"}, 30),
    ],
)
def test_runway_estimates(fields: dict[str, object], credits: float) -> None:
    assert resolve(model="runway-gen3", prompt=CAT, **fields).estimate_credits() == credits


# --- Aleph ----------------------------------------------------------------------------------


def test_aleph_minimal_body() -> None:
    result = call(model="runway-aleph", prompt=EAGLE, video=VIDEO)
    assert result.method == "POST"
    assert result.path == "/api/v1/aleph/generate"
    assert result.body == {"prompt": EAGLE, "videoUrl": VIDEO}


@pytest.mark.parametrize("aspect", [a for a in ALEPH_ASPECT_RATIOS if a != "Auto"])
def test_aleph_aspect_ratios_are_sent_as_given(aspect: str) -> None:
    result = call(model="runway-aleph", prompt=EAGLE, video=VIDEO, aspect_ratio=aspect)
    assert result.body == {"prompt": EAGLE, "videoUrl": VIDEO, "aspectRatio": aspect}


def test_aleph_auto_keeps_the_source_ratio_and_sends_nothing() -> None:
    result = call(model="runway-aleph", prompt=EAGLE, video=VIDEO, aspect_ratio="auto")
    assert result.body == {"prompt": EAGLE, "videoUrl": VIDEO}


def test_aleph_documented_example() -> None:
    result = call(
        model="runway-aleph",
        prompt=EAGLE,
        video=VIDEO,
        callback_url="https://api.example.com/callback",
        aspect_ratio="16:9",
        seed=123456,
        reference_images=("https://example.com/reference.jpg",),
        options={"watermark": "kie.ai", "upload_cn": False},
    )
    assert result.body == {
        "prompt": EAGLE,
        "videoUrl": VIDEO,
        "callBackUrl": "https://api.example.com/callback",
        "waterMark": "kie.ai",
        "uploadCn": False,
        "aspectRatio": "16:9",
        "seed": 123456,
        "referenceImage": "https://example.com/reference.jpg",
    }


@pytest.mark.parametrize("seed", [0, 4_294_967_295])
def test_aleph_seed_bounds(seed: int) -> None:
    result = call(model="runway-aleph", prompt=EAGLE, video=VIDEO, seed=seed)
    assert result.body is not None
    assert result.body["seed"] == seed


def test_aleph_price() -> None:
    assert resolve(model="runway-aleph", prompt=EAGLE, video=VIDEO).estimate_credits() == 30
