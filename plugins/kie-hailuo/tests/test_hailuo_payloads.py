"""Hailuo 02 payloads against KIE's documented schemas (market.md sections 6, 8.7 and 9).

The tables below are copied from the docs, not from the plugin's spec, so a wrong spec fails.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kie_hailuo import HAILUO_02, MINIMAX, MODELS

from kie_core.errors import InvalidRequestError
from kie_core.families.market import MarketModel
from kie_core.models import ResolvedRequest
from kie_core.request import VideoRequest

PROMPT = "The samurai lowers his hat as petals swirl"
IMAGE = "https://example.com/first.png"
END = "https://example.com/last.png"
CREATE = "/api/v1/jobs/createTask"

#: Per KIE model id: documented durations and resolutions (None: not an input), input keys.
DOC: dict[str, dict[str, Any]] = {
    "hailuo/02-text-to-video-standard": {
        "durations": ("6", "10"),
        "resolutions": None,
        "keys": {"prompt", "duration", "prompt_optimizer", "nsfw_checker"},
    },
    "hailuo/02-image-to-video-standard": {
        "durations": ("6", "10"),
        "resolutions": ("512P", "768P"),
        "keys": {
            "prompt",
            "image_url",
            "end_image_url",
            "duration",
            "resolution",
            "prompt_optimizer",
            "nsfw_checker",
        },
    },
    "hailuo/02-text-to-video-pro": {
        "durations": None,
        "resolutions": None,
        "keys": {"prompt", "prompt_optimizer", "nsfw_checker"},
    },
    "hailuo/02-image-to-video-pro": {
        "durations": None,
        "resolutions": None,
        "keys": {"prompt", "image_url", "end_image_url", "prompt_optimizer", "nsfw_checker"},
    },
}

#: Published credits by KIE model id, seconds and resolution (6 s 768P i2v is not published).
PRICES: dict[tuple[str, int, str], float] = {
    ("hailuo/02-text-to-video-standard", 6, "768P"): 30,
    ("hailuo/02-text-to-video-standard", 10, "768P"): 50,
    ("hailuo/02-image-to-video-standard", 6, "512P"): 12,
    ("hailuo/02-image-to-video-standard", 10, "512P"): 20,
    ("hailuo/02-image-to-video-standard", 6, "768P"): 30,
    ("hailuo/02-image-to-video-standard", 10, "768P"): 50,
    ("hailuo/02-text-to-video-pro", 6, "1080P"): 57,
    ("hailuo/02-image-to-video-pro", 6, "1080P"): 57,
}


def model_for(name: str) -> MarketModel:
    return MINIMAX if name in MINIMAX.spec.all_names() else HAILUO_02


def build(request: VideoRequest) -> tuple[ResolvedRequest, Any]:
    model = model_for(request.model)
    resolved = model.resolve(request)
    return resolved, model.build_call(resolved)


STANDARD_CASES = [
    ("minimax", False, "hailuo/02-text-to-video-standard", duration, None) for duration in (6, 10)
] + [
    ("minimax", True, "hailuo/02-image-to-video-standard", duration, resolution)
    for duration in (6, 10)
    for resolution in ("512P", "768P")
]


@pytest.mark.parametrize(("name", "image", "kie_model", "duration", "resolution"), STANDARD_CASES)
def test_standard_combinations_build_the_exact_payload(
    name: str, image: bool, kie_model: str, duration: int, resolution: str | None
) -> None:
    request = VideoRequest(
        model=name,
        prompt=PROMPT,
        duration=duration,
        resolution=resolution,
        first_frame=IMAGE if image else None,
    )
    resolved, call = build(request)
    expected: dict[str, Any] = {"prompt": PROMPT, "duration": str(duration)}
    if image:
        expected["image_url"] = IMAGE
        expected["resolution"] = resolution
    assert (call.method, call.path, call.host) == ("POST", CREATE, "api")
    assert call.body == {"model": kie_model, "input": expected}
    assert resolved.estimate_credits() == PRICES[(kie_model, duration, resolution or "768P")]


@pytest.mark.parametrize(
    ("name", "image", "kie_model"),
    [
        ("hailuo-02", False, "hailuo/02-text-to-video-pro"),
        ("hailuo-02-pro", False, "hailuo/02-text-to-video-pro"),
        ("hailuo-02", True, "hailuo/02-image-to-video-pro"),
    ],
)
@pytest.mark.parametrize(("duration", "resolution"), [(None, None), (6, "1080P"), (6, "1080p")])
def test_pro_advertises_6_s_1080p_but_sends_neither(
    name: str, image: bool, kie_model: str, duration: int | None, resolution: str | None
) -> None:
    request = VideoRequest(
        model=name,
        prompt=PROMPT,
        duration=duration,
        resolution=resolution,
        first_frame=IMAGE if image else None,
    )
    resolved, call = build(request)
    expected: dict[str, Any] = {"prompt": PROMPT}
    if image:
        expected["image_url"] = IMAGE
    assert call.body == {"model": kie_model, "input": expected}
    assert (resolved.request.duration, resolved.request.resolution) == (6, "1080P")
    assert resolved.estimate_credits() == 57


def test_standard_image_defaults_are_10_s_768p_and_text_defaults_6_s() -> None:
    resolved, call = build(VideoRequest(model="minimax", prompt=PROMPT, first_frame=IMAGE))
    assert call.body["input"] == {
        "prompt": PROMPT,
        "image_url": IMAGE,
        "duration": "10",
        "resolution": "768P",
    }
    assert resolved.estimate_credits() == 50
    _, call = build(VideoRequest(model="hailuo-02-standard", prompt=PROMPT))
    assert call.body["input"] == {"prompt": PROMPT, "duration": "6"}


@pytest.mark.parametrize(
    ("name", "kie_model"),
    [
        ("minimax", "hailuo/02-image-to-video-standard"),
        ("hailuo-02", "hailuo/02-image-to-video-pro"),
    ],
)
def test_end_frame_is_sent_as_end_image_url(name: str, kie_model: str) -> None:
    _, call = build(VideoRequest(model=name, prompt=PROMPT, first_frame=IMAGE, last_frame=END))
    assert call.body["model"] == kie_model
    assert call.body["input"]["end_image_url"] == END
    assert "tail_image_url" not in call.body["input"]


def test_options_are_sent_only_when_set() -> None:
    _, call = build(
        VideoRequest(
            model="hailuo-02",
            prompt=PROMPT,
            options={"prompt_optimizer": False, "nsfw_checker": True},
        )
    )
    assert call.body["input"] == {"prompt": PROMPT, "prompt_optimizer": False, "nsfw_checker": True}
    _, call = build(VideoRequest(model="hailuo-02", prompt=PROMPT))
    assert call.body["input"] == {"prompt": PROMPT}


@pytest.mark.parametrize("duration", [1, 5, 7, 15, 99])
def test_standard_refuses_other_durations(duration: int) -> None:
    with pytest.raises(InvalidRequestError) as error:
        build(VideoRequest(model="minimax", prompt=PROMPT, duration=duration))
    assert (error.value.field, error.value.value, error.value.accepted) == (
        "duration",
        duration,
        (6, 10),
    )


@pytest.mark.parametrize("duration", [5, 10])
def test_pro_refuses_anything_but_6_s(duration: int) -> None:
    with pytest.raises(InvalidRequestError) as error:
        build(VideoRequest(model="hailuo-02", prompt=PROMPT, duration=duration))
    assert (error.value.field, error.value.accepted) == ("duration", (6,))


@pytest.mark.parametrize(
    ("name", "image", "resolution", "accepted"),
    [
        ("minimax", True, "1080P", ("512P", "768P")),
        ("minimax", False, "512P", ("768P",)),
        ("hailuo-02", True, "768P", ("1080P",)),
    ],
)
def test_unsupported_resolutions_are_refused(
    name: str, image: bool, resolution: str, accepted: tuple[str, ...]
) -> None:
    request = VideoRequest(
        model=name, prompt=PROMPT, resolution=resolution, first_frame=IMAGE if image else None
    )
    with pytest.raises(InvalidRequestError) as error:
        build(request)
    assert (error.value.field, error.value.value, error.value.accepted) == (
        "resolution",
        resolution,
        accepted,
    )


@pytest.mark.parametrize(
    ("settings_", "field"),
    [
        ({"aspect_ratio": "16:9"}, "aspect_ratio"),
        ({"negative_prompt": "blur"}, "negative_prompt"),
        ({"seed": 1}, "seed"),
        ({"prompt": "p" * 1501}, "prompt"),
        ({"last_frame": END}, "first_frame"),
        ({"options": {"promptOptimizer": True}}, "options.promptOptimizer"),
        ({"options": {"nsfw_checker": "perhaps"}}, "options.nsfw_checker"),
    ],
)
@pytest.mark.parametrize("name", ["minimax", "hailuo-02"])
def test_what_hailuo_does_not_take_is_refused(
    name: str, settings_: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidRequestError) as error:
        build(VideoRequest(**{"model": name, "prompt": PROMPT, **settings_}))
    assert error.value.field == field


def test_every_kie_id_of_the_docs_is_reachable() -> None:
    reached = {kie_model for model in MODELS for kie_model in model.spec.kie_models}
    assert reached == set(DOC)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    name=st.sampled_from(["minimax", "hailuo-02"]),
    duration=st.none() | st.integers(1, 20),
    resolution=st.none() | st.sampled_from(["512P", "768P", "1080P", "720p"]),
    image=st.booleans(),
    end=st.booleans(),
)
def test_no_accepted_request_leaves_the_documented_values(
    name: str, duration: int | None, resolution: str | None, image: bool, end: bool
) -> None:
    request = VideoRequest(
        model=name,
        prompt=PROMPT,
        duration=duration,
        resolution=resolution,
        first_frame=IMAGE if image else None,
        last_frame=END if end else None,
    )
    try:
        _, call = build(request)
    except InvalidRequestError:
        return
    doc = DOC[call.body["model"]]
    sent = call.body["input"]
    assert set(sent) <= doc["keys"]
    if doc["durations"] is None:
        assert "duration" not in sent
    else:
        assert sent["duration"] in doc["durations"]
    if doc["resolutions"] is None:
        assert "resolution" not in sent
    else:
        assert sent["resolution"] in doc["resolutions"]
