from __future__ import annotations

import warnings
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kie_core.errors import InvalidRequestError
from kie_core.models import DeprecatedModelWarning, Mode, ModelSpec, Variant
from kie_core.request import InputKind, VideoRequest
from tests.unit.sample_models import TURBO, TURBO_MODEL


def req(**kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("model", "test-turbo")
    kwargs.setdefault("prompt", "a fox runs through snow")
    return VideoRequest(**kwargs)


def test_text_to_video_payload_and_defaults() -> None:
    resolved = TURBO.resolve(req(duration=10, aspect_ratio="9:16"))
    call = TURBO_MODEL.build_call(resolved)
    assert call.method == "POST"
    assert call.path == "/api/v1/jobs/createTask"
    assert call.body == {
        "model": "kling/v2-5-turbo-text-to-video-pro",
        "input": {"prompt": "a fox runs through snow", "duration": "10", "aspect_ratio": "9:16"},
    }
    assert resolved.estimate_credits() == 84
    defaults = TURBO.resolve(req())
    assert defaults.request.duration == 5
    assert defaults.request.aspect_ratio == "16:9"


def test_image_routes_to_image_model_and_drops_aspect() -> None:
    resolved = TURBO.resolve(req(first_frame="https://x/a.png", last_frame="https://x/b.png"))
    body = TURBO_MODEL.build_call(resolved).body
    assert body is not None
    assert body["model"] == "kling/v2-5-turbo-image-to-video-pro"
    assert body["input"]["image_url"] == "https://x/a.png"
    assert body["input"]["tail_image_url"] == "https://x/b.png"
    assert "aspect_ratio" not in body["input"]


def test_callback_url_goes_top_level() -> None:
    resolved = TURBO.resolve(req(callback_url="https://example.com/cb"))
    body = TURBO_MODEL.build_call(resolved).body
    assert body is not None
    assert body["callBackUrl"] == "https://example.com/cb"
    assert "callBackUrl" not in body["input"]


@pytest.mark.parametrize(
    ("kwargs", "field", "fragment"),
    [
        ({"duration": 7}, "duration", "accepted: 5, 10"),
        ({"aspect_ratio": "4:3"}, "aspect_ratio", "16:9, 9:16, 1:1"),
        ({"last_frame": "https://x/b.png"}, "first_frame", "needs first_frame"),
        ({"video": "https://x/v.mp4"}, "video", "does not accept video"),
        ({"first_frame": "https://x/a.png", "aspect_ratio": "16:9"}, "aspect_ratio", "follows"),
        ({"seed": 3}, "seed", "does not accept a seed"),
        ({"options": {"cfg": 1}}, "options.cfg", "cfg_scale"),
        ({"options": {"cfg_scale": 3}}, "options.cfg_scale", "cfg_scale"),
        ({"prompt": "x" * 2501}, "prompt", "at most 2500"),
        ({"prompt": ""}, "prompt", "needs prompt"),
        ({"negative_prompt": "n" * 501}, "negative_prompt", "at most 500"),
        ({"model": "test-turbo-hd", "duration": 10, "resolution": "1080p"}, "duration", "5-second"),
        ({"model": "test-turbo-hd", "resolution": "4k"}, "resolution", "720p, 1080P"),
    ],
)
def test_rejections_name_field_value_and_accepted(kwargs, field, fragment) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidRequestError) as info:
        TURBO.resolve(req(**kwargs))
    assert info.value.field == field
    assert fragment in str(info.value)


def test_variant_alias_and_case_insensitive_resolution() -> None:
    resolved = TURBO.resolve(req(model="test-turbo-hd", resolution="1080p", duration=5))
    assert resolved.variant.name == "hd"
    assert resolved.request.resolution == "1080P"
    assert resolved.estimate_credits() == 100  # 20 per second x 5 s
    assert TURBO.resolve(req(model="tt")).variant.name == "pro"


def test_per_second_price_without_duration_is_unknown_not_free() -> None:
    hd = TURBO.variants[1].modes[0]
    no_duration = hd.model_copy(update={"durations": (), "default_duration": None})
    variant = TURBO.variants[1].model_copy(update={"modes": (no_duration,)})
    spec = TURBO.model_copy(update={"variants": (TURBO.variants[0], variant)})
    assert spec.resolve(req(model="test-turbo-hd")).estimate_credits() is None


def test_summary_lists_union_of_capabilities() -> None:
    summary = TURBO.summary()
    assert summary["name"] == "test-turbo"
    assert summary["aliases"] == ["tt", "test-turbo-hd"]
    assert summary["durations"] == [5, 10]
    assert summary["aspect_ratios"] == ["16:9", "9:16", "1:1"]
    assert summary["inputs"] == ["text", "first_frame", "last_frame"]
    assert summary["deprecated"] is None


def test_deprecated_model_warns() -> None:
    spec = TURBO.model_copy(update={"deprecated": date(2026, 9, 24), "deprecation_note": "gone"})
    resolved = spec.resolve(req())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        resolved.warn()
    assert any(issubclass(w.category, DeprecatedModelWarning) for w in caught)
    assert "2026-09-24" in resolved.warnings[0]


def test_spec_rejects_duplicate_names_and_bad_defaults() -> None:
    mode = Mode(
        name="t2v", requires=frozenset({InputKind.TEXT}), durations=(5,), default_duration=5
    )
    with pytest.raises(ValueError, match="repeats"):
        ModelSpec(
            name="a",
            title="A",
            family="market",
            aliases=("a",),
            variants=(Variant(name="v", modes=(mode,)),),
        )
    with pytest.raises(ValueError, match="default duration"):
        Mode(name="t2v", requires=frozenset({InputKind.TEXT}), durations=(5,), default_duration=6)
    with pytest.raises(ValueError, match="no default"):
        Mode(name="t2v", requires=frozenset({InputKind.TEXT}), aspect_ratios=("16:9",))


@given(
    duration=st.one_of(st.none(), st.integers(min_value=1, max_value=30)),
    aspect=st.one_of(st.none(), st.sampled_from(["16:9", "9:16", "1:1", "4:3", "21:9", "Auto"])),
    image=st.booleans(),
    last=st.booleans(),
    variant=st.sampled_from(["test-turbo", "test-turbo-hd"]),
    resolution=st.one_of(st.none(), st.sampled_from(["720p", "1080p", "1080P", "4k"])),
)
def test_nothing_outside_the_advertised_values_passes(
    duration, aspect, image, last, variant, resolution
) -> None:  # type: ignore[no-untyped-def]
    request = req(
        model=variant,
        duration=duration,
        aspect_ratio=aspect,
        resolution=resolution,
        first_frame="https://x/a.png" if image else None,
        last_frame="https://x/b.png" if last else None,
    )
    try:
        resolved = TURBO.resolve(request)
    except InvalidRequestError as exc:
        assert exc.field
        return
    mode = resolved.mode
    assert resolved.request.duration in mode.durations
    assert resolved.request.duration in TURBO.durations
    if mode.aspect_ratios:
        assert resolved.request.aspect_ratio in mode.aspect_ratios
    else:
        assert resolved.request.aspect_ratio is None
    if resolved.request.resolution is not None:
        assert resolved.request.resolution in mode.resolutions
    body = TURBO_MODEL.build_call(resolved).body if variant == "test-turbo" else None
    if body is not None:
        assert body["input"]["duration"] in {"5", "10"}
        assert body["input"].get("aspect_ratio", "16:9") in {"16:9", "9:16", "1:1"}
