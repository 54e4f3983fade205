"""Luma Modify: generate validation and record-info (successFlag 0-4)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from .conftest import err, ok_data

GENERATE = "/api/v1/modify/generate"
RECORD = "/api/v1/modify/record-info"
VIDEO = "https://example.com/input-video.mp4"


async def record(asgi: httpx.AsyncClient, task_id: str) -> dict[str, Any]:
    data = ok_data(await asgi.get(RECORD, params={"taskId": task_id}))
    assert isinstance(data, dict)
    return data


async def test_generate_and_record_lifecycle(asgi: httpx.AsyncClient, asgi_app: Starlette) -> None:
    em = asgi_app.state.emulator
    body = {
        "prompt": "a futuristic city",
        "videoUrl": VIDEO,
        "callBackUrl": "https://example.com/cb",
        "watermark": "wm",
    }
    task_id = ok_data(await asgi.post(GENERATE, json=body))["taskId"]
    assert em.credits == 10000 - 60
    running = await record(asgi, task_id)
    assert running["successFlag"] == 0
    assert running["response"] is None and running["completeTime"] is None
    assert running["errorCode"] is None and running["errorMessage"] is None
    assert json.loads(running["paramJson"]) == {
        "callBackUrl": "https://example.com/cb",
        "prompt": "a futuristic city",
        "videoUrl": VIDEO,
        "waterMark": "wm",
    }
    em.advance(101)
    done = await record(asgi, task_id)
    assert done["successFlag"] == 1
    assert isinstance(done["completeTime"], int)
    assert done["response"]["originUrls"] == [VIDEO]
    assert done["response"]["resultUrls"][0].endswith(".mp4")


async def test_failed_task_is_flag_3(asgi: httpx.AsyncClient, asgi_app: Starlette) -> None:
    em = asgi_app.state.emulator
    em.set_fault("task-fail")
    task_id = ok_data(await asgi.post(GENERATE, json={"prompt": "p", "videoUrl": VIDEO}))["taskId"]
    em.advance(101)
    data = await record(asgi, task_id)
    assert data["successFlag"] == 3
    assert data["errorCode"] == 501
    assert em.credits == 10000


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"videoUrl": VIDEO}, "prompt"),
        ({"prompt": "p"}, "videoUrl"),
        ({"prompt": "p", "videoUrl": VIDEO, "waterMark": "x"}, "waterMark"),
        ({"prompt": "p", "videoUrl": VIDEO, "callBackUrl": "nope"}, "callBackUrl"),
    ],
)
async def test_generate_rejects_invalid_bodies(
    asgi: httpx.AsyncClient, body: dict[str, Any], needle: str
) -> None:
    assert needle in err(await asgi.post(GENERATE, json=body), 422)


async def test_unknown_task(asgi: httpx.AsyncClient) -> None:
    assert err(await asgi.get(RECORD, params={"taskId": "0" * 32}), 422)
