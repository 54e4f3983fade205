"""Sora 2 payloads against KIE's last published schemas (market.md sections 2, 9 and 10).

The tables below are copied from the docs, not from the plugin's spec, so a wrong spec fails.
"""

from __future__ import annotations

import warnings
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kie_sora import SORA_2

from kie_core.errors import InvalidRequestError
from kie_core.models import DeprecatedModelWarning, ResolvedRequest
from kie_core.request import VideoRequest

PROMPT = "A lighthouse keeper climbs a spiral staircase at dawn"
IMAGE = "https://example.com/first.png"
CREATE = "/api/v1/jobs/createTask"

#: Documented ``n_frames`` and ``aspect_ratio`` values, and our names for the aspect ratios.
N_FRAMES = ("10", "15")
ASPECTS = {"16:9": "landscape", "9:16": "portrait"}
KEYS = {
    "prompt",
    "aspect_ratio",
    "n_frames",
    "remove_watermark",
    "character_id_list",
    "upload_method",
    "image_urls",
    "size",
}

#: The name a user types, whether it sends an image, and the KIE model id it must reach.
ROUTES = [
    ("sora-2", False, "sora-2-text-to-video"),
    ("sora-2", True, "sora-2-image-to-video"),
    ("sora-2-pro", False, "sora-2-pro-text-to-video"),
    ("sora-2-pro", True, "sora-2-pro-image-to-video"),
]

#: Published credits by KIE model id, size (None: not sent, KIE's default) and seconds.
PRICES: dict[tuple[str, str | None], dict[int, float]] = {
    ("sora-2-text-to-video", None): {10: 20, 15: 25},
    ("sora-2-image-to-video", None): {10: 20, 15: 25},
    ("sora-2-pro-text-to-video", "standard"): {10: 150, 15: 270},
    ("sora-2-pro-image-to-video", "standard"): {10: 150, 15: 270},
    ("sora-2-pro-text-to-video", "high"): {10: 330, 15: 630},
    ("sora-2-pro-image-to-video", "high"): {10: 330, 15: 630},
    # Without a size KIE uses high for text-to-video and standard for image-to-video.
    ("sora-2-pro-text-to-video", None): {10: 330, 15: 630},
    ("sora-2-pro-image-to-video", None): {10: 150, 15: 270},
}


def build(request: VideoRequest) -> tuple[ResolvedRequest, Any]:
    resolved = SORA_2.resolve(request)
    return resolved, SORA_2.build_call(resolved)


def cases() -> list[tuple[str, bool, str, int, str]]:
    return [
        (name, image, kie_model, int(frames), aspect)
        for name, image, kie_model in ROUTES
        for frames in N_FRAMES
        for aspect in ASPECTS
    ]


@pytest.mark.parametrize(("name", "image", "kie_model", "duration", "aspect"), cases())
def test_every_documented_combination_builds_the_exact_payload(
    name: str, image: bool, kie_model: str, duration: int, aspect: str
) -> None:
    request = VideoRequest(
        model=name,
        prompt=PROMPT,
        duration=duration,
        aspect_ratio=aspect,
        first_frame=IMAGE if image else None,
    )
    resolved, call = build(request)
    expected: dict[str, Any] = {
        "prompt": PROMPT,
        "n_frames": str(duration),
        "aspect_ratio": ASPECTS[aspect],
        "upload_method": "s3",
    }
    if image:
        expected["image_urls"] = [IMAGE]
    assert (call.method, call.path, call.host) == ("POST", CREATE, "api")
    assert call.body == {"model": kie_model, "input": expected}
    assert resolved.estimate_credits() == PRICES[(kie_model, None)][duration]


@pytest.mark.parametrize("size", ["standard", "high"])
@pytest.mark.parametrize("image", [False, True])
@pytest.mark.parametrize("duration", [10, 15])
def test_pro_size_is_sent_and_priced(size: str, image: bool, duration: int) -> None:
    resolved, call = build(
        VideoRequest(
            model="sora-2-pro",
            prompt=PROMPT,
            duration=duration,
            first_frame=IMAGE if image else None,
            options={"size": size},
        )
    )
    assert call.body["input"]["size"] == size
    assert resolved.estimate_credits() == PRICES[(call.body["model"], size)][duration]


def test_size_is_a_pro_option_only() -> None:
    with pytest.raises(InvalidRequestError) as error:
        build(VideoRequest(model="sora-2", prompt=PROMPT, options={"size": "high"}))
    assert error.value.field == "options.size"


