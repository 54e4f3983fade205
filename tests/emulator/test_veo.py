"""Veo 3.1: generate validation, record-info, 1080P and 4K upgrades, extend."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from kie_emulator.pytest_plugin import EmulatorHandle
from starlette.applications import Starlette

from .conftest import create, err, ok_data, wait_until

GENERATE = "/api/v1/veo/generate"
RECORD = "/api/v1/veo/record-info"
HD = "/api/v1/veo/get-1080p-video"
UHD = "/api/v1/veo/get-4k-video"
EXTEND = "/api/v1/veo/extend"
IMG = "https://example.com/a.png"


async def credits(asgi: httpx.AsyncClient) -> float:
    return float(ok_data(await asgi.get("/api/v1/chat/credit")))


async def record(asgi: httpx.AsyncClient, task_id: str) -> dict[str, Any]:
    data = ok_data(await asgi.get(RECORD, params={"taskId": task_id}))
    assert isinstance(data, dict)
    return data


async def finished_generation(
    asgi: httpx.AsyncClient, app: Starlette, body: dict[str, Any] | None = None
) -> str:
    task_id = ok_data(await asgi.post(GENERATE, json=body or {"prompt": "a dog"}))["taskId"]
    app.state.emulator.advance(101)
    assert (await record(asgi, task_id))["successFlag"] == 1
    return str(task_id)


@pytest.mark.parametrize(
    ("body", "price"),
    [
        ({"prompt": "p"}, 80),
        ({"prompt": "p", "model": "veo3"}, 250),
        ({"prompt": "p", "model": "veo3_lite"}, 30),
        ({"prompt": "p", "model": "veo3_fast", "resolution": "1080p"}, 85),
        ({"prompt": "p", "model": "veo3_fast", "resolution": "4k"}, 200),
        ({"prompt": "p", "aspect_ratio": "9:16"}, 80),
        ({"prompt": "p", "aspectRatio": "9:16"}, 80),
        ({"prompt": "p", "aspect_ratio": "Auto", "aspectRatio": "Auto"}, 80),
        ({"prompt": "p", "imageUrls": [IMG]}, 80),
        (
            {
                "prompt": "p",
                "imageUrls": [IMG, IMG],
                "generationType": "FIRST_AND_LAST_FRAMES_2_VIDEO",
            },
            80,
        ),
        ({"prompt": "p", "imageUrls": [IMG] * 3, "generationType": "REFERENCE_2_VIDEO"}, 80),
        ({"prompt": "p", "seeds": 10000, "watermark": "Brand", "enableTranslation": False}, 80),
        ({"prompt": "p", "enableFallback": False, "callBackUrl": "https://x.test/cb"}, 80),
    ],
)
async def test_generate_accepts_documented_bodies(
    asgi: httpx.AsyncClient, body: dict[str, Any], price: float
) -> None:
    before = await credits(asgi)
    task_id = ok_data(await asgi.post(GENERATE, json=body))["taskId"]
    assert len(task_id) == 32
    assert await credits(asgi) == before - price


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({}, "prompt"),
        ({"prompt": "p", "model": "veo2"}, "model"),
        ({"prompt": "p", "aspect_ratio": "1:1"}, "aspect_ratio"),
        ({"prompt": "p", "aspectRatio": "4:3"}, "aspectRatio"),
        ({"prompt": "p", "aspect_ratio": "16:9", "aspectRatio": "9:16"}, "aspectRatio"),
        ({"prompt": "p", "seeds": 9999}, "seeds"),
        ({"prompt": "p", "seeds": 100000}, "seeds"),
        ({"prompt": "p", "resolution": "1080P"}, "resolution"),
        ({"prompt": "p", "waterMark": "Brand"}, "waterMark"),
        ({"prompt": "p", "generationType": "TEXT_2_VIDEO", "imageUrls": [IMG]}, "imageUrls"),
        ({"prompt": "p", "imageUrls": [IMG] * 3}, "imageUrls"),
        ({"prompt": "p", "generationType": "FIRST_AND_LAST_FRAMES_2_VIDEO"}, "imageUrls"),
        ({"prompt": "p", "generationType": "REFERENCE_2_VIDEO"}, "imageUrls"),
        (
            {"prompt": "p", "generationType": "REFERENCE_2_VIDEO", "imageUrls": [IMG] * 4},
            "imageUrls",
        ),
        (
            {
                "prompt": "p",
                "generationType": "REFERENCE_2_VIDEO",
                "imageUrls": [IMG],
                "model": "veo3",
            },
            "veo3",
        ),
        (
            {
                "prompt": "p",
                "generationType": "REFERENCE_2_VIDEO",
                "imageUrls": [IMG],
                "aspect_ratio": "Auto",
            },
            "aspect_ratio",
        ),
        ({"prompt": "p", "enableTranslation": "yes"}, "enableTranslation"),
    ],
)
async def test_generate_rejects_invalid_bodies(
    asgi: httpx.AsyncClient, body: dict[str, Any], needle: str
) -> None:
    before = await credits(asgi)
    assert needle in err(await asgi.post(GENERATE, json=body), 422)
    assert await credits(asgi) == before


async def test_record_info_lifecycle_and_shape(
    asgi: httpx.AsyncClient, asgi_app: Starlette
) -> None:
    body = {"prompt": "a dog", "aspect_ratio": "16:9", "seeds": 12345, "watermark": "Brand"}
    task_id = ok_data(await asgi.post(GENERATE, json=body))["taskId"]
    running = await record(asgi, task_id)
    assert running["successFlag"] == 0
    assert running["response"] is None
    assert running["completeTime"] is None
    assert isinstance(running["createTime"], int)
    assert running["errorCode"] is None and running["errorMessage"] is None
    assert running["fallbackFlag"] is False
    params = json.loads(running["paramJson"])
    assert params["aspectRatio"] == "16:9"
    assert params["waterMark"] == "Brand"
    assert params["model"] == "veo3_fast"
    asgi_app.state.emulator.advance(101)
    done = await record(asgi, task_id)
    assert done["successFlag"] == 1
    assert done["completeTime"] - done["createTime"] == 100_000
    response = done["response"]
    assert response["taskId"] == task_id
    assert response["resultUrls"][0].endswith(".mp4")
    assert response["originUrls"] is None
    assert response["fullResultUrls"] is None
    assert response["resolution"] == "720p"
    assert response["seeds"] == [12345]
    assert response["hasAudioList"] == [True]


async def test_origin_urls_only_when_not_16_9(asgi: httpx.AsyncClient, asgi_app: Starlette) -> None:
    task_id = await finished_generation(asgi, asgi_app, {"prompt": "p", "aspectRatio": "9:16"})
    response = (await record(asgi, task_id))["response"]
    assert len(response["originUrls"]) == 1
    assert response["originUrls"] != response["resultUrls"]


async def test_failed_generation_is_flag_3_and_refunded(
    asgi: httpx.AsyncClient, asgi_app: Starlette
) -> None:
    em = asgi_app.state.emulator
    em.set_fault("task-fail", times=1)
    task_id = ok_data(await asgi.post(GENERATE, json={"prompt": "p", "model": "veo3"}))["taskId"]
    assert em.credits == 10000 - 250
    em.advance(101)
    data = await record(asgi, task_id)
    assert data["successFlag"] == 3
    assert data["errorCode"] == 501
    assert data["errorMessage"]
    assert data["response"] is None
    assert em.credits == 10000


async def test_record_info_errors(asgi: httpx.AsyncClient) -> None:
    assert err(await asgi.get(RECORD, params={"taskId": "f" * 32}), 422) == "record is null."
    assert err(await asgi.get(RECORD), 400)


async def test_1080p_is_not_ready_then_ready(asgi: httpx.AsyncClient, asgi_app: Starlette) -> None:
    em = asgi_app.state.emulator
    task_id = await finished_generation(asgi, asgi_app)
    before = em.credits
    first = await asgi.get(HD, params={"taskId": task_id, "index": 0})
    assert err(first, 400).startswith("1080P is processing")
    assert em.credits == before - 5
    again = await asgi.get(HD, params={"taskId": task_id})
    assert err(again, 400).startswith("1080P is processing")
    assert em.credits == before - 5
    em.advance(101)
    url = ok_data(await asgi.get(HD, params={"taskId": task_id, "index": 0}))["resultUrl"]
    assert isinstance(url, str) and url.endswith(".mp4")
    assert err(await asgi.get(HD, params={"taskId": task_id, "index": 1}), 422)
    assert err(await asgi.get(HD, params={"taskId": "0" * 32}), 422) == "record is null."


async def test_1080p_needs_a_successful_task(asgi: httpx.AsyncClient) -> None:
    task_id = ok_data(await asgi.post(GENERATE, json={"prompt": "p"}))["taskId"]
    msg = err(await asgi.get(HD, params={"taskId": task_id}), 422)
    assert msg == "record status is not success."


async def test_4k_first_call_then_processing_then_generated(
    asgi: httpx.AsyncClient, asgi_app: Starlette
) -> None:
    em = asgi_app.state.emulator
    task_id = await finished_generation(asgi, asgi_app)
    before = em.credits
    first = ok_data(await asgi.post(UHD, json={"taskId": task_id, "index": 0}))
    assert first["resultUrls"] is None and first["imageUrls"] is None
    upgrade_id = first["taskId"]
    assert len(upgrade_id) == 32
    assert em.credits == before - 120
    again = (await asgi.post(UHD, json={"taskId": task_id})).json()
    assert again["code"] == 422
    assert again["msg"].startswith("4k is processing")
    assert again["data"] == {"taskId": upgrade_id, "resultUrls": None, "imageUrls": None}
    assert em.credits == before - 120
    em.advance(101)
    done = (await asgi.post(UHD, json={"taskId": task_id})).json()
    assert done["code"] == 422
    assert done["msg"] == "The video has been generated successfully"
    assert done["data"]["resultUrls"][0].endswith(".mp4")
    assert done["data"]["imageUrls"][0].endswith(".jpg")
    upgrade = await record(asgi, upgrade_id)
    assert upgrade["successFlag"] == 1
    assert upgrade["response"]["resolution"] == "4k"
    assert "fallbackFlag" not in upgrade


async def test_4k_validation(asgi: httpx.AsyncClient) -> None:
    assert "taskId" in err(await asgi.post(UHD, json={}), 422)
    assert err(await asgi.post(UHD, json={"taskId": "0" * 32}), 422) == "record is null."


async def test_extend_creates_a_task_with_full_result_urls(
    asgi: httpx.AsyncClient, asgi_app: Starlette
) -> None:
    em = asgi_app.state.emulator
    original = await finished_generation(asgi, asgi_app, {"prompt": "p", "aspect_ratio": "9:16"})
    before = em.credits
    body = {"taskId": original, "prompt": "it keeps running", "model": "quality", "seeds": 12345}
    task_id = ok_data(await asgi.post(EXTEND, json=body))["taskId"]
    assert task_id != original
    assert em.credits == before - 250
    assert (await record(asgi, task_id))["successFlag"] == 0
    em.advance(101)
    response = (await record(asgi, task_id))["response"]
    assert len(response["fullResultUrls"]) == 1
    assert len(response["originUrls"]) == 1
    assert json.loads((await record(asgi, task_id))["paramJson"])["taskId"] == original


async def test_extend_errors(asgi: httpx.AsyncClient, asgi_app: Starlette) -> None:
    assert err(await asgi.post(EXTEND, json={"taskId": "0" * 32, "prompt": "p"}), 404)
    running = ok_data(await asgi.post(GENERATE, json={"prompt": "p"}))["taskId"]
    assert err(await asgi.post(EXTEND, json={"taskId": running, "prompt": "p"}), 422)
    original = await finished_generation(asgi, asgi_app)
    assert "model" in err(
        await asgi.post(EXTEND, json={"taskId": original, "prompt": "p", "model": "veo3"}), 422
    )
    assert "prompt" in err(await asgi.post(EXTEND, json={"taskId": original}), 422)
    upgrade = ok_data(await asgi.post(UHD, json={"taskId": original}))["taskId"]
    asgi_app.state.emulator.advance(101)
    msg = err(await asgi.post(EXTEND, json={"taskId": upgrade, "prompt": "p"}), 422)
    assert "upgrade cannot be extended" in msg


def test_served_veo_generation_completes_without_clock_tricks(
    kie_emulator: EmulatorHandle, client: httpx.Client, http: httpx.Client
) -> None:
    task_id = create(client, GENERATE, {"prompt": "p", "model": "veo3_lite"})

    def done() -> dict[str, Any] | None:
        data = ok_data(client.get(RECORD, params={"taskId": task_id}))
        return data if data["successFlag"] == 1 else None

    url = wait_until(done)["response"]["resultUrls"][0]
    assert http.get(url).content[4:8] == b"ftyp"
    assert kie_emulator.credits == 10000 - 30
