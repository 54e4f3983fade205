"""Requests Runway or Aleph cannot serve are refused locally, naming field, value, accepted."""

from __future__ import annotations

from typing import Any

import pytest
from runway_helpers import call

from kie_core.errors import InvalidRequestError

CAT = "A fluffy orange cat dancing"
IMAGE = "https://example.com/cat-image.jpg"
VIDEO = "https://example.com/input-video.mp4"


def refused(**fields: Any) -> InvalidRequestError:
    with pytest.raises(InvalidRequestError) as caught:
        call(**fields)
    return caught.value


@pytest.mark.parametrize("image", [None, IMAGE])
def test_runway_10s_at_1080p(image: str | None) -> None:
    error = refused(
        model="runway-gen3", prompt=CAT, first_frame=image, duration=10, resolution="1080p"
    )
    assert error.field == "duration"
    assert error.value == 10
    assert "1080p" in error.message


def test_runway_aspect_ratio_with_an_image() -> None:
    error = refused(model="runway-gen3", prompt=CAT, first_frame=IMAGE, aspect_ratio="16:9")
    assert error.field == "aspect_ratio"
    assert error.value == "16:9"
    assert error.accepted == ()


@pytest.mark.parametrize("aspect", ["21:9", "2:1", "Auto"])
def test_runway_unsupported_aspect_ratio(aspect: str) -> None:
    error = refused(model="runway-gen3", prompt=CAT, aspect_ratio=aspect)
    assert error.field == "aspect_ratio"
    assert error.accepted == ("16:9", "4:3", "1:1", "3:4", "9:16")


@pytest.mark.parametrize("duration", [4, 6, 8, 15])
def test_runway_durations(duration: int) -> None:
    error = refused(model="runway-gen3", prompt=CAT, duration=duration)
    assert error.field == "duration"
    assert error.accepted == (5, 10)


@pytest.mark.parametrize("quality", ["480p", "4k"])
def test_runway_qualities(quality: str) -> None:
    error = refused(model="runway-gen3", prompt=CAT, resolution=quality)
    assert error.field == "resolution"
    assert error.accepted == ("720p", "1080p")


def test_runway_prompt_limit_is_1800() -> None:
    assert call(model="runway-gen3", prompt="x" * 1800).body is not None
    error = refused(model="runway-gen3", prompt="x" * 1801)
    assert error.field == "prompt"


def test_runway_prompt_limit_applies_to_extend() -> None:
    error = refused(model="runway-gen3", prompt="x" * 1801, extend_task_id="t")
    assert error.field == "prompt"


@pytest.mark.parametrize(("field", "value"), [("aspect_ratio", "16:9"), ("duration", 5)])
def test_runway_extend_takes_no_duration_or_ratio(field: str, value: Any) -> None:
    error = refused(model="runway-gen3", prompt="more", extend_task_id="t", **{field: value})
    assert error.field == field


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("seed", 42),
        ("negative_prompt", "blurry"),
        ("video", VIDEO),
        ("last_frame", IMAGE),
        ("reference_images", (IMAGE,)),
    ],
)
def test_runway_unsupported_inputs(field: str, value: Any) -> None:
    error = refused(model="runway-gen3", prompt=CAT, first_frame=IMAGE, **{field: value})
    assert error.field == field


@pytest.mark.parametrize("option", ["waterMark", "quality", "expand_prompt"])
def test_runway_unknown_options(option: str) -> None:
    error = refused(model="runway-gen3", prompt=CAT, options={option: "x"})
    assert error.field == f"options.{option}"
    assert error.accepted == ("watermark",)


def test_runway_prompt_is_required() -> None:
    assert refused(model="runway-gen3", first_frame=IMAGE).field == "prompt"


# --- Aleph ----------------------------------------------------------------------------------


def test_aleph_needs_a_video() -> None:
    error = refused(model="runway-aleph", prompt=CAT)
    assert error.field == "video"


def test_aleph_needs_a_prompt() -> None:
    assert refused(model="runway-aleph", video=VIDEO).field == "prompt"


def test_aleph_takes_one_reference_image() -> None:
    error = refused(model="runway-aleph", prompt=CAT, video=VIDEO, reference_images=(IMAGE,) * 2)
    assert error.field == "reference_images"
    assert error.value == 2
    assert error.accepted == (1,)


def test_aleph_has_no_duration_setting() -> None:
    error = refused(model="runway-aleph", prompt=CAT, video=VIDEO, duration=5)
    assert error.field == "duration"
    assert error.accepted == ()


@pytest.mark.parametrize("aspect", ["9:21", "2:1"])
def test_aleph_unsupported_aspect_ratio(aspect: str) -> None:
    error = refused(model="runway-aleph", prompt=CAT, video=VIDEO, aspect_ratio=aspect)
    assert error.field == "aspect_ratio"
    assert error.accepted == ("Auto", "16:9", "9:16", "4:3", "3:4", "1:1", "21:9")


@pytest.mark.parametrize("seed", [-1, 4_294_967_296])
def test_aleph_seed_range(seed: int) -> None:
    error = refused(model="runway-aleph", prompt=CAT, video=VIDEO, seed=seed)
    assert error.field == "seed"
    assert error.accepted == (0, 4_294_967_295)


@pytest.mark.parametrize(
    ("field", "value"),
    [("first_frame", IMAGE), ("extend_task_id", "t"), ("audio", "https://x/a.mp3")],
)
def test_aleph_unsupported_inputs(field: str, value: Any) -> None:
    error = refused(model="runway-aleph", prompt=CAT, video=VIDEO, **{field: value})
    assert error.field == field


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"uploadCn": True}, "options.uploadCn"),
        ({"upload_cn": "sometimes"}, "options.upload_cn"),
        ({"watermark": 3}, "options.watermark"),
    ],
)
def test_aleph_options_are_checked(options: dict[str, Any], field: str) -> None:
    error = refused(model="runway-aleph", prompt=CAT, video=VIDEO, options=options)
    assert error.field == field