def test_options_are_sent_and_upload_method_may_be_oss() -> None:
    _, call = build(
        VideoRequest(
            model="sora-2",
            prompt=PROMPT,
            callback_url="https://example.com/kie/callback",
            options={
                "remove_watermark": True,
                "character_id_list": ["char_1", "char_2"],
                "upload_method": "oss",
            },
        )
    )
    assert call.body == {
        "model": "sora-2-text-to-video",
        "callBackUrl": "https://example.com/kie/callback",
        "input": {
            "prompt": PROMPT,
            "n_frames": "10",
            "aspect_ratio": "landscape",
            "upload_method": "oss",
            "remove_watermark": True,
            "character_id_list": ["char_1", "char_2"],
        },
    }


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"character_id_list": [f"c{i}" for i in range(6)]}, "options.character_id_list"),
        ({"upload_method": "gcs"}, "options.upload_method"),
        ({"remove_watermark": "maybe"}, "options.remove_watermark"),
        ({"watermark": False}, "options.watermark"),
    ],
)
def test_bad_options_are_refused(options: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidRequestError) as error:
        build(VideoRequest(model="sora-2", prompt=PROMPT, options=options))
    assert error.value.field == field


def test_the_model_is_deprecated_and_warns_before_anything_is_sent() -> None:
    assert SORA_2.spec.deprecated == date(2026, 9, 24)
    resolved, _ = build(VideoRequest(model="sora-2-pro", prompt=PROMPT))
    assert len(resolved.warnings) == 1
    assert "2026-09-24" in resolved.warnings[0]
    assert "shut" in resolved.warnings[0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        resolved.warn()
    assert [w.category for w in caught] == [DeprecatedModelWarning]


@pytest.mark.parametrize("duration", [1, 5, 9, 12, 20, 25])
def test_unsupported_durations_are_refused(duration: int) -> None:
    with pytest.raises(InvalidRequestError) as error:
        build(VideoRequest(model="sora-2", prompt=PROMPT, duration=duration))
    assert (error.value.field, error.value.value, error.value.accepted) == (
        "duration",
        duration,
        (10, 15),
    )


@pytest.mark.parametrize("aspect", ["1:1", "4:3", "landscape", "7:3"])
def test_unsupported_aspect_ratios_are_refused(aspect: str) -> None:
    with pytest.raises(InvalidRequestError) as error:
        build(VideoRequest(model="sora-2-pro", prompt=PROMPT, aspect_ratio=aspect))
    assert (error.value.field, error.value.accepted) == ("aspect_ratio", ("16:9", "9:16"))


@pytest.mark.parametrize(
    ("settings_", "field"),
    [
        ({"resolution": "1080p"}, "resolution"),
        ({"last_frame": "https://example.com/last.png", "first_frame": IMAGE}, "last_frame"),
        ({"negative_prompt": "blur"}, "negative_prompt"),
        ({"seed": 3}, "seed"),
        ({"prompt": "p" * 10001}, "prompt"),
        ({"prompt": ""}, "prompt"),
    ],
)
def test_inputs_sora_does_not_take_are_refused(settings_: dict[str, Any], field: str) -> None:
    request = VideoRequest(**{"model": "sora-2", "prompt": PROMPT, **settings_})
    with pytest.raises(InvalidRequestError) as error:
        build(request)
    assert error.value.field == field


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    name=st.sampled_from(["sora-2", "sora-2-pro"]),
    duration=st.none() | st.integers(1, 30),
    aspect=st.none() | st.sampled_from(["16:9", "9:16", "1:1", "4:3"]),
    image=st.booleans(),
    size=st.none() | st.sampled_from(["standard", "high", "ultra"]),
)
def test_no_accepted_request_leaves_the_documented_values(
    name: str, duration: int | None, aspect: str | None, image: bool, size: str | None
) -> None:
    request = VideoRequest(
        model=name,
        prompt=PROMPT,
        duration=duration,
        aspect_ratio=aspect,
        first_frame=IMAGE if image else None,
        options={} if size is None else {"size": size},
    )
    try:
        _, call = build(request)
    except InvalidRequestError:
        return
    sent = call.body["input"]
    assert set(sent) <= KEYS
    assert sent["n_frames"] in N_FRAMES
    assert sent["aspect_ratio"] in ASPECTS.values()
    assert sent["upload_method"] == "s3"
    assert ("image_urls" in sent) == image
    assert sent.get("size") in (None, "standard", "high")
