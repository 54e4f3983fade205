"""Seedance V1 payloads against KIE's documented schemas (market.md sections 8 and 9).

The tables below are copied from the docs, not from the plugin's spec, so a wrong spec fails.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kie_seedance import SEEDANCE

from kie_core.errors import InvalidRequestError
from kie_core.models import ResolvedRequest
from kie_core.request import VideoRequest

PROMPT = "A boy rides a bike down a golden rural road. [Cut to] He stops by tall grass."
IMAGE = "https://example.com/first.png"
END = "https://example.com/last.png"
CREATE = "/api/v1/jobs/createTask"

PRO_ASPECTS = ("21:9", "16:9", "4:3", "1:1", "3:4", "9:16")
LITE_ASPECTS = ("16:9", "4:3", "1:1", "3:4", "9:16", "9:21")
ALL_RESOLUTIONS = ("480p", "720p", "1080p")
SWITCHES = {"camera_fixed", "seed", "enable_safety_checker", "nsfw_checker"}

#: Per KIE model id: aspect ratios (None: not an input), resolutions, end frame, input keys.
DOC: dict[str, dict[str, Any]] = {
    "bytedance/v1-pro-text-to-video": {
        "aspects": PRO_ASPECTS,
        "resolutions": ALL_RESOLUTIONS,
        "keys": {"prompt", "aspect_ratio", "resolution", "duration"} | SWITCHES,
    },
    "bytedance/v1-pro-image-to-video": {
        "aspects": None,
        "resolutions": ALL_RESOLUTIONS,
        "keys": {"prompt", "image_url", "resolution", "duration"} | SWITCHES,
    },
    "bytedance/v1-lite-text-to-video": {
        "aspects": LITE_ASPECTS,
        "resolutions": ALL_RESOLUTIONS,
        "keys": {"prompt", "aspect_ratio", "resolution", "duration"} | SWITCHES,
    },
    "bytedance/v1-lite-image-to-video": {
        "aspects": None,
        "resolutions": ALL_RESOLUTIONS,
        "keys": {"prompt", "image_url", "end_image_url", "resolution", "duration"} | SWITCHES,
    },
    "bytedance/v1-pro-fast-image-to-video": {
        "aspects": None,
        "resolutions": ("720p", "1080p"),
        "keys": {"prompt", "image_url", "resolution", "duration", "nsfw_checker"},
    },
}

#: The name a user types, whether it sends an image, and the KIE model id it must reach.
ROUTES = [
    ("seedance", False, "bytedance/v1-pro-text-to-video"),
    ("seedance", True, "bytedance/v1-pro-image-to-video"),
    ("seedance-lite", False, "bytedance/v1-lite-text-to-video"),
    ("seedance-lite", True, "bytedance/v1-lite-image-to-video"),
    ("seedance-pro-fast", True, "bytedance/v1-pro-fast-image-to-video"),
]

PRO = {5: (14, 30, 70), 10: (28, 60, 140)}
#: Published credits by KIE model id and seconds, per resolution in ALL_RESOLUTIONS order
#: (lite text-to-video 10 s is not published: twice its 5 s price).
PRICES: dict[str, dict[int, tuple[float | None, ...]]] = {
    "bytedance/v1-pro-text-to-video": PRO,
    "bytedance/v1-pro-image-to-video": PRO,
    "bytedance/v1-lite-text-to-video": PRO,
    "bytedance/v1-lite-image-to-video": {5: (10, 22.5, 50), 10: (20, 45, 100)},
    "bytedance/v1-pro-fast-image-to-video": {5: (None, 16, 36), 10: (None, 36, 72)},
}


def build(request: VideoRequest) -> tuple[ResolvedRequest, Any]:
    resolved = SEEDANCE.resolve(request)
    return resolved, SEEDANCE.build_call(resolved)


def cases() -> list[tuple[str, bool, str, int, str, str | None]]:
    found = []
    for name, image, kie_model in ROUTES:
        doc = DOC[kie_model]
        for duration in (5, 10):
            for resolution in doc["resolutions"]:
                for aspect in doc["aspects"] or (None,):
                    found.append((name, image, kie_model, duration, resolution, aspect))
    return found


@pytest.mark.parametrize(
    ("name", "image", "kie_model", "duration", "resolution", "aspect"), cases()
)
def test_every_documented_combination_builds_the_exact_payload(
    name: str, image: bool, kie_model: str, duration: int, resolution: str, aspect: str | None
) -> None:
    request = VideoRequest(
        model=name,
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
    price = PRICES[kie_model][duration][ALL_RESOLUTIONS.index(resolution)]
    assert resolved.estimate_credits() == price


@pytest.mark.parametrize(
    ("name", "image", "expected"),
    [
        ("seedance", False, {"duration": "5", "resolution": "720p", "aspect_ratio": "16:9"}),
        ("seedance-lite", False, {"duration": "5", "resolution": "720p", "aspect_ratio": "16:9"}),
        ("seedance-pro-fast", True, {"duration": "5", "resolution": "720p"}),
    ],
)
def test_defaults(name: str, image: bool, expected: dict[str, str]) -> None:
    _, call = build(VideoRequest(model=name, prompt=PROMPT, first_frame=IMAGE if image else None))
    sent = call.body["input"]
    assert {key: sent[key] for key in expected} == expected


def test_lite_image_to_video_sends_the_end_frame_as_end_image_url() -> None:
    _, call = build(
        VideoRequest(model="seedance-lite", prompt=PROMPT, first_frame=IMAGE, last_frame=END)
    )
    assert call.body["model"] == "bytedance/v1-lite-image-to-video"
    assert call.body["input"]["end_image_url"] == END


@pytest.mark.parametrize("name", ["seedance", "seedance-pro-fast"])
def test_only_lite_takes_an_end_frame(name: str) -> None:
    with pytest.raises(InvalidRequestError) as error:
        build(VideoRequest(model=name, prompt=PROMPT, first_frame=IMAGE, last_frame=END))
    assert error.value.field == "last_frame"


def test_pro_and_lite_switches_and_seed_are_sent() -> None:
    _, call = build(
        VideoRequest(
            model="seedance",
            prompt=PROMPT,
            seed=-1,
            options={"camera_fixed": True, "enable_safety_checker": False, "nsfw_checker": True},
        )
    )
    assert call.body["input"] == {
        "prompt": PROMPT,
        "duration": "5",
        "resolution": "720p",
        "aspect_ratio": "16:9",
        "seed": -1,
        "camera_fixed": True,
        "enable_safety_checker": False,
        "nsfw_checker": True,
    }


@pytest.mark.parametrize("option", ["camera_fixed", "enable_safety_checker"])
def test_pro_fast_refuses_the_switches_it_lacks(option: str) -> None:
    with pytest.raises(InvalidRequestError) as error:
        build(
            VideoRequest(
                model="seedance-pro-fast", prompt=PROMPT, first_frame=IMAGE, options={option: True}
            )
        )
    assert error.value.field == f"options.{option}"
    assert error.value.accepted == ("nsfw_checker",)


def test_pro_fast_refuses_a_seed_in_resolve_and_in_build_call() -> None:
    request = VideoRequest(model="seedance-pro-fast", prompt=PROMPT, first_frame=IMAGE, seed=7)
    with pytest.raises(InvalidRequestError) as error:
        SEEDANCE.resolve(request)
    assert (error.value.field, error.value.value) == ("seed", 7)
    resolved_by_spec = SEEDANCE.spec.resolve(request)
    with pytest.raises(InvalidRequestError):
        SEEDANCE.build_call(resolved_by_spec)


def test_pro_fast_is_image_to_video_only() -> None:
    with pytest.raises(InvalidRequestError) as error:
        build(VideoRequest(model="seedance-pro-fast", prompt=PROMPT))
    assert error.value.field == "first_frame"


@pytest.mark.parametrize(
    ("name", "aspect", "accepted"),
    [("seedance", "9:21", PRO_ASPECTS), ("seedance-lite", "21:9", LITE_ASPECTS)],
)
def test_pro_has_21_9_and_lite_has_9_21(name: str, aspect: str, accepted: tuple[str, ...]) -> None:
    with pytest.raises(InvalidRequestError) as error:
        build(VideoRequest(model=name, prompt=PROMPT, aspect_ratio=aspect))
    assert (error.value.field, error.value.value, error.value.accepted) == (
        "aspect_ratio",
        aspect,
        accepted,
    )


def test_pro_fast_has_no_480p() -> None:
    with pytest.raises(InvalidRequestError) as error:
        build(
            VideoRequest(
                model="seedance-pro-fast", prompt=PROMPT, first_frame=IMAGE, resolution="480p"
            )
        )
    assert (error.value.field, error.value.accepted) == ("resolution", ("720p", "1080p"))


@pytest.mark.parametrize("duration", [1, 4, 6, 12, 15])
@pytest.mark.parametrize("name", ["seedance", "seedance-lite"])
def test_unsupported_durations_are_refused(name: str, duration: int) -> None:
    with pytest.raises(InvalidRequestError) as error:
        build(VideoRequest(model=name, prompt=PROMPT, duration=duration))
    assert (error.value.field, error.value.value, error.value.accepted) == (
        "duration",
        duration,
        (5, 10),
    )


@pytest.mark.parametrize(
    ("settings_", "field"),
    [
        ({"seed": -2}, "seed"),
        ({"seed": 2_147_483_648}, "seed"),
        ({"negative_prompt": "blur"}, "negative_prompt"),
        ({"prompt": "p" * 10001}, "prompt"),
        ({"options": {"fixed_lens": True}}, "options.fixed_lens"),
    ],
)
def test_what_seedance_does_not_take_is_refused(settings_: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidRequestError) as error:
        build(VideoRequest(**{"model": "seedance", "prompt": PROMPT, **settings_}))
    assert error.value.field == field


def test_every_kie_id_of_the_docs_is_reachable() -> None:
    assert set(SEEDANCE.spec.kie_models) == set(DOC)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    name=st.sampled_from(["seedance", "seedance-lite", "seedance-pro-fast"]),
    duration=st.none() | st.integers(1, 15),
    aspect=st.none() | st.sampled_from([*PRO_ASPECTS, "9:21", "2:1"]),
    resolution=st.none() | st.sampled_from([*ALL_RESOLUTIONS, "4k"]),
    image=st.booleans(),
    end=st.booleans(),
    seed=st.none() | st.integers(-3, 2**31 + 1),
)
def test_no_accepted_request_leaves_the_documented_values(
    name: str,
    duration: int | None,
    aspect: str | None,
    resolution: str | None,
    image: bool,
    end: bool,
    seed: int | None,
) -> None:
    request = VideoRequest(
        model=name,
        prompt=PROMPT,
        duration=duration,
        aspect_ratio=aspect,
        resolution=resolution,
        first_frame=IMAGE if image else None,
        last_frame=END if end else None,
        seed=seed,
    )
    try:
        _, call = build(request)
    except InvalidRequestError:
        return
    doc = DOC[call.body["model"]]
    sent = call.body["input"]
    assert set(sent) <= doc["keys"]
    assert sent["duration"] in ("5", "10")
    assert sent["resolution"] in doc["resolutions"]
    if doc["aspects"] is None:
        assert "aspect_ratio" not in sent
    else:
        assert sent["aspect_ratio"] in doc["aspects"]
    if "seed" in sent:
        assert -1 <= sent["seed"] <= 2_147_483_647
