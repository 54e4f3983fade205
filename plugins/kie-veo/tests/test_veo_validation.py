"""Requests Veo cannot serve are refused locally, naming field, value and what is accepted."""

from __future__ import annotations

from typing import Any

import pytest
from kie_veo import get_4k_call, get_1080p_call
from veo_helpers import call, resolve

from kie_core.errors import InvalidRequestError

PROMPT = "A dog playing in a park"
IMG = "http://example.com/image1.jpg"


def refused(**fields: Any) -> InvalidRequestError:
    with pytest.raises(InvalidRequestError) as caught:
        call(**fields)
    return caught.value


@pytest.mark.parametrize("duration", [4, 5, 6, 10, 12])
def test_only_8_seconds(duration: int) -> None:
    error = refused(model="veo-3.1-fast", prompt=PROMPT, duration=duration)
    assert error.field == "duration"
    assert error.value == duration
    assert error.accepted == (8,)


@pytest.mark.parametrize("aspect", ["1:1", "4:3", "21:9", "landscape"])
def test_unsupported_aspect_ratio(aspect: str) -> None:
    error = refused(model="veo-3.1", prompt=PROMPT, aspect_ratio=aspect)
    assert error.field == "aspect_ratio"
    assert error.value == aspect
    assert error.accepted == ("16:9", "9:16", "Auto")


def test_reference_mode_refuses_auto() -> None:
    error = refused(
        model="veo-3.1-fast", prompt=PROMPT, reference_images=(IMG,), aspect_ratio="Auto"
    )
    assert error.field == "aspect_ratio"
    assert error.accepted == ("16:9", "9:16")


@pytest.mark.parametrize("resolution", ["480p", "1440p", "8k"])
def test_unsupported_resolution(resolution: str) -> None:
    error = refused(model="veo-3.1-lite", prompt=PROMPT, resolution=resolution)
    assert error.field == "resolution"
    assert error.value == resolution
    assert error.accepted == ("720p", "1080p", "4k")


def test_too_many_reference_images() -> None:
    images = tuple(f"http://example.com/{n}.jpg" for n in range(4))
    error = refused(model="veo-3.1-fast", prompt=PROMPT, reference_images=images)
    assert error.field == "reference_images"
    assert error.value == 4
    assert error.accepted == (1, 2, 3)


@pytest.mark.parametrize("name", ["veo-3.1", "veo-3.1-lite"])
def test_reference_images_only_on_fast(name: str) -> None:
    error = refused(model=name, prompt=PROMPT, reference_images=(IMG,))
    assert error.field == "reference_images"
    assert error.accepted is not None
    assert "reference_images" not in error.accepted
    assert "first_frame" in error.accepted


def test_last_frame_needs_a_first_frame() -> None:
    error = refused(model="veo-3.1-fast", prompt=PROMPT, last_frame=IMG)
    assert error.field == "first_frame"


def test_frames_and_reference_images_do_not_mix() -> None:
    with pytest.raises(InvalidRequestError):
        call(model="veo-3.1-fast", prompt=PROMPT, first_frame=IMG, reference_images=(IMG,))


def test_prompt_is_required() -> None:
    error = refused(model="veo-3.1-fast", first_frame=IMG)
    assert error.field == "prompt"


@pytest.mark.parametrize("seed", [0, 9999, 100000, -12345])
def test_seed_range(seed: int) -> None:
    error = refused(model="veo-3.1", prompt=PROMPT, seed=seed)
    assert error.field == "seed"
    assert error.value == seed
    assert error.accepted == (10000, 99999)


@pytest.mark.parametrize("seed", [10000, 99999])
def test_seed_bounds_are_inclusive(seed: int) -> None:
    assert call(model="veo-3.1", prompt=PROMPT, seed=seed).body["seeds"] == seed  # type: ignore[index]


@pytest.mark.parametrize("option", ["enableFallback", "enable_fallback", "seeds", "watermrk"])
def test_unknown_options_are_refused(option: str) -> None:
    error = refused(model="veo-3.1-fast", prompt=PROMPT, options={option: True})
    assert error.field == f"options.{option}"
    assert error.accepted == ("watermark", "enable_translation")


def test_option_type_is_checked() -> None:
    error = refused(model="veo-3.1-fast", prompt=PROMPT, options={"watermark": 5})
    assert error.field == "options.watermark"


def test_extend_refuses_enable_translation() -> None:
    error = refused(
        model="veo-3.1-fast",
        prompt="more",
        extend_task_id="t1",
        options={"enable_translation": False},
    )
    assert error.field == "options.enable_translation"
    assert error.value is False


def test_extend_refusal_also_happens_at_resolve() -> None:
    with pytest.raises(InvalidRequestError):
        resolve(
            model="veo-3.1", prompt="more", extend_task_id="t1", options={"enable_translation": 1}
        )


@pytest.mark.parametrize(
    ("field", "value"), [("aspect_ratio", "9:16"), ("resolution", "1080p"), ("duration", 8)]
)
def test_extend_takes_no_shape_settings(field: str, value: Any) -> None:
    error = refused(model="veo-3.1-fast", prompt="more", extend_task_id="t1", **{field: value})
    assert error.field == field
    assert error.accepted == ()


def test_extend_takes_no_images() -> None:
    with pytest.raises(InvalidRequestError):
        call(model="veo-3.1-fast", prompt="more", extend_task_id="t1", first_frame=IMG)


@pytest.mark.parametrize("field", ["negative_prompt", "video", "audio"])
def test_unsupported_inputs(field: str) -> None:
    value = "http://example.com/x.mp4" if field != "negative_prompt" else "blur"
    error = refused(model="veo-3.1-fast", prompt=PROMPT, **{field: value})
    assert error.field == field


@pytest.mark.parametrize(("task_id", "index"), [("", 0), ("  ", 0), ("t", -1)])
def test_upgrade_calls_check_their_arguments(task_id: str, index: int) -> None:
    for build in (get_1080p_call, get_4k_call):
        with pytest.raises(InvalidRequestError) as caught:
            build(task_id, index)
        assert caught.value.field == ("task_id" if not task_id.strip() else "index")


def test_4k_callback_url_must_be_http() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        get_4k_call("t", callback_url="ftp://example.com/hook")
    assert caught.value.field == "callback_url"
