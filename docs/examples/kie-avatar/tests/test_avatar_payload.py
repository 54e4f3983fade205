"""The avatar's requests: local validation and the exact createTask payload KIE expects."""

from __future__ import annotations

import importlib.metadata
from typing import Any

import kie_avatar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kie_core import Registry, VideoRequest
from kie_core.errors import InvalidRequestError
from kie_core.registry import PluginSource

FACE = "https://example.com/face.png"
LINE = "https://example.com/line.mp3"


def build(**fields: Any) -> dict[str, Any]:
    request = VideoRequest(
        **{"model": "kling-avatar", "first_frame": FACE, "audio": LINE, **fields}
    )
    resolved = kie_avatar.KLING_AVATAR.resolve(request)
    call = kie_avatar.KLING_AVATAR.build_call(resolved)
    assert (call.method, call.path, call.host) == ("POST", "/api/v1/jobs/createTask", "api")
    assert call.body is not None
    return call.body


def test_standard_is_the_default_variant_and_sends_kie_field_names() -> None:
    assert build(prompt="Speak warmly.") == {
        "model": "kling/ai-avatar-standard",
        "input": {"image_url": FACE, "audio_url": LINE, "prompt": "Speak warmly."},
    }


@pytest.mark.parametrize(
    ("name", "kie_model"),
    [
        ("kling-avatar", "kling/ai-avatar-standard"),
        ("kling-ai-avatar", "kling/ai-avatar-standard"),
        ("kling-avatar-standard", "kling/ai-avatar-standard"),
        ("kling-avatar-pro", "kling/ai-avatar-pro"),
    ],
)
def test_each_name_routes_to_its_kie_model(name: str, kie_model: str) -> None:
    assert build(model=name)["model"] == kie_model


def test_an_empty_prompt_is_allowed_and_still_sent() -> None:
    # KIE's schema requires the prompt field but accepts "" (its own examples send it empty).
    assert build()["input"] == {"image_url": FACE, "audio_url": LINE, "prompt": ""}


def test_callback_url_goes_to_the_top_level() -> None:
    body = build(callback_url="https://example.com/kie/callback")
    assert body["callBackUrl"] == "https://example.com/kie/callback"
    assert "callBackUrl" not in body["input"]


def test_the_fixed_resolution_may_be_named_but_is_never_sent() -> None:
    assert build(model="kling-avatar-pro", resolution="1080P")["input"] == {
        "image_url": FACE,
        "audio_url": LINE,
        "prompt": "",
    }


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"audio": None}, "audio"),
        ({"first_frame": None}, "first_frame"),
        ({"last_frame": FACE}, "last_frame"),
        ({"video": "https://example.com/in.mp4"}, "video"),
        ({"duration": 5}, "duration"),
        ({"aspect_ratio": "16:9"}, "aspect_ratio"),
        ({"resolution": "1080p"}, "resolution"),
        ({"negative_prompt": "blur"}, "negative_prompt"),
        ({"seed": 7}, "seed"),
        ({"options": {"cfg_scale": 0.5}}, "options.cfg_scale"),
        ({"prompt": "x" * 5001}, "prompt"),
    ],
)
def test_requests_kie_would_refuse_are_refused_locally(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        build(**fields)
    assert caught.value.field == field


def test_wrong_resolution_names_what_the_variant_accepts() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        build(resolution="1080p")
    assert caught.value.value == "1080p"
    assert caught.value.accepted == ("720p",)


@pytest.mark.parametrize(("name", "per_second"), [("kling-avatar", 8), ("kling-avatar-pro", 16)])
def test_the_estimate_is_the_price_of_the_longest_video(name: str, per_second: int) -> None:
    request = VideoRequest(model=name, first_frame=FACE, audio=LINE)
    resolved = kie_avatar.KLING_AVATAR.resolve(request)
    assert resolved.estimate_credits() == per_second * 15
    (row,) = resolved.mode.prices
    assert f"{per_second} credits per second" in row.note


def test_the_summary_lists_what_kie_models_shows() -> None:
    summary = kie_avatar.AVATAR_SPEC.summary()
    assert summary["inputs"] == ["text", "first_frame", "audio"]
    assert summary["resolutions"] == ["720p", "1080p"]
    assert summary["durations"] == []
    assert summary["kie_models"] == ["kling/ai-avatar-standard", "kling/ai-avatar-pro"]


def test_the_installed_entry_point_loads_the_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    points = importlib.metadata.entry_points(group="kie.providers")
    assert {p.name: p.value for p in points}.get("avatar") == "kie_avatar"
    monkeypatch.setenv("KIE_LOAD_PLUGINS", "avatar")
    registry = Registry()
    assert registry.registered("kling-avatar-pro").provider == "avatar"
    (info,) = registry.plugins()
    assert (info.name, info.ok, info.models) == ("avatar", True, ["kling-avatar"])


def test_registering_through_the_hook_gives_one_model() -> None:
    registry = Registry([PluginSource(name="avatar", load=lambda: kie_avatar)])
    assert [spec.name for spec in registry.specs()] == ["kling-avatar"]
    assert registry.family("market").name == "market"


@given(
    prompt=st.text(
        alphabet=st.characters(blacklist_categories=("Cs",)),
        max_size=kie_avatar.models.PROMPT_MAX_LENGTH,
    ),
    pro=st.booleans(),
)
def test_any_prompt_within_the_limit_is_sent_as_given(prompt: str, pro: bool) -> None:
    name = "kling-avatar-pro" if pro else "kling-avatar"
    # VideoRequest strips surrounding whitespace; what it keeps reaches KIE unchanged.
    kept = VideoRequest(model=name, prompt=prompt).prompt
    body = build(model=name, prompt=prompt)
    assert body["input"] == {"image_url": FACE, "audio_url": LINE, "prompt": kept}
    assert body["model"] == ("kling/ai-avatar-pro" if pro else "kling/ai-avatar-standard")
