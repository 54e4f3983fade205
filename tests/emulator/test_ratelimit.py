"""Rate limits: 20 creates per 10 s and 10 status queries per second, per key, not queued."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from .conftest import ASGI_KEY, err, ok_data

CREATE = "/api/v1/jobs/createTask"
RECORD = "/api/v1/jobs/recordInfo"
BODY = {"model": "kling/v2-5-turbo-text-to-video-pro", "input": {"prompt": "p"}}


async def test_create_limit_rejects_the_21st_and_charges_nothing(
    asgi: httpx.AsyncClient, asgi_app: Starlette
) -> None:
    em = asgi_app.state.emulator
    for _ in range(20):
        ok_data(await asgi.post(CREATE, json=BODY))
    em.advance(3)
    refused = await asgi.post(CREATE, json=BODY)
    assert err(refused, 429, http_status=429) == "Rate limit exceeded"
    assert refused.headers["Retry-After"] == "7"
    assert len(em.tasks) == 20
    assert em.credits == 10000 - 20 * 42
    assert em.create_count(BODY["model"]) == 20
    # Other endpoints are unaffected; a different key has its own window.
    ok_data(await asgi.get("/api/v1/chat/credit"))
    em.configure(api_key=None)
    ok_data(await asgi.post(CREATE, json=BODY, headers={"Authorization": "Bearer other"}))
    em.configure(api_key=ASGI_KEY)
    # Once the oldest hit leaves the window, one slot frees.
    em.advance(7)
    ok_data(await asgi.post(CREATE, json=BODY))


async def test_every_create_route_shares_the_limit(
    asgi: httpx.AsyncClient, asgi_app: Starlette
) -> None:
    em = asgi_app.state.emulator
    em.configure(create_limit=2)
    ok_data(await asgi.post("/api/v1/veo/generate", json={"prompt": "p"}))
    ok_data(
        await asgi.post(
            "/api/v1/modify/generate", json={"prompt": "p", "videoUrl": "https://x.test/v.mp4"}
        )
    )
    refused = await asgi.post(
        "/api/v1/runway/generate",
        json={"prompt": "p", "duration": 5, "quality": "720p", "aspectRatio": "16:9"},
    )
    assert err(refused, 429, http_status=429)
    assert int(refused.headers["Retry-After"]) >= 1


async def test_query_limit_is_ten_per_second(asgi: httpx.AsyncClient, asgi_app: Starlette) -> None:
    em = asgi_app.state.emulator
    task_id = ok_data(await asgi.post(CREATE, json=BODY))["taskId"]
    for _ in range(10):
        ok_data(await asgi.get(RECORD, params={"taskId": task_id}))
    refused = await asgi.get(RECORD, params={"taskId": task_id})
    assert err(refused, 429, http_status=429)
    assert refused.headers["Retry-After"] == "1"
    # Other record endpoints count against the same per-key query budget.
    assert err(await asgi.get("/api/v1/veo/record-info", params={"taskId": task_id}), 429, 429)
    em.advance(1)
    ok_data(await asgi.get(RECORD, params={"taskId": task_id}))


async def test_limits_are_configurable(asgi: httpx.AsyncClient, asgi_app: Starlette) -> None:
    asgi_app.state.emulator.configure(query_limit=1, query_window=5)
    assert err(await asgi.get(RECORD, params={"taskId": "x"}), 422)
    refused = await asgi.get(RECORD, params={"taskId": "x"})
    assert err(refused, 429, http_status=429)
    assert refused.headers["Retry-After"] == "5"
