"""Common endpoints and cross-cutting rules: credit, download-url, auth, unknown routes."""

from __future__ import annotations

import json

import httpx
import pytest
from kie_emulator.app import create_app
from kie_emulator.config import EmulatorConfig
from starlette.applications import Starlette

from .conftest import ASGI_KEY, err, ok_data

CREDIT = "/api/v1/chat/credit"
DOWNLOAD = "/api/v1/common/download-url"

API_ROUTES = [
    ("POST", "/api/v1/jobs/createTask"),
    ("GET", "/api/v1/jobs/recordInfo"),
    ("POST", "/api/v1/veo/generate"),
    ("GET", "/api/v1/veo/record-info"),
    ("GET", "/api/v1/veo/get-1080p-video"),
    ("POST", "/api/v1/veo/get-4k-video"),
    ("POST", "/api/v1/veo/extend"),
    ("POST", "/api/v1/runway/generate"),
    ("GET", "/api/v1/runway/record-detail"),
    ("POST", "/api/v1/runway/extend"),
    ("POST", "/api/v1/aleph/generate"),
    ("GET", "/api/v1/aleph/record-info"),
    ("POST", "/api/v1/modify/generate"),
    ("GET", "/api/v1/modify/record-info"),
    ("GET", "/api/v1/chat/credit"),
    ("POST", "/api/v1/common/download-url"),
]
UPLOAD_ROUTES = ["/api/file-base64-upload", "/api/file-stream-upload", "/api/file-url-upload"]


async def test_credit_is_a_bare_number(asgi: httpx.AsyncClient, asgi_app: Starlette) -> None:
    assert ok_data(await asgi.get(CREDIT)) == 10000
    asgi_app.state.emulator.set_credits(12.5)
    assert ok_data(await asgi.get(CREDIT)) == 12.5


@pytest.mark.parametrize(("method", "path"), API_ROUTES)
@pytest.mark.parametrize("header", [None, "Bearer wrong", "Bearer ", "Basic " + ASGI_KEY, ASGI_KEY])
async def test_every_api_route_needs_the_key(
    asgi: httpx.AsyncClient, method: str, path: str, header: str | None
) -> None:
    headers = {"Authorization": header} if header is not None else {}
    request = asgi.build_request(method, path, json={}, headers=headers)
    if header is None:
        request.headers.pop("Authorization")
    response = await asgi.send(request)
    assert response.status_code == 200
    assert response.json() == {
        "code": 401,
        "msg": "You do not have access permissions",
        "data": None,
    }


@pytest.mark.parametrize("path", UPLOAD_ROUTES)
async def test_upload_host_auth_failure_shape(asgi: httpx.AsyncClient, path: str) -> None:
    response = await asgi.post(path, json={}, headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 200
    assert response.json() == {
        "success": False,
        "code": 401,
        "msg": "Authentication failed: Invalid API Key",
    }


async def test_any_key_is_accepted_when_none_is_configured() -> None:
    app = create_app(EmulatorConfig(api_key=None))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://kie.test"
    ) as c:
        assert ok_data(await c.get(CREDIT, headers={"Authorization": "Bearer anything"}))
        assert err(await c.get(CREDIT), 401)


async def test_unknown_api_route_and_wrong_method(asgi: httpx.AsyncClient) -> None:
    assert err(await asgi.get("/api/v1/kling/generate"), 404, http_status=404)
    assert err(await asgi.get("/api/v1/jobs/createTask"), 405, http_status=405)
    response = await asgi.get("/api/file-base64-upload")
    assert response.status_code == 405
    assert response.json() == {"success": False, "code": 405, "msg": "Method not allowed"}


async def _finished_result_url(asgi: httpx.AsyncClient, app: Starlette) -> str:
    body = {"model": "kling/v2-1-master-text-to-video", "input": {"prompt": "p"}}
    task_id = ok_data(await asgi.post("/api/v1/jobs/createTask", json=body))["taskId"]
    app.state.emulator.advance(100)
    record = ok_data(await asgi.get("/api/v1/jobs/recordInfo", params={"taskId": task_id}))
    url = json.loads(record["resultJson"])["resultUrls"][0]
    assert isinstance(url, str)
    return url


async def test_download_url_issues_a_20_minute_link(
    asgi: httpx.AsyncClient, asgi_app: Starlette
) -> None:
    em = asgi_app.state.emulator
    url = await _finished_result_url(asgi, asgi_app)
    fresh = ok_data(await asgi.post(DOWNLOAD, json={"url": url}))
    assert isinstance(fresh, str)
    assert fresh != url and fresh.endswith(".mp4")
    assert (await asgi.get(fresh)).status_code == 200
    em.advance(20 * 60 + 1)
    assert (await asgi.get(fresh)).status_code == 403


async def test_download_url_rejects_external_and_missing_urls(asgi: httpx.AsyncClient) -> None:
    external = "https://tempfile.aiquickdraw.com/v/x.mp4"
    msg = err(await asgi.post(DOWNLOAD, json={"url": external}), 422)
    assert msg == "Invalid URL (External file URLs are not supported)"
    forged = "http://kie.test/files/" + "0" * 32 + "/x.mp4"
    assert err(await asgi.post(DOWNLOAD, json={"url": forged}), 422)
    assert "url" in err(await asgi.post(DOWNLOAD, json={}), 422)


async def test_every_create_route_answers_402_without_credits(
    asgi: httpx.AsyncClient, asgi_app: Starlette
) -> None:
    em = asgi_app.state.emulator
    veo = ok_data(await asgi.post("/api/v1/veo/generate", json={"prompt": "p"}))["taskId"]
    runway_body = {"prompt": "p", "duration": 5, "quality": "720p", "aspectRatio": "16:9"}
    runway = ok_data(await asgi.post("/api/v1/runway/generate", json=runway_body))["taskId"]
    em.advance(101)
    em.set_credits(1)
    tasks_before = set(em.tasks)
    video = "https://x.test/v.mp4"
    attempts = [
        (
            "POST",
            "/api/v1/jobs/createTask",
            {"model": "sora-2-text-to-video", "input": {"prompt": "p"}},
        ),
        ("POST", "/api/v1/veo/generate", {"prompt": "p"}),
        ("POST", "/api/v1/veo/extend", {"taskId": veo, "prompt": "p"}),
        ("POST", "/api/v1/veo/get-4k-video", {"taskId": veo}),
        ("GET", f"/api/v1/veo/get-1080p-video?taskId={veo}", None),
        ("POST", "/api/v1/runway/generate", runway_body),
        ("POST", "/api/v1/runway/extend", {"taskId": runway, "prompt": "p", "quality": "720p"}),
        ("POST", "/api/v1/aleph/generate", {"prompt": "p", "videoUrl": video}),
        ("POST", "/api/v1/modify/generate", {"prompt": "p", "videoUrl": video}),
    ]
    for method, path, body in attempts:
        response = await asgi.request(method, path, json=body)
        assert err(response, 402), path
    assert set(em.tasks) == tasks_before
    assert em.credits == 1
