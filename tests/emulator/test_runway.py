"""Runway: generate validation, record-detail lifecycle, extend."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from .conftest import err, ok_data

GENERATE = "/api/v1/runway/generate"
DETAIL = "/api/v1/runway/record-detail"
EXTEND = "/api/v1/runway/extend"
IMG = "https://example.com/cat.jpg"


async def detail(asgi: httpx.AsyncClient, task_id: str) -> dict[str, Any]:
    data = ok_data(await asgi.get(DETAIL, params={"taskId": task_id}))
    assert isinstance(data, dict)
    return data


async def credits(asgi: httpx.AsyncClient) -> float:
    return float(ok_data(await asgi.get("/api/v1/chat/credit")))


@pytest.mark.parametrize(
    ("body", "price"),
    [
        ({"prompt": "p", "duration": 5, "quality": "720p", "aspectRatio": "16:9"}, 12),
        ({"prompt": "p", "duration": 10, "quality": "720p", "aspectRatio": "9:16"}, 30),
        ({"prompt": "p", "duration": 5, "quality": "1080p", "imageUrl": IMG}, 30),
        (
            {
                "prompt": "p",
                "imageUrl": IMG,
                "duration": 5,
                "quality": "720p",
                "aspectRatio": "16:9",
                "waterMark": "kie.ai",
                "callBackUrl": "https://api.example.com/callback",
            },
            12,
        ),
    ],
)
async def test_generate_charges_by_quality_and_duration(
    asgi: httpx.AsyncClient, body: dict[str, Any], price: float
) -> None:
    before = await credits(asgi)
    ok_data(await asgi.post(GENERATE, json=body))
    assert await credits(asgi) == before - price


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"duration": 5, "quality": "720p", "aspectRatio": "16:9"}, "prompt"),
        ({"prompt": "p" * 1801, "duration": 5, "quality": "720p", "aspectRatio": "16:9"}, "1800"),
        ({"prompt": "p", "quality": "720p", "aspectRatio": "16:9"}, "duration"),
        ({"prompt": "p", "duration": "5", "quality": "720p", "aspectRatio": "16:9"}, "duration"),
        ({"prompt": "p", "duration": 8, "quality": "720p", "aspectRatio": "16:9"}, "duration"),
        ({"prompt": "p", "duration": 5, "aspectRatio": "16:9"}, "quality"),
        ({"prompt": "p", "duration": 5, "quality": "4k", "aspectRatio": "16:9"}, "quality"),
        ({"prompt": "p", "duration": 10, "quality": "1080p", "aspectRatio": "16:9"}, "1080p"),
        ({"prompt": "p", "duration": 5, "quality": "720p"}, "aspectRatio"),
        ({"prompt": "p", "duration": 5, "quality": "720p", "aspectRatio": "21:9"}, "aspectRatio"),
        (
            {"prompt": "p", "duration": 5, "quality": "720p", "imageUrl": IMG, "watermark": "x"},
            "watermark",
        ),
    ],
)
async def test_generate_rejects_invalid_bodies(
    asgi: httpx.AsyncClient, body: dict[str, Any], needle: str
) -> None:
    assert needle in err(await asgi.post(GENERATE, json=body), 422)


async def test_record_detail_lifecycle(asgi: httpx.AsyncClient, asgi_app: Starlette) -> None:
    em = asgi_app.state.emulator
    body = {"prompt": "cat", "duration": 5, "quality": "720p", "imageUrl": IMG}
    task_id = ok_data(await asgi.post(GENERATE, json=body))["taskId"]
    first = await detail(asgi, task_id)
    assert first["state"] == "wait"
    assert first["parentTaskId"] == ""
    assert first["generateParam"] == {"prompt": "cat", "imageUrl": IMG, "expandPrompt": True}
    assert first["videoInfo"] is None
    assert first["failCode"] is None and first["failMsg"] == ""
    assert first["expireFlag"] == 0
    assert len(first["generateTime"]) == len("2023-08-15 14:30:45")
    seen = []
    for _ in range(4):
        em.advance(20)
        seen.append((await detail(asgi, task_id))["state"])
    assert seen == ["queueing", "generating", "generating", "generating"]
    em.advance(30)
    done = await detail(asgi, task_id)
    assert done["state"] == "success"
    info = done["videoInfo"]
    assert set(info) == {"videoId", "taskId", "videoUrl", "imageUrl"}
    assert info["taskId"] == task_id
    assert info["videoUrl"].endswith(".mp4") and info["imageUrl"].endswith(".png")
    em.advance(15 * 24 * 3600)
    assert (await detail(asgi, task_id))["expireFlag"] == 1


async def test_failed_task(asgi: httpx.AsyncClient, asgi_app: Starlette) -> None:
    em = asgi_app.state.emulator
    em.set_fault("task-fail", times=1)
    body = {"prompt": "p", "duration": 5, "quality": "720p", "aspectRatio": "1:1"}
    task_id = ok_data(await asgi.post(GENERATE, json=body))["taskId"]
    em.advance(101)
    data = await detail(asgi, task_id)
    assert data["state"] == "fail"
    assert data["failCode"] == 400
    assert data["failMsg"]
    assert data["videoInfo"] is None
    assert em.credits == 10000


async def test_extend(asgi: httpx.AsyncClient, asgi_app: Starlette) -> None:
    em = asgi_app.state.emulator
    body = {"prompt": "p", "duration": 5, "quality": "720p", "aspectRatio": "16:9"}
    original = ok_data(await asgi.post(GENERATE, json=body))["taskId"]
    extend = {"taskId": original, "prompt": "next", "quality": "1080p"}
    assert err(await asgi.post(EXTEND, json=extend), 422) == "record status is not success."
    em.advance(101)
    before = em.credits
    task_id = ok_data(await asgi.post(EXTEND, json=extend))["taskId"]
    assert em.credits == before - 30
    em.advance(101)
    data = await detail(asgi, task_id)
    assert data["parentTaskId"] == original
    assert data["state"] == "success"
    assert err(await asgi.post(EXTEND, json={**extend, "taskId": "0" * 32}), 404)
    assert "quality" in err(await asgi.post(EXTEND, json={"taskId": original, "prompt": "p"}), 422)
    # The docs' example carries imageUrl and expandPrompt: tolerated.
    ok_data(
        await asgi.post(
            EXTEND, json={**extend, "quality": "720p", "imageUrl": IMG, "expandPrompt": True}
        )
    )


async def test_unknown_task(asgi: httpx.AsyncClient) -> None:
    assert err(await asgi.get(DETAIL, params={"taskId": "0" * 32}), 422)
    assert err(await asgi.get(DETAIL), 400)
