"""Exact request bodies for Luma Modify, and the requests it refuses locally."""

from __future__ import annotations

from typing import Any

import pytest
from luma_helpers import call, resolve

from kie_core.errors import InvalidRequestError

PROMPT = "A futuristic cityscape at night with towering glass spires reaching into a starry sky"
VIDEO = "https://example.com/input-video.mp4"


def test_documented_example() -> None:
    result = call(
        model="luma-modify",
        prompt=PROMPT,
        video=VIDEO,
        callback_url="https://your-callback-url.com/luma-callback",
        options={"watermark": "your-watermark-id"},
    )
    assert result.method == "POST"
    assert result.path == "/api/v1/modify/generate"
    assert result.params is None
    assert result.body == {
        "prompt": PROMPT,
        "videoUrl": VIDEO,
        "callBackUrl": "https://your-callback-url.com/luma-callback",
        "watermark": "your-watermark-id",
    }
    assert "waterMark" not in result.body


def test_minimal_body() -> None:
    assert call(model="luma-modify", prompt=PROMPT, video=VIDEO).body == {
        "prompt": PROMPT,
        "videoUrl": VIDEO,
    }


def test_price() -> None:
    assert resolve(model="luma-modify", prompt=PROMPT, video=VIDEO).estimate_credits() == 60


def refused(**fields: Any) -> InvalidRequestError:
    with pytest.raises(InvalidRequestError) as caught:
        call(**fields)
    return caught.value


def test_video_is_required() -> None:
    assert refused(model="luma-modify", prompt=PROMPT).field == "video"


def test_prompt_is_required() -> None:
    assert refused(model="luma-modify", video=VIDEO).field == "prompt"


@pytest.mark.parametrize(
    ("field", "value"), [("duration", 5), ("aspect_ratio", "16:9"), ("resolution", "720p")]
)
def test_no_shape_settings(field: str, value: Any) -> None:
    error = refused(model="luma-modify", prompt=PROMPT, video=VIDEO, **{field: value})
    assert error.field == field
    assert error.value == value
    assert error.accepted == ()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("first_frame", "https://example.com/a.png"),
        ("reference_images", ("https://example.com/a.png",)),
        ("audio", "https://example.com/a.mp3"),
        ("extend_task_id", "t"),
        ("seed", 1),
        ("negative_prompt", "blur"),
    ],
)
def test_unsupported_inputs(field: str, value: Any) -> None:
    error = refused(model="luma-modify", prompt=PROMPT, video=VIDEO, **{field: value})
    assert error.field == field


@pytest.mark.parametrize("option", ["waterMark", "callBackUrl", "duration"])
def test_unknown_options(option: str) -> None:
    error = refused(model="luma-modify", prompt=PROMPT, video=VIDEO, options={option: "x"})
    assert error.field == f"options.{option}"
    assert error.accepted == ("watermark",)
