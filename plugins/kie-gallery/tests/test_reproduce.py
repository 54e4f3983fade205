"""A journaled payload read back as the request and the `kie generate` command that sends it."""

from __future__ import annotations

import json
import shlex
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kie_gallery.reproduce import generate_command, reproduce
from typer.testing import CliRunner

from kie_core.cli.app import app as cli_app
from kie_core.journal import JournalEntry, JournalState
from kie_core.registry import default_registry
from kie_core.request import VideoRequest

IMAGE = "https://example.com/first.png"
LAST = "https://example.com/last.png"
VIDEO = "https://example.com/source.mp4"

REQUESTS: list[dict[str, Any]] = [
    {"model": "kling-2.5-turbo", "prompt": "a fox", "duration": 10, "aspect_ratio": "9:16"},
    {"model": "kling-2.5-turbo", "prompt": "a fox", "first_frame": IMAGE, "last_frame": LAST},
    {"model": "kling-2.1-master", "prompt": "a fox", "negative_prompt": "blur"},
    {"model": "kling-2.1-pro", "prompt": "a fox", "first_frame": IMAGE},
    {"model": "veo-3.1-fast", "prompt": "a boat", "aspect_ratio": "9:16", "seed": 12345},
    {"model": "veo-3.1", "prompt": "a boat", "first_frame": IMAGE, "last_frame": LAST},
    {"model": "sora-2", "prompt": "a boat", "aspect_ratio": "9:16", "duration": 15},
    {"model": "sora-2-pro", "prompt": "a boat", "first_frame": IMAGE},
    {"model": "wan-2.5", "prompt": "a kite", "duration": 10, "resolution": "1080p"},
    {"model": "hailuo-02", "prompt": "a kite", "first_frame": IMAGE},
    {"model": "minimax", "prompt": "a kite"},
    {"model": "seedance", "prompt": "a kite", "duration": 10, "aspect_ratio": "1:1"},
    {"model": "seedance-pro-fast", "prompt": "a kite", "first_frame": IMAGE},
    {"model": "runway-gen3", "prompt": "a lamp", "duration": 10},
    {"model": "runway-aleph", "prompt": "make it night", "video": VIDEO},
    {"model": "luma-modify", "prompt": "make it winter", "video": VIDEO},
]


def _entry(request: VideoRequest) -> JournalEntry:
    registry = default_registry()
    model = registry.get(request.model)
    resolved = model.resolve(request)
    call = model.build_call(resolved)
    now = datetime.now(UTC)
    return JournalEntry(
        id=1,
        fingerprint="fp",
        model=model.spec.name,
        provider=model.spec.provider,
        family=model.family.name,
        kie_model=resolved.mode.kie_model,
        endpoint=call.describe(),
        payload=call.body or {},
        base_url="https://api.kie.ai",
        state=JournalState.DOWNLOADED,
        task_id="t1",
        estimated_credits=resolved.estimate_credits(),
        created_at=now,
        updated_at=now,
        variant=resolved.variant.name,
    )


@pytest.mark.parametrize("fields", REQUESTS, ids=lambda f: f"{f['model']}-{len(f)}")
def test_every_family_reads_back_exactly(fields: dict[str, Any]) -> None:
    entry = _entry(VideoRequest(**fields))
    reproduction = reproduce(default_registry(), entry)
    assert reproduction.exact, reproduction.note
    assert reproduction.request is not None
    # The command, parsed as the shell would, names the same model name and prompt.
    words = shlex.split(reproduction.command())
    assert words[:4] == ["kie", "generate", reproduction.request.model, fields["prompt"]]


def _dry_run_payload(command: str) -> dict[str, Any]:
    words = shlex.split(command)
    assert words[:2] == ["kie", "generate"]
    result = CliRunner().invoke(
        cli_app, ["generate", "--dry-run", "--json", *words[2:]], env={"KIE_API_KEY": ""}
    )
    assert result.exit_code == 0, result.output
    described: dict[str, Any] = json.loads(result.stdout)
    return described["payload"]


@pytest.mark.parametrize("fields", REQUESTS, ids=lambda f: f"{f['model']}-{len(f)}")
def test_the_command_sends_the_journaled_payload(fields: dict[str, Any]) -> None:
    entry = _entry(VideoRequest(**fields))
    command = reproduce(default_registry(), entry).command()
    assert _dry_run_payload(command) == entry.payload


@settings(max_examples=30, deadline=None)
@given(
    prompt=st.text(
        st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80
    ).filter(lambda text: text.strip() == text and text),
    seed=st.none() | st.integers(min_value=10_000, max_value=99_999),
)
def test_any_prompt_survives_the_shell_round_trip(prompt: str, seed: int | None) -> None:
    request = VideoRequest(model="veo-3.1-fast", prompt=prompt, seed=seed)
    entry = _entry(request)
    reproduction = reproduce(default_registry(), entry)
    assert reproduction.exact
    assert shlex.split(reproduction.command())[-1 if prompt.startswith("-") else 3] == prompt
    assert _dry_run_payload(reproduction.command()) == entry.payload


def test_the_command_of_a_request_names_every_field_set() -> None:
    request = VideoRequest(
        model="kling-2.5-turbo",
        prompt="it's a fox",
        duration=5,
        first_frame=IMAGE,
        options={"cfg_scale": 0.5},
    )
    assert generate_command(request) == (
        "kie generate kling-2.5-turbo 'it'\"'\"'s a fox' --duration 5 "
        f"--image {IMAGE} --option cfg_scale=0.5"
    )


def test_a_prompt_like_an_option_comes_after_the_options() -> None:
    request = VideoRequest(model="kling-2.5-turbo", prompt="-1 degrees outside", duration=5)
    command = generate_command(request)
    assert command == "kie generate --duration 5 -- kling-2.5-turbo '-1 degrees outside'"
    assert _dry_run_payload(command)["input"]["prompt"] == "-1 degrees outside"


def test_an_uninstalled_model_is_said_so() -> None:
    entry = _entry(VideoRequest(model="kling-2.5-turbo", prompt="a fox"))
    gone = entry.model_copy(update={"model": "no-such-model"})
    reproduction = reproduce(default_registry(), gone)
    assert reproduction.request is None
    assert "'no-such-model' is not installed" in reproduction.note


def test_a_payload_that_does_not_read_back_is_marked_approximate() -> None:
    entry = _entry(VideoRequest(model="kling-2.5-turbo", prompt="a fox"))
    odd = entry.model_copy(update={"payload": {**entry.payload, "extra": 1}})
    reproduction = reproduce(default_registry(), odd)
    assert reproduction.request is not None and not reproduction.exact
    assert reproduction.note.startswith("approximate")
