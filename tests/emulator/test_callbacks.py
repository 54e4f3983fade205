"""Callbacks: each family's body, HMAC signature, timeouts and retries, delivery without polling."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import httpx
import pytest
from kie_emulator.callbacks import sign
from kie_emulator.pytest_plugin import EmulatorHandle

from .conftest import Received, Receiver, create, ok_data, wait_until

KEY = "whsec-test"


def one_call(receiver: Receiver, name: str, count: int = 1) -> list[Received]:
    calls: list[Received] = wait_until(
        lambda: len(receiver.for_path(name)) >= count and receiver.for_path(name)
    )
    return calls


def verify(call: Received, task_id: str) -> None:
    timestamp = call.headers["x-webhook-timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    expected = base64.b64encode(
        hmac.new(KEY.encode(), f"{task_id}.{timestamp}".encode(), hashlib.sha256).digest()
    ).decode()
    assert hmac.compare_digest(call.headers["x-webhook-signature"], expected)
    assert call.headers["content-type"] == "application/json"


@pytest.mark.kie_emulator(webhook_hmac_key=KEY)
def test_market_success_callback_is_signed_and_matches_record_info(
    kie_emulator: EmulatorHandle, client: httpx.Client, receiver: Receiver
) -> None:
    body = {
        "model": "bytedance/v1-pro-text-to-video",
        "callBackUrl": receiver.url("market"),
        "input": {"prompt": "p"},
    }
    task_id = create(client, "/api/v1/jobs/createTask", body)
    (call,) = one_call(receiver, "market")  # nobody polled: the ticker finished the task
    verify(call, task_id)
    assert call.body["code"] == 200
    assert call.body["msg"] == "Playground task completed successfully."
    data = call.body["data"]
    record = ok_data(client.get("/api/v1/jobs/recordInfo", params={"taskId": task_id}))
    assert data == record
    assert json.loads(data["param"]) == body


def test_market_failure_callback_is_501_and_unsigned_without_key(
    kie_emulator: EmulatorHandle, client: httpx.Client, receiver: Receiver
) -> None:
    kie_emulator.set_fault("task-fail")
    body = {
        "model": "kling/v2-1-master-text-to-video",
        "callBackUrl": receiver.url("f"),
        "input": {"prompt": "p"},
    }
    task_id = create(client, "/api/v1/jobs/createTask", body)
    (call,) = one_call(receiver, "f")
    assert call.body["code"] == 501
    assert call.body["data"]["taskId"] == task_id
    assert call.body["data"]["state"] == "fail"
    assert "x-webhook-signature" not in call.headers


@pytest.mark.kie_emulator(webhook_hmac_key=KEY)
def test_veo_generation_extend_and_4k_callbacks(
    kie_emulator: EmulatorHandle, client: httpx.Client, receiver: Receiver
) -> None:
    generation = create(
        client,
        "/api/v1/veo/generate",
        {"prompt": "p", "aspect_ratio": "9:16", "callBackUrl": receiver.url("veo")},
    )
    (call,) = one_call(receiver, "veo")
    verify(call, generation)
    assert call.body["code"] == 200
    assert call.body["msg"] == "Veo3.1 video generated successfully."
    data = call.body["data"]
    assert data["taskId"] == generation
    assert set(data["info"]) == {"resultUrls", "originUrls", "resolution"}
    assert data["promptJson"]["aspectRatio"] == "9:16"
    assert data["fallbackFlag"] is False

    extension = create(
        client,
        "/api/v1/veo/extend",
        {"taskId": generation, "prompt": "more", "callBackUrl": receiver.url("extend")},
    )
    (call,) = one_call(receiver, "extend")
    verify(call, extension)
    assert call.body["msg"] == "Veo3.1 video extension successful."

    upgrade = ok_data(
        client.post(
            "/api/v1/veo/get-4k-video",
            json={"taskId": generation, "callBackUrl": receiver.url("4k")},
        )
    )["taskId"]
    (call,) = one_call(receiver, "4k")
    verify(call, upgrade)
    assert call.body == {
        "code": 200,
        "msg": "4K Video generated successfully.",
        "data": {"taskId": upgrade, "info": call.body["data"]["info"]},
    }
    assert set(call.body["data"]["info"]) == {"resultUrls", "imageUrls"}


def test_veo_16_9_callback_has_no_origin_urls_and_failure_shape(
    kie_emulator: EmulatorHandle, client: httpx.Client, receiver: Receiver
) -> None:
    create(client, "/api/v1/veo/generate", {"prompt": "p", "callBackUrl": receiver.url("a")})
    (call,) = one_call(receiver, "a")
    assert "originUrls" not in call.body["data"]["info"]
    kie_emulator.set_fault("task-fail")
    failed = create(
        client, "/api/v1/veo/generate", {"prompt": "p", "callBackUrl": receiver.url("b")}
    )
    (call,) = one_call(receiver, "b")
    assert call.body["code"] == 501
    assert call.body["data"] == {"taskId": failed, "fallbackFlag": False}


@pytest.mark.kie_emulator(webhook_hmac_key=KEY)
def test_runway_aleph_and_luma_callback_shapes(
    kie_emulator: EmulatorHandle, client: httpx.Client, receiver: Receiver
) -> None:
    runway = create(
        client,
        "/api/v1/runway/generate",
        {
            "prompt": "p",
            "duration": 5,
            "quality": "720p",
            "aspectRatio": "16:9",
            "callBackUrl": receiver.url("runway"),
        },
    )
    aleph = create(
        client,
        "/api/v1/aleph/generate",
        {"prompt": "p", "videoUrl": "https://x.test/v.mp4", "callBackUrl": receiver.url("aleph")},
    )
    luma = create(
        client,
        "/api/v1/modify/generate",
        {"prompt": "p", "videoUrl": "https://x.test/v.mp4", "callBackUrl": receiver.url("luma")},
    )
    (call,) = one_call(receiver, "runway")
    verify(call, runway)
    assert call.body["msg"] == "All generated successfully."
    assert set(call.body["data"]) == {"task_id", "video_id", "video_url", "image_url"}
    assert call.body["data"]["task_id"] == runway
    (call,) = one_call(receiver, "aleph")
    verify(call, aleph)
    assert call.body["taskId"] == aleph
    assert set(call.body["data"]) == {"result_video_url", "result_image_url"}
    (call,) = one_call(receiver, "luma")
    verify(call, luma)
    assert call.body["msg"] == "Modify record generated successfully."
    assert json.loads(call.body["data"]["promptJson"])["videoUrl"] == "https://x.test/v.mp4"
    assert call.body["data"]["taskId"] == luma


def test_failed_callbacks_are_retried(
    kie_emulator: EmulatorHandle, client: httpx.Client, receiver: Receiver
) -> None:
    receiver.statuses.extend([500, 503])
    body: dict[str, Any] = {
        "model": "kling/v2-1-master-text-to-video",
        "callBackUrl": receiver.url("retry"),
        "input": {"prompt": "p"},
    }
    task_id = create(client, "/api/v1/jobs/createTask", body)
    calls = one_call(receiver, "retry", count=3)
    assert [c.body for c in calls[1:]] == [calls[0].body] * 2
    task = kie_emulator.tasks[task_id]
    wait_until(lambda: len(task.callbacks) == 3)
    assert [c.status for c in task.callbacks] == [500, 503, 200]
    assert not task.callback_failed


def test_callback_timeout_counts_as_a_failure(
    kie_emulator: EmulatorHandle, client: httpx.Client, receiver: Receiver
) -> None:
    kie_emulator.configure(callback_timeout=0.2)
    receiver.statuses.append(0)  # the receiver answers after 0.5 s
    task_id = create(
        client,
        "/api/v1/aleph/generate",
        {"prompt": "p", "videoUrl": "https://x.test/v.mp4", "callBackUrl": receiver.url("slow")},
    )
    task = kie_emulator.tasks[task_id]
    wait_until(lambda: len(task.callbacks) == 2)
    assert task.callbacks[0].status is None
    assert "Timeout" in (task.callbacks[0].error or "")
    assert task.callbacks[1].status == 200


def test_luma_reports_callback_failure_after_every_retry(
    kie_emulator: EmulatorHandle, client: httpx.Client, receiver: Receiver
) -> None:
    kie_emulator.configure(callback_retries=2)
    receiver.statuses.extend([500, 500, 500])
    task_id = create(
        client,
        "/api/v1/modify/generate",
        {"prompt": "p", "videoUrl": "https://x.test/v.mp4", "callBackUrl": receiver.url("luma")},
    )
    task = kie_emulator.tasks[task_id]
    wait_until(lambda: task.callback_failed)
    assert len(task.callbacks) == 3
    record = ok_data(client.get("/api/v1/modify/record-info", params={"taskId": task_id}))
    assert record["successFlag"] == 4


def test_unreachable_receiver_is_recorded(
    kie_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    kie_emulator.configure(callback_retries=1)
    task_id = create(
        client,
        "/api/v1/jobs/createTask",
        {
            "model": "kling/v2-1-master-text-to-video",
            "callBackUrl": "http://127.0.0.1:9/cb",
            "input": {"prompt": "p"},
        },
    )
    task = kie_emulator.tasks[task_id]
    wait_until(lambda: task.callback_failed)
    assert all(c.status is None and c.error for c in task.callbacks)


def test_sign_matches_the_documented_formula() -> None:
    digest = hmac.new(b"k", b"abc.1700000000", hashlib.sha256).digest()
    assert sign("k", "abc", 1700000000) == base64.b64encode(digest).decode()
