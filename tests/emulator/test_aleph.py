"""Runway Aleph: generate validation and record-info (successFlag 0/1, ISO times)."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from .conftest import err, ok_data

GENERATE = "/api/v1/aleph/generate"
RECORD = "/api/v1/aleph/record-info"
VIDEO = "https://example.com/input.mp4"
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


async def record(asgi: httpx.AsyncClient, task_id: str) -> dict[str, Any]:
    data = ok_data(await asgi.get(RECORD, params={"taskId": task_id}))
    assert isinstance(data, dict)
    return data


async def test_generate_and_record_lifecycle(asgi: httpx.AsyncClient, asgi_app: Starlette) -> None:
    em = asgi_app.state.emulator
    body = {
        "prompt": "an eagle",
        "videoUrl": VIDEO,
        "callBackUrl": "https://api.example.com/callback",
        "waterMark": "kie.ai",
        "uploadCn": False,
        "aspectRatio": "16:9",
        "seed": 123456,
        "referenceImage": "https://example.com/reference.jpg",
    }
    task_id = ok_data(await asgi.post(GENERATE, json=body))["taskId"]
    assert em.credits == 10000 - 30
    running = await record(asgi, task_id)
    assert running["successFlag"] == 0
    assert running["errorCode"] == 0 and running["errorMessage"] == ""
    assert running["response"] is None and running["completeTime"] is None
    assert ISO.match(running["createTime"])
    assert json.loads(running["paramJson"]) == body
    em.advance(101)
    done = await record(asgi, task_id)
    assert done["successFlag"] == 1
    assert ISO.match(done["completeTime"])
    assert set(done["response"]) == {"taskId", "resultVideoUrl", "resultImageUrl"}
    assert done["response"]["resultVideoUrl"].endswith(".mp4")


async def test_failed_task_is_flag_0_with_error(
    asgi: httpx.AsyncClient, asgi_app: Starlette
) -> None:
    em = asgi_app.state.emulator
    em.set_fault("task-fail")
    task_id = ok_data(await asgi.post(GENERATE, json={"prompt": "p", "videoUrl": VIDEO}))["taskId"]
    em.advance(101)
    data = await record(asgi, task_id)
    assert data["successFlag"] == 0
    assert data["errorCode"] == 400 and data["errorMessage"]
    assert data["completeTime"] is not None
    assert em.credits == 10000


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"videoUrl": VIDEO}, "prompt"),
        ({"prompt": "p"}, "videoUrl"),
        ({"prompt": "p", "videoUrl": "ftp://x/y.mp4"}, "videoUrl"),
        ({"prompt": "p", "videoUrl": VIDEO, "aspectRatio": "2:1"}, "aspectRatio"),
        ({"prompt": "p", "videoUrl": VIDEO, "uploadCn": "no"}, "uploadCn"),
        ({"prompt": "p", "videoUrl": VIDEO, "seed": "1"}, "seed"),
        ({"prompt": "p", "videoUrl": VIDEO, "watermark": "x"}, "watermark"),
    ],
)
async def test_generate_rejects_invalid_bodies(
    asgi: httpx.AsyncClient, body: dict[str, Any], needle: str
) -> None:
    assert needle in err(await asgi.post(GENERATE, json=body), 422)


async def test_unknown_task(asgi: httpx.AsyncClient) -> None:
    assert err(await asgi.get(RECORD, params={"taskId": "0" * 32}), 422)
