"""kie-runway end to end: the real Client against the offline KIE.ai emulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kie_emulator import routes_aleph, routes_runway
from kie_emulator.pytest_plugin import EmulatorHandle
from kie_runway import ALEPH, RUNWAY
from runway_helpers import runway_registry

from kie_core import AsyncClient, Client
from kie_core.errors import TaskFailedError
from kie_core.polling import PollSchedule
from kie_core.ratelimit import RateLimiter
from kie_core.request import VideoRequest
from kie_core.retry import RetryPolicy
from kie_core.status import TaskState

IMG = "https://example.com/cat.png"
VIDEO = "https://example.com/input-video.mp4"


def settings(kie_emulator: EmulatorHandle) -> dict[str, Any]:
    return {
        "base_url": kie_emulator.base_url,
        "upload_base_url": kie_emulator.base_url,
        "registry": runway_registry(),
        "poll": PollSchedule.fast(deadline=30.0),
        "retry": RetryPolicy(base_delay=0.05),
        "rate_limiter": RateLimiter(),
        "journal": False,
    }


@pytest.fixture
def client(kie_emulator: EmulatorHandle) -> Iterator[Client]:
    with Client(kie_emulator.api_key, **settings(kie_emulator)) as client:
        yield client


def charged(kie_emulator: EmulatorHandle, task_id: str) -> float:
    return sum(e.amount for e in kie_emulator.ledger if e.kind == "charge" and e.task_id == task_id)


@pytest.mark.parametrize(
    "fields",
    [
        {"model": "runway-gen3", "duration": 10, "resolution": "720p", "aspect_ratio": "3:4"},
        {"model": "runway-gen3", "duration": 5, "resolution": "1080p", "first_frame": IMG},
        {"model": "runway-aleph", "video": VIDEO, "aspect_ratio": "21:9", "seed": 7},
        {"model": "runway-aleph", "video": VIDEO, "reference_images": (IMG,)},
    ],
)
def test_generate_and_download(
    client: Client, kie_emulator: EmulatorHandle, tmp_path: Path, fields: dict[str, Any]
) -> None:
    request = VideoRequest(prompt="A fluffy orange cat dancing", **fields)
    estimate = client.prepare(request).estimated_credits
    video = client.generate(request)
    assert video.status.succeeded
    assert video.status.thumbnail_urls
    assert charged(kie_emulator, video.task_id) == estimate
    assert video.download(tmp_path).stat().st_size > 0


def test_extend_a_finished_runway_video(client: Client, kie_emulator: EmulatorHandle) -> None:
    first = client.generate(VideoRequest(model="runway-gen3", prompt="A cat dances"))
    request = VideoRequest(
        model="runway-gen3",
        prompt="The cat spins",
        extend_task_id=first.task_id,
        resolution="1080p",
    )
    extended = client.generate(request)
    assert extended.status.succeeded
    assert extended.status.raw["parentTaskId"] == first.task_id
    assert charged(kie_emulator, extended.task_id) == 30


@pytest.mark.parametrize(
    ("fields", "raw_state"),
    [
        ({"model": "runway-gen3"}, "fail"),
        ({"model": "runway-aleph", "video": VIDEO}, "successFlag=0"),
    ],
)
def test_failures_report_kie_reason(
    client: Client, kie_emulator: EmulatorHandle, fields: dict[str, Any], raw_state: str
) -> None:
    kie_emulator.set_fault("task-fail", 1.0, times=1)
    with pytest.raises(TaskFailedError) as caught:
        client.generate(VideoRequest(prompt="A cat", **fields))
    status = caught.value.status
    assert status.state is TaskState.FAILED
    assert status.raw_state == raw_state
    assert status.fail_message


def test_running_aleph_task_is_not_mistaken_for_a_failure(
    client: Client, kie_emulator: EmulatorHandle
) -> None:
    handle = client.submit(VideoRequest(model="runway-aleph", prompt="A cat", video=VIDEO))
    status = client.status(handle)
    assert status.state is TaskState.RUNNING
    assert status.raw_state == "successFlag=0"


def test_callback_bodies_of_the_emulator_parse(
    client: Client, kie_emulator: EmulatorHandle
) -> None:
    for request, family, body_of in (
        (VideoRequest(model="runway-gen3", prompt="A cat"), RUNWAY, routes_runway.callback_body),
        (
            VideoRequest(model="runway-aleph", prompt="A cat", video=VIDEO),
            ALEPH,
            routes_aleph.callback_body,
        ),
    ):
        video = client.generate(request)
        task = kie_emulator.emulator.get_task(video.task_id)
        assert task is not None
        event = family.parse_callback(body_of(kie_emulator.emulator, task))
        assert event.task_id == video.task_id
        assert event.status.succeeded
        assert event.status.result_urls == video.urls


async def test_async_client(kie_emulator: EmulatorHandle) -> None:
    async with AsyncClient(kie_emulator.api_key, **settings(kie_emulator)) as client:
        video = await client.generate(VideoRequest(model="runway-gen3", prompt="A cat"))
    assert video.status.succeeded
