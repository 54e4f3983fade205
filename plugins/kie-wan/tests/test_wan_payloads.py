"""Wan 2.5 payloads against KIE's documented schemas (market.md sections 7, 9 and 10.8).

The tables below are copied from the docs, not from the plugin's spec, so a wrong spec fails.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kie_wan import WAN_2_5

from kie_core.errors import InvalidRequestError
from kie_core.models import ResolvedRequest
from kie_core.request import VideoRequest

PROMPT = "A jazz bar at night, saxophone solo under a spotlight. Ambient audio: live jazz."
IMAGE = "https://example.com/first.png"
CREATE = "/api/v1/jobs/createTask"

DURATIONS = ("5", "10")
RESOLUTIONS = ("720p", "1080p")
TEXT_ASPECTS = ("16:9", "9:16", "1:1")
COMMON_KEYS = {
    "prompt",
    "duration",
    "resolution",
    "negative_prompt",
    "enable_prompt_expansion",
    "seed",
    "nsfw_checker",
}
KEYS = {
    "wan/2-5-text-to-video": COMMON_KEYS | {"aspect_ratio"},
    "wan/2-5-image-to-video": COMMON_KEYS | {"image_url"},
}

#: Published credits by seconds and resolution, the same for both modes.
PRICES = {(5, "720p"): 60, (10, "720p"): 120, (5, "1080p"): 100, (10, "1080p"): 200}


def build(request: VideoRequest) -> tuple[ResolvedRequest, Any]:
    resolved = WAN_2_5.resolve(request)
    return resolved, WAN_2_5.build_call(resolved)


CASES = [
    (False, "wan/2-5-text-to-video", int(d), r, a)
    for d in DURATIONS
    for r in RESOLUTIONS
    for a in TEXT_ASPECTS
] + [(True, "wan/2-5-image-to-video", int(d), r, None) for d in DURATIONS for r in RESOLUTIONS]


@pytest.mark.parametrize(("image", "kie_model", "duration", "resolution", "aspect"), CASES)
def test_every_documented_combination_builds_the_exact_payload(
    image: bool, kie_model: str, duration: int, resolution: str, aspect: str | None
) -> None:
    request = VideoRequest(
        model="wan-2.5",
        prompt=PROMPT,
        duration=duration,
        resolution=resolution,
        aspect_ratio=aspect,
        first_frame=IMAGE if image else None,
    )
    resolved, call = build(request)
    expected: dict[str, Any] = {
        "prompt": PROMPT,
        "duration": str(duration),
        "resolution": resolution,
    }
    if aspect is not None:
        expected["aspect_ratio"] = aspect
    if image:
        expected["image_url"] = IMAGE
    assert (call.method, call.path, call.host) == ("POST", CREATE, "api")
    assert call.body == {"model": kie_model, "input": expected}
    assert resolved.estimate_credits() == PRICES[(duration, resolution)]


@pytest.mark.parametrize("image", [False, True])
def test_duration_and_resolution_are_always_sent(image: bool) -> None:
    resolved, call = build(
        VideoRequest(model="wan-2.5", prompt=PROMPT, first_frame=IMAGE if image else None)
    )
    assert call.body["input"]["duration"] == "5"
    assert call.body["input"]["resolution"] == "1080p"
    assert resolved.estimate_credits() == 100


def test_resolution_is_matched_case_insensitively_and_sent_lowercase() -> None:
    _, call = build(VideoRequest(model="wan-2.5", prompt=PROMPT, resolution="720P"))
    assert call.body["input"]["resolution"] == "720p"


def test_seed_negative_prompt_options_and_callback_are_sent() -> None:
    _, call = build(
        VideoRequest(
            model="wan-2.5",
            prompt=PROMPT,
            duration=10,
            aspect_ratio="9:16",
            resolution="720p",
            negative_prompt="blurry, flicker, low quality",
            seed=123456,
            callback_url="https://example.com/kie/callback",
            options={"enable_prompt_expansion": True, "nsfw_checker": False},
        )
    )
    assert call.body == {
        "model": "wan/2-5-text-to-video",
        "callBackUrl": "https://example.com/kie/callback",
        "input": {
            "prompt": PROMPT,
            "duration": "10",
            "aspect_ratio": "9:16",
            "resolution": "720p",
            "negative_prompt": "blurry, flicker, low quality",
            "seed": 123456,
            "enable_prompt_expansion": True,
            "nsfw_checker": False,
        },
    }
    assert isinstance(call.body["input"]["seed"], int)


@pytest.mark.parametrize("duration", [1, 4, 6, 8, 15])
def test_unsupported_durations_are_refused(duration: int) -> None:
    with pytest.raises(InvalidRequestError) as error:
        build(VideoRequest(model="wan-2.5", prompt=PROMPT, duration=duration))
    assert (error.value.field, error.value.value, error.value.accepted) == (
        "duration",
        duration,
        (5, 10),
    )


@pytest.mark.parametrize("resolution", ["480p", "4k", "1080P60"])
def test_unsupported_resolutions_are_refused(resolution: str) -> None:
    with pytest.raises(InvalidRequestError) as error:
        build(VideoRequest(model="wan-2.5", prompt=PROMPT, resolution=resolution))
    assert (error.value.field, error.value.accepted) == ("resolution", RESOLUTIONS)


@pytest.mark.parametrize(
    ("settings_", "field"),
    [
        ({"aspect_ratio": "21:9"}, "aspect_ratio"),
        ({"aspect_ratio": "16:9", "first_frame": IMAGE}, "aspect_ratio"),
        ({"last_frame": "https://example.com/last.png", "first_frame": IMAGE}, "last_frame"),
        ({"audio": "https://example.com/a.mp3"}, "audio"),
        ({"prompt": "p" * 801}, "prompt"),
        ({"negative_prompt": "n" * 501}, "negative_prompt"),
        ({"seed": -1}, "seed"),
        ({"seed": 2**31}, "seed"),
        ({"options": {"prompt_extend": True}}, "options.prompt_extend"),
    ],
)
def test_what_wan_does_not_take_is_refused(settings_: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidRequestError) as error:
        build(VideoRequest(**{"model": "wan-2.5", "prompt": PROMPT, **settings_}))
    assert error.value.field == field


def test_limits_are_inclusive() -> None:
    build(VideoRequest(model="wan-2.5", prompt="p" * 800, negative_prompt="n" * 500, seed=0))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    duration=st.none() | st.integers(1, 20),
    resolution=st.none() | st.sampled_from(["480p", "720p", "1080p", "720P", "4k"]),
    aspect=st.none() | st.sampled_from(["16:9", "9:16", "1:1", "4:3"]),
    image=st.booleans(),
    seed=st.none() | st.integers(-(2**33), 2**33),
)
def test_no_accepted_request_leaves_the_documented_values(
    duration: int | None, resolution: str | None, aspect: str | None, image: bool, seed: int | None
) -> None:
    request = VideoRequest(
        model="wan-2.5",
        prompt=PROMPT,
        duration=duration,
        resolution=resolution,
        aspect_ratio=aspect,
        first_frame=IMAGE if image else None,
        seed=seed,
    )
    try:
        _, call = build(request)
    except InvalidRequestError:
        return
    sent = call.body["input"]
    assert set(sent) <= KEYS[call.body["model"]]
    assert sent["duration"] in DURATIONS
    assert sent["resolution"] in RESOLUTIONS
    if "aspect_ratio" in sent:
        assert sent["aspect_ratio"] in TEXT_ASPECTS
    if seed is not None:
        assert sent["seed"] == seed
        assert 0 <= seed <= 2**31 - 1
