"""Seedance 1.5 Pro, added through the plugin API alone (market.md section 8.6).

The payload facts below are copied from KIE's docs, not from the plugin's spec; the emulator
checks run against the plugin's own declaration (kie_seedance.emulation), so a wrong payload
or a wrong declaration fails here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from kie_emulator.testing import ContractEmulator
from kie_seedance import SEEDANCE_15
from kie_seedance.emulation import EMULATIONS

from kie_core import Client
from kie_core.calls import EndpointCall
from kie_core.client import PollSchedule
from kie_core.errors import InvalidRequestError
from kie_core.request import VideoRequest

KIE_MODEL = "bytedance/seedance-1.5-pro"
PROMPT = "A paper boat drifts down a rain-soaked street at dusk."
FIRST = "https://example.com/first.png"
LAST = "https://example.com/last.png"


def body(**request: Any) -> dict[str, Any]:
    resolved = SEEDANCE_15.resolve(VideoRequest(model="seedance-1.5-pro", **request))
    call = SEEDANCE_15.build_call(resolved)
    assert call.path == "/api/v1/jobs/createTask"
    assert call.body is not None
    return call.body


def test_text_to_video_sends_the_documented_required_fields() -> None:
    assert body(prompt=PROMPT) == {
        "model": KIE_MODEL,
        "input": {"prompt": PROMPT, "aspect_ratio": "1:1", "duration": 4, "resolution": "720p"},
    }


def test_frames_travel_in_input_urls_first_then_last() -> None:
    assert body(prompt=PROMPT, first_frame=FIRST)["input"]["input_urls"] == [FIRST]
    both = body(prompt=PROMPT, first_frame=FIRST, last_frame=LAST, duration=12)["input"]
    assert both["input_urls"] == [FIRST, LAST]
    assert both["duration"] == 12
    assert "image_url" not in both


def test_options_are_kies_own_switches() -> None:
    options = {"fixed_lens": True, "generate_audio": True, "nsfw_checker": False}
    assert body(prompt=PROMPT, options=options)["input"].items() >= options.items()
    with pytest.raises(InvalidRequestError, match="camera_fixed"):
        body(prompt=PROMPT, options={"camera_fixed": True})


@pytest.mark.parametrize(
    ("request_fields", "field"),
    [
        ({"prompt": "ab"}, "prompt"),
        ({"prompt": PROMPT, "duration": 13}, "duration"),
        ({"prompt": PROMPT, "duration": 3}, "duration"),
        ({"prompt": PROMPT, "aspect_ratio": "9:21"}, "aspect_ratio"),
        ({"prompt": PROMPT, "resolution": "4k"}, "resolution"),
        ({"prompt": PROMPT, "last_frame": LAST}, "first_frame"),
    ],
)
def test_values_outside_the_docs_are_refused_locally(
    request_fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidRequestError) as error:
        body(**request_fields)
    assert error.value.field == field


def test_the_spec_advertises_no_price_since_kie_publishes_none() -> None:
    resolved = SEEDANCE_15.resolve(VideoRequest(model="seedance-1.5-pro", prompt=PROMPT))
    assert resolved.estimate_credits() is None


def post(emulator: ContractEmulator, data: dict[str, Any]) -> Any:
    call = EndpointCall(
        method="POST", path="/api/v1/jobs/createTask", body={"model": KIE_MODEL, "input": data}
    )
    return emulator.send(call)


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"prompt": PROMPT, "aspect_ratio": "1:1"}, "input.duration: This field is required"),
        ({"prompt": "hi", "aspect_ratio": "1:1", "duration": 4}, "at least 3 characters"),
        ({"prompt": PROMPT, "aspect_ratio": "1:1", "duration": 13}, "between 4 and 12"),
        (
            {"prompt": PROMPT, "aspect_ratio": "1:1", "duration": 4, "input_urls": [FIRST] * 3},
            "at most 2 item(s)",
        ),
        ({"prompt": PROMPT, "aspect_ratio": "2:1", "duration": 4}, "input.aspect_ratio"),
        ({"prompt": PROMPT, "aspect_ratio": "1:1", "duration": 4, "seed": 1}, "input.seed"),
    ],
)
def test_the_declaration_refuses_what_the_docs_refuse(data: dict[str, Any], needle: str) -> None:
    with ContractEmulator(EMULATIONS) as emulator:
        answer = post(emulator, data)
    assert answer.code == 422
    assert needle in answer.body["msg"]


def test_the_declaration_accepts_the_docs_example_and_charges_nothing() -> None:
    data = {
        "prompt": PROMPT,
        "aspect_ratio": "16:9",
        "duration": 8,
        "input_urls": [FIRST, LAST],
        "resolution": "1080p",
        "fixed_lens": True,
        "generate_audio": True,
        "nsfw_checker": True,
    }
    with ContractEmulator(EMULATIONS) as emulator:
        answer = post(emulator, data)
        assert answer.ok, answer.describe()
        assert emulator.charged(answer.data["taskId"]) == 0


def test_the_client_generates_and_downloads_an_mp4(kie_emulator: Any, tmp_path: Path) -> None:
    settings = {"base_url": kie_emulator.base_url, "poll": PollSchedule.fast(), "journal": False}
    with Client(kie_emulator.api_key, **settings) as kie:
        video = kie.generate(
            VideoRequest(model="seedance-1.5-pro", prompt=PROMPT, duration=6, first_frame=FIRST)
        )
        path = video.download(tmp_path)
    assert path.read_bytes()[4:8] == b"ftyp"
    task = kie_emulator.tasks[video.task_id]
    assert task.model == KIE_MODEL
    assert task.body["input"]["input_urls"] == [FIRST]
