"""kie-veo end to end: the real Client against the offline KIE.ai emulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kie_emulator.pytest_plugin import EmulatorHandle
from kie_emulator.routes_veo import callback_body
from kie_veo import VEO, get_4k_call, get_1080p_call, read_4k_answer, read_1080p_result
from veo_helpers import veo_registry

from kie_core import AsyncClient, Client
from kie_core.errors import ApiError, TaskFailedError
from kie_core.polling import PollSchedule
from kie_core.ratelimit import RateLimiter
from kie_core.request import VideoRequest
from kie_core.retry import RetryPolicy
from kie_core.status import TaskState

IMG = "https://example.com/first.png"


def settings(kie_emulator: EmulatorHandle) -> dict[str, Any]:
    return {
        "base_url": kie_emulator.base_url,
        "upload_base_url": kie_emulator.base_url,
        "registry": veo_registry(),
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
        {"model": "veo-3.1", "aspect_ratio": "9:16"},
        {"model": "veo-3.1-fast", "first_frame": IMG, "last_frame": IMG, "aspect_ratio": "Auto"},
        {"model": "veo-3.1-fast", "reference_images": (IMG, IMG, IMG), "resolution": "1080p"},
        {"model": "veo-3.1-lite", "resolution": "4k", "seed": 12345},
    ],
)
def test_generate_and_download(
    client: Client, kie_emulator: EmulatorHandle, tmp_path: Path, fields: dict[str, Any]
) -> None:
    request = VideoRequest(prompt="A dog playing in a park", **fields)
    estimate = client.prepare(request).estimated_credits
    video = client.generate(request)
    assert video.status.succeeded
    assert video.status.raw_state == "successFlag=1"
    assert video.handle.family == "veo"
    assert charged(kie_emulator, video.task_id) == estimate
    path = video.download(tmp_path)
    assert path.stat().st_size > 0


def test_extend_a_finished_generation(client: Client, kie_emulator: EmulatorHandle) -> None:
    first = client.generate(VideoRequest(model="veo-3.1-lite", prompt="A dog runs"))
    request = VideoRequest(
        model="veo-3.1-lite", prompt="The dog jumps a fence", extend_task_id=first.task_id
    )
    extended = client.generate(request)
    assert extended.status.succeeded
    assert extended.urls
    assert charged(kie_emulator, extended.task_id) == 30


def test_failed_generation_reports_kie_reason(client: Client, kie_emulator: EmulatorHandle) -> None:
    kie_emulator.set_fault("task-fail", 1.0, times=1)
    with pytest.raises(TaskFailedError) as caught:
        client.generate(VideoRequest(model="veo-3.1-fast", prompt="A dog"))
    status = caught.value.status
    assert status.state is TaskState.FAILED
    assert status.raw_state == "successFlag=3"
    assert status.fail_code or status.fail_message


def test_upgrades_to_1080p_and_4k(client: Client, kie_emulator: EmulatorHandle) -> None:
    video = client.generate(VideoRequest(model="veo-3.1-fast", prompt="A dog"))
    with pytest.raises(ApiError):  # 1080P "is processing" until the upgrade task finishes
        client.call(get_1080p_call(video.task_id))
    kie_emulator.advance(60)
    url = read_1080p_result(client.call(get_1080p_call(video.task_id)))
    assert url.startswith("http")

    call = get_4k_call(video.task_id)
    with kie_emulator.client() as http:
        first = read_4k_answer(http.post(call.path, json=call.body).json())
        assert first.state is TaskState.RUNNING
        upgrade_id = first.task_id
        processing = read_4k_answer(http.post(call.path, json=call.body).json())
        assert processing.state is TaskState.RUNNING
        assert processing.raw_state == "code=422"
        kie_emulator.advance(60)
        done = read_4k_answer(http.post(call.path, json=call.body).json())
    assert done.state is TaskState.SUCCEEDED
    assert done.result_urls
    assert done.thumbnail_urls
    record = VEO.parse_status(upgrade_id, client.call(VEO.status_call(upgrade_id)))
    assert record.succeeded
    assert record.result_urls == done.result_urls


def test_callback_bodies_of_the_emulator_parse(
    client: Client, kie_emulator: EmulatorHandle
) -> None:
    video = client.generate(VideoRequest(model="veo-3.1-fast", prompt="A dog"))
    task = kie_emulator.emulator.get_task(video.task_id)
    assert task is not None
    event = VEO.parse_callback(callback_body(kie_emulator.emulator, task))
    assert event.task_id == video.task_id
    assert event.status.succeeded
    assert event.status.result_urls == video.urls


async def test_async_client(kie_emulator: EmulatorHandle) -> None:
    async with AsyncClient(kie_emulator.api_key, **settings(kie_emulator)) as client:
        video = await client.generate(
            VideoRequest(model="veo-3.1", prompt="A dog", first_frame=IMG)
        )
    assert video.status.succeeded
