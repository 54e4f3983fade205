"""kie-luma end to end: the real Client against the offline KIE.ai emulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kie_emulator.pytest_plugin import EmulatorHandle
from kie_emulator.routes_luma import callback_body
from kie_luma import LUMA
from luma_helpers import luma_registry

from kie_core import AsyncClient, Client
from kie_core.errors import TaskFailedError
from kie_core.polling import PollSchedule
from kie_core.ratelimit import RateLimiter
from kie_core.request import VideoRequest
from kie_core.retry import RetryPolicy
from kie_core.status import TaskState

VIDEO = "https://example.com/input-video.mp4"
REQUEST = VideoRequest(
    model="luma-modify",
    prompt="A futuristic cityscape at night",
    video=VIDEO,
    options={"watermark": "brand"},
)


def settings(kie_emulator: EmulatorHandle) -> dict[str, Any]:
    return {
        "base_url": kie_emulator.base_url,
        "upload_base_url": kie_emulator.base_url,
        "registry": luma_registry(),
        "poll": PollSchedule.fast(deadline=30.0),
        "retry": RetryPolicy(base_delay=0.05),
        "rate_limiter": RateLimiter(),
        "journal": False,
    }


@pytest.fixture
def client(kie_emulator: EmulatorHandle) -> Iterator[Client]:
    with Client(kie_emulator.api_key, **settings(kie_emulator)) as client:
        yield client


def test_generate_and_download(
    client: Client, kie_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    video = client.generate(REQUEST)
    assert video.status.succeeded
    assert video.status.origin_urls == (VIDEO,)
    charges = [e for e in kie_emulator.ledger if e.kind == "charge" and e.task_id == video.task_id]
    assert [e.amount for e in charges] == [client.prepare(REQUEST).estimated_credits]
    assert video.download(tmp_path).stat().st_size > 0


def test_failure_reports_kie_reason(client: Client, kie_emulator: EmulatorHandle) -> None:
    kie_emulator.set_fault("task-fail", 1.0, times=1)
    with pytest.raises(TaskFailedError) as caught:
        client.generate(REQUEST)
    status = caught.value.status
    assert status.state is TaskState.FAILED
    assert status.raw_state.startswith("successFlag=3")
    assert status.fail_message


def test_callback_body_of_the_emulator_parses(client: Client, kie_emulator: EmulatorHandle) -> None:
    video = client.generate(REQUEST)
    task = kie_emulator.emulator.get_task(video.task_id)
    assert task is not None
    event = LUMA.parse_callback(callback_body(kie_emulator.emulator, task))
    assert event.task_id == video.task_id
    assert event.status.succeeded
    assert event.status.result_urls == video.urls


async def test_async_client(kie_emulator: EmulatorHandle) -> None:
    async with AsyncClient(kie_emulator.api_key, **settings(kie_emulator)) as client:
        video = await client.generate(REQUEST)
    assert video.status.succeeded
