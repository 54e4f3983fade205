"""Kling payloads against KIE's documented schemas (market.md sections 3, 4 and 9).

The tables below are copied from the docs, not from the plugin's spec, so a wrong spec fails.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kie_kling import KLING_2_1, KLING_2_5_TURBO, MODELS

from kie_core.errors import InvalidRequestError
from kie_core.families.market import MarketModel
from kie_core.request import VideoRequest

PROMPT = "Camera slowly orbits the statue as leaves drift past"
IMAGE = "https://example.com/statue.png"
TAIL = "https://example.com/statue-end.png"
CREATE = "/api/v1/jobs/createTask"

#: Per KIE model id: durations, aspect ratios (None: no such input), end frame, input keys.
DOC: dict[str, dict[str, Any]] = {
    "kling/v2-1-pro": {
        "durations": ("5", "10"),
        "aspects": None,
        "tail": True,
        "keys": {
            "prompt",
            "image_url",
            "duration",
            "negative_prompt",
            "cfg_scale",
            "tail_image_url",
        },
    },
    "kling/v2-1-standard": {
        "durations": ("5", "10"),
        "aspects": None,
        "tail": False,
        "keys": {"prompt", "image_url", "duration", "negative_prompt", "cfg_scale"},
    },
    "kling/v2-1-master-image-to-video": {
        "durations": ("5", "10"),
        "aspects": None,
        "tail": False,
        "keys": {"prompt", "image_url", "duration", "negative_prompt", "cfg_scale"},
    },
    "kling/v2-1-master-text-to-video": {
        "durations": ("5", "10"),
        "aspects": ("16:9", "9:16", "1:1"),
        "tail": False,
        "keys": {"prompt", "aspect_ratio", "duration", "negative_prompt", "cfg_scale"},
    },
    "kling/v2-5-turbo-text-to-video-pro": {
        "durations": ("5", "10"),
        "aspects": ("16:9", "9:16", "1:1"),
        "tail": False,
        "keys": {"prompt", "aspect_ratio", "duration", "negative_prompt", "cfg_scale"},
    },
    "kling/v2-5-turbo-image-to-video-pro": {
        "durations": ("5", "10"),
        "aspects": None,
        "tail": True,
        "keys": {
            "prompt",
            "image_url",
            "tail_image_url",
            "duration",
            "negative_prompt",
            "cfg_scale",
        },
    },
}

#: The name a user types, whether it sends an image, and the KIE model id it must reach.
ROUTES: list[tuple[str, bool, str]] = [
    ("kling-2.1-pro", True, "kling/v2-1-pro"),
    ("kling-2.1-standard", True, "kling/v2-1-standard"),
    ("kling-2.1-master", True, "kling/v2-1-master-image-to-video"),
    ("kling-2.1-master", False, "kling/v2-1-master-text-to-video"),
    ("kling-2.5-turbo", False, "kling/v2-5-turbo-text-to-video-pro"),
    ("kling-2.5-turbo-pro", False, "kling/v2-5-turbo-text-to-video-pro"),
    ("kling-2.5-turbo", True, "kling/v2-5-turbo-image-to-video-pro"),
]

#: Published credits per KIE model id for 5 s and 10 s.
PRICES: dict[str, tuple[float, float]] = {
    "kling/v2-1-pro": (50, 100),
    "kling/v2-1-standard": (25, 50),
    "kling/v2-1-master-image-to-video": (160, 320),
    "kling/v2-1-master-text-to-video": (160, 320),
    "kling/v2-5-turbo-text-to-video-pro": (42, 84),
    "kling/v2-5-turbo-image-to-video-pro": (42, 84),
}


def model_for(name: str) -> MarketModel:
    return KLING_2_5_TURBO if name.startswith("kling-2.5") else KLING_2_1


def build(request: VideoRequest) -> tuple[Any, Any]:
    model = model_for(request.model)
    resolved = model.resolve(request)
    return resolved, model.build_call(resolved)


def cases() -> list[tuple[str, bool, str, int, str | None]]:
    found = []
    for name, image, kie_model in ROUTES:
        doc = DOC[kie_model]
        for duration in doc["durations"]:
            for aspect in doc["aspects"] or (None,):
                found.append((name, image, kie_model, int(duration), aspect))
    return found


@pytest.mark.parametrize(("name", "image", "kie_model", "duration", "aspect"), cases())
def test_every_documented_combination_builds_the_exact_payload(
    name: str, image: bool, kie_model: str, duration: int, aspect: str | None
) -> None:
    request = VideoRequest(
        model=name,
        prompt=PROMPT,
        duration=duration,
        aspect_ratio=aspect,
        first_frame=IMAGE if image else None,
    )
    resolved, call = build(request)
    expected_input: dict[str, Any] = {"prompt": PROMPT, "duration": str(duration)}
    if aspect is not None:
        expected_input["aspect_ratio"] = aspect
    if image:
        expected_input["image_url"] = IMAGE
    assert call.method == "POST"
    assert call.path == CREATE
    assert call.host == "api"
    assert call.body == {"model": kie_model, "input": expected_input}
    assert isinstance(call.body["input"]["duration"], str)
    assert resolved.estimate_credits() == PRICES[kie_model][0 if duration == 5 else 1]


@pytest.mark.parametrize(
    ("name", "kie_model"),
    [
        ("kling-2.1-pro", "kling/v2-1-pro"),
        ("kling-2.5-turbo", "kling/v2-5-turbo-image-to-video-pro"),
    ],
)
def test_end_frame_is_sent_as_tail_image_url(name: str, kie_model: str) -> None:
    _, call = build(VideoRequest(model=name, prompt=PROMPT, first_frame=IMAGE, last_frame=TAIL))
    assert call.body == {
        "model": kie_model,
        "input": {"prompt": PROMPT, "image_url": IMAGE, "tail_image_url": TAIL, "duration": "5"},
    }


@pytest.mark.parametrize("name", ["kling-2.1-standard", "kling-2.1-master"])
def test_models_without_a_tail_frame_refuse_one(name: str) -> None:
    with pytest.raises(InvalidRequestError) as error:
        build(VideoRequest(model=name, prompt=PROMPT, first_frame=IMAGE, last_frame=TAIL))
    assert error.value.field == "last_frame"


@pytest.mark.parametrize("name", ["kling-2.1-pro", "kling-2.1-standard"])
def test_kling_2_1_pro_and_standard_are_image_to_video_only(name: str) -> None:
    with pytest.raises(InvalidRequestError) as error:
        build(VideoRequest(model=name, prompt=PROMPT))
    assert error.value.field == "first_frame"


def test_defaults_are_five_seconds_and_16_9() -> None:
    _, call = build(VideoRequest(model="kling-2.5-turbo", prompt=PROMPT))
    assert call.body == {
        "model": "kling/v2-5-turbo-text-to-video-pro",
        "input": {"prompt": PROMPT, "duration": "5", "aspect_ratio": "16:9"},
    }


def test_settings_negative_prompt_cfg_scale_and_callback_are_sent() -> None:
    request = VideoRequest(
        model="kling-2.1-master",
        prompt=PROMPT,
        duration=10,
        aspect_ratio="1:1",
        negative_prompt="blur, distort, and low quality",
        callback_url="https://example.com/kie/callback",
        options={"cfg_scale": 0.7},
    )
    _, call = build(request)
    assert call.body == {
        "model": "kling/v2-1-master-text-to-video",
        "callBackUrl": "https://example.com/kie/callback",
        "input": {
            "prompt": PROMPT,
            "duration": "10",
            "aspect_ratio": "1:1",
            "negative_prompt": "blur, distort, and low quality",
            "cfg_scale": 0.7,
        },
    }


@pytest.mark.parametrize("duration", [1, 3, 6, 7, 15, 99])
@pytest.mark.parametrize("name", ["kling-2.1-pro", "kling-2.1-master", "kling-2.5-turbo"])
def test_unsupported_durations_are_refused_naming_the_accepted_ones(
    name: str, duration: int
) -> None:
    with pytest.raises(InvalidRequestError) as error:
        build(VideoRequest(model=name, prompt=PROMPT, first_frame=IMAGE, duration=duration))
    assert (error.value.field, error.value.value, error.value.accepted) == (
        "duration",
        duration,
        (5, 10),
    )
    assert "5, 10" in str(error.value)


@pytest.mark.parametrize("aspect", ["4:3", "21:9", "7:3"])
def test_unsupported_aspect_ratios_are_refused(aspect: str) -> None:
    with pytest.raises(InvalidRequestError) as error:
        build(VideoRequest(model="kling-2.5-turbo", prompt=PROMPT, aspect_ratio=aspect))
    assert (error.value.field, error.value.value, error.value.accepted) == (
        "aspect_ratio",
        aspect,
        ("16:9", "9:16", "1:1"),
    )


def test_image_to_video_takes_no_aspect_ratio() -> None:
    with pytest.raises(InvalidRequestError) as error:
        build(
            VideoRequest(
                model="kling-2.1-pro", prompt=PROMPT, first_frame=IMAGE, aspect_ratio="16:9"
            )
        )
    assert error.value.field == "aspect_ratio"


@pytest.mark.parametrize("name", ["kling-2.1-master", "kling-2.5-turbo"])
def test_kling_has_no_resolution_or_seed(name: str) -> None:
    with pytest.raises(InvalidRequestError) as error:
        build(VideoRequest(model=name, prompt=PROMPT, resolution="1080p"))
    assert error.value.field == "resolution"
    with pytest.raises(InvalidRequestError) as error:
        build(VideoRequest(model=name, prompt=PROMPT, seed=1))
    assert error.value.field == "seed"


@pytest.mark.parametrize(("name", "limit"), [("kling-2.1-master", 5000), ("kling-2.5-turbo", 2500)])
def test_prompt_limits(name: str, limit: int) -> None:
    build(VideoRequest(model=name, prompt="p" * limit))
    with pytest.raises(InvalidRequestError) as error:
        build(VideoRequest(model=name, prompt="p" * (limit + 1)))
    assert error.value.field == "prompt"


@pytest.mark.parametrize("image", [False, True])
def test_negative_prompt_limit_is_the_stricter_500_in_both_turbo_modes(image: bool) -> None:
    first = IMAGE if image else None
    build(
        VideoRequest(
            model="kling-2.5-turbo", prompt=PROMPT, first_frame=first, negative_prompt="n" * 500
        )
    )
    with pytest.raises(InvalidRequestError) as error:
        build(
            VideoRequest(
                model="kling-2.5-turbo", prompt=PROMPT, first_frame=first, negative_prompt="n" * 501
            )
        )
    assert error.value.field == "negative_prompt"


@pytest.mark.parametrize("value", [-0.1, 1.1, 0.55, "high"])
def test_cfg_scale_must_be_0_to_1_in_tenths(value: object) -> None:
    with pytest.raises(InvalidRequestError) as error:
        build(VideoRequest(model="kling-2.5-turbo", prompt=PROMPT, options={"cfg_scale": value}))
    assert error.value.field == "options.cfg_scale"


def test_unknown_options_are_refused_naming_the_known_ones() -> None:
    with pytest.raises(InvalidRequestError) as error:
        build(VideoRequest(model="kling-2.5-turbo", prompt=PROMPT, options={"cfg": 0.5}))
    assert error.value.field == "options.cfg"
    assert error.value.accepted == ("cfg_scale",)


def test_every_kie_id_of_the_docs_is_reachable() -> None:
    reached = {kie_model for model in MODELS for kie_model in model.spec.kie_models}
    assert reached == set(DOC)


NAMES = ["kling-2.1-pro", "kling-2.1-master", "kling-2.1-standard", "kling-2.5-turbo"]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    name=st.sampled_from(NAMES),
    duration=st.none() | st.integers(1, 30),
    aspect=st.none() | st.sampled_from(["16:9", "9:16", "1:1", "4:3", "21:9", "9:21"]),
    image=st.booleans(),
    tail=st.booleans(),
)
def test_no_accepted_request_leaves_the_documented_values(
    name: str, duration: int | None, aspect: str | None, image: bool, tail: bool
) -> None:
    request = VideoRequest(
        model=name,
        prompt=PROMPT,
        duration=duration,
        aspect_ratio=aspect,
        first_frame=IMAGE if image else None,
        last_frame=TAIL if tail else None,
    )
    try:
        _, call = build(request)
    except InvalidRequestError:
        return
    doc = DOC[call.body["model"]]
    sent = call.body["input"]
    assert set(sent) <= doc["keys"]
    assert sent["duration"] in doc["durations"]
    if doc["aspects"] is None:
        assert "aspect_ratio" not in sent
    else:
        assert sent["aspect_ratio"] in doc["aspects"]
    assert ("tail_image_url" in sent) == (tail and doc["tail"])
