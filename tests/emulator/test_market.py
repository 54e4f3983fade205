"""Market API: createTask validation per model, recordInfo lifecycle, prices, failures."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from kie_emulator.pytest_plugin import EmulatorHandle
from starlette.applications import Starlette

from .conftest import create, err, ok_data, wait_until

CREATE = "/api/v1/jobs/createTask"
RECORD = "/api/v1/jobs/recordInfo"
IMG = "https://example.com/frame.png"
AUDIO = "https://example.com/line.mp3"

# model -> (minimal valid input, credits it costs with the documented defaults)
MODELS: dict[str, tuple[dict[str, Any], float]] = {
    "sora-2-text-to-video": ({"prompt": "p"}, 20),
    "sora-2-image-to-video": ({"prompt": "p", "image_urls": [IMG]}, 20),
    "sora-2-pro-text-to-video": ({"prompt": "p", "upload_method": "s3"}, 330),
    "sora-2-pro-image-to-video": (
        {"prompt": "p", "image_urls": [IMG], "upload_method": "s3"},
        150,
    ),
    "kling/v2-1-pro": ({"prompt": "p", "image_url": IMG}, 50),
    "kling/v2-1-standard": ({"prompt": "p", "image_url": IMG}, 25),
    "kling/v2-1-master-image-to-video": ({"prompt": "p", "image_url": IMG}, 160),
    "kling/v2-1-master-text-to-video": ({"prompt": "p"}, 160),
    "kling/v2-5-turbo-text-to-video-pro": ({"prompt": "p"}, 42),
    "kling/v2-5-turbo-image-to-video-pro": ({"prompt": "p", "image_url": IMG}, 42),
    "kling/ai-avatar-standard": ({"image_url": IMG, "audio_url": AUDIO, "prompt": ""}, 120),
    "kling/ai-avatar-pro": ({"image_url": IMG, "audio_url": AUDIO, "prompt": ""}, 240),
    "hailuo/02-text-to-video-pro": ({"prompt": "p"}, 57),
    "hailuo/02-text-to-video-standard": ({"prompt": "p"}, 30),
    "hailuo/02-image-to-video-pro": ({"prompt": "p", "image_url": IMG}, 57),
    "hailuo/02-image-to-video-standard": ({"prompt": "p", "image_url": IMG}, 50),
    "hailuo/2-3-image-to-video-pro": ({"prompt": "p", "image_url": IMG}, 45),
    "hailuo/2-3-image-to-video-standard": ({"prompt": "p", "image_url": IMG}, 30),
    "wan/2-5-text-to-video": ({"prompt": "p", "duration": "5"}, 100),
    "wan/2-5-image-to-video": ({"prompt": "p", "image_url": IMG, "duration": "5"}, 100),
    "wan/2-2-a14b-speech-to-video-turbo": (
        {"prompt": "p", "image_url": IMG, "audio_url": AUDIO},
        60,
    ),
    "bytedance/v1-pro-text-to-video": ({"prompt": "p"}, 30),
    "bytedance/v1-pro-image-to-video": ({"prompt": "p", "image_url": IMG}, 30),
    "bytedance/v1-lite-text-to-video": ({"prompt": "p"}, 30),
    "bytedance/v1-lite-image-to-video": ({"prompt": "p", "image_url": IMG}, 22.5),
    "bytedance/v1-pro-fast-image-to-video": ({"prompt": "p", "image_url": IMG}, 16),
}


def emulator_of(app: Starlette) -> Any:
    return app.state.emulator


async def credits(asgi: httpx.AsyncClient) -> float:
    return float(ok_data(await asgi.get("/api/v1/chat/credit")))


@pytest.mark.parametrize("model", sorted(MODELS))
async def test_every_model_accepts_its_minimal_input_and_charges_its_price(
    asgi: httpx.AsyncClient, model: str
) -> None:
    data, price = MODELS[model]
    before = await credits(asgi)
    body = {"model": model, "callBackUrl": "https://example.com/cb", "input": data}
    task_id = ok_data(await asgi.post(CREATE, json=body))["taskId"]
    assert len(task_id) == 32
    assert task_id == task_id.lower()
    int(task_id, 16)
    assert await credits(asgi) == before - price
    record = ok_data(await asgi.get(RECORD, params={"taskId": task_id}))
    assert record["creditsConsumed"] == price
    assert record["model"] == model
    assert json.loads(record["param"]) == body
    assert ("progress" in record) == model.startswith("sora-")


@pytest.mark.parametrize("model", sorted(MODELS))
async def test_every_required_field_and_unknown_key_is_enforced(
    asgi: httpx.AsyncClient, model: str
) -> None:
    data, _ = MODELS[model]
    for name in data:
        if name == "prompt" and model.startswith("kling/ai-avatar"):
            continue  # the avatar prompt may be empty, but must be present
        partial = {k: v for k, v in data.items() if k != name}
        msg = err(await asgi.post(CREATE, json={"model": model, "input": partial}), 422)
        assert f"input.{name}" in msg
        assert "This field is required" in msg
    extra = {**data, "surprise": 1}
    msg = err(await asgi.post(CREATE, json={"model": model, "input": extra}), 422)
    assert "surprise" in msg


@pytest.mark.parametrize(
    ("model", "data", "needle"),
    [
        ("kling/v2-1-pro", {"prompt": "p", "image_url": IMG, "duration": 5}, "input.duration"),
        ("kling/v2-1-pro", {"prompt": "p", "image_url": IMG, "duration": "7"}, '"5", "10"'),
        ("kling/v2-1-master-text-to-video", {"prompt": "p", "aspect_ratio": "4:3"}, "16:9"),
        ("kling/v2-1-pro", {"prompt": "p", "image_url": IMG, "cfg_scale": 1.5}, "between 0"),
        ("kling/v2-1-pro", {"prompt": "p", "image_url": IMG, "cfg_scale": 0.55}, "multiple"),
        ("kling/v2-1-pro", {"prompt": "p" * 5001, "image_url": IMG}, "5000 characters"),
        ("kling/v2-1-pro", {"prompt": "p", "image_url": "not a url"}, "input.image_url"),
        ("kling/v2-1-standard", {"prompt": "p", "image_url": IMG, "tail_image_url": IMG}, "tail"),
        ("hailuo/02-text-to-video-pro", {"prompt": "p" * 1501}, "1500 characters"),
        ("hailuo/02-text-to-video-pro", {"prompt": "p", "duration": "6"}, "duration"),
        (
            "hailuo/02-image-to-video-standard",
            {"prompt": "p", "image_url": IMG, "resolution": "1080P"},
            "768P",
        ),
        (
            "hailuo/2-3-image-to-video-pro",
            {"prompt": "p", "image_url": IMG, "duration": "10", "resolution": "1080P"},
            "1080P",
        ),
        ("sora-2-image-to-video", {"prompt": "p", "image_urls": [IMG, IMG]}, "at most 1"),
        ("sora-2-text-to-video", {"prompt": "p", "n_frames": 10}, "input.n_frames"),
        ("sora-2-text-to-video", {"prompt": "p", "remove_watermark": "yes"}, "boolean"),
        ("sora-2-text-to-video", {"prompt": "p", "aspect_ratio": "16:9"}, "landscape"),
        ("sora-2-text-to-video", {"prompt": "p", "character_id_list": ["a"] * 6}, "at most 5"),
        ("sora-2-pro-text-to-video", {"prompt": "p"}, "input.upload_method"),
        ("wan/2-5-text-to-video", {"prompt": "p"}, "input.duration"),
        ("wan/2-5-text-to-video", {"prompt": "p" * 801, "duration": "5"}, "800"),
        (
            "wan/2-5-image-to-video",
            {"prompt": "p", "image_url": IMG, "duration": "5", "aspect_ratio": "16:9"},
            "aspect_ratio",
        ),
        ("wan/2-5-text-to-video", {"prompt": "p", "duration": "5", "resolution": "1080P"}, "1080p"),
        ("wan/2-5-text-to-video", {"prompt": "p", "duration": "5", "seed": 1.5}, "integer"),
        (
            "wan/2-2-a14b-speech-to-video-turbo",
            {"prompt": "p", "image_url": IMG, "audio_url": AUDIO, "num_frames": 42},
            "multiple of 4",
        ),
        (
            "wan/2-2-a14b-speech-to-video-turbo",
            {"prompt": "p", "image_url": IMG, "audio_url": AUDIO, "guidance_scale": 11},
            "between 1 and 10",
        ),
        ("bytedance/v1-pro-text-to-video", {"prompt": "p", "seed": -2}, "input.seed"),
        ("bytedance/v1-pro-text-to-video", {"prompt": "p", "aspect_ratio": "9:21"}, "21:9"),
        ("bytedance/v1-lite-text-to-video", {"prompt": "p", "aspect_ratio": "21:9"}, "9:21"),
        (
            "bytedance/v1-pro-image-to-video",
            {"prompt": "p", "image_url": IMG, "end_image_url": IMG},
            "end_image_url",
        ),
        (
            "bytedance/v1-pro-fast-image-to-video",
            {"prompt": "p", "image_url": IMG, "resolution": "480p"},
            "720p",
        ),
    ],
)
async def test_invalid_inputs_are_rejected_with_422_naming_the_field(
    asgi: httpx.AsyncClient, model: str, data: dict[str, Any], needle: str
) -> None:
    before = await credits(asgi)
    msg = err(await asgi.post(CREATE, json={"model": model, "input": data}), 422)
    assert needle in msg
    assert await credits(asgi) == before


async def test_unknown_model_gets_kies_message(asgi: httpx.AsyncClient) -> None:
    msg = err(await asgi.post(CREATE, json={"model": "kling/v9", "input": {"prompt": "p"}}), 422)
    assert msg.startswith("The model name you specified is not supported.")


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"input": {"prompt": "p"}}, "model"),
        ({"model": "kling/v2-1-master-text-to-video"}, "input"),
        ({"model": "kling/v2-1-master-text-to-video", "input": "p"}, "input"),
        ({"model": "kling/v2-1-master-text-to-video", "input": {"prompt": "p"}, "foo": 1}, "foo"),
        (
            {
                "model": "kling/v2-1-master-text-to-video",
                "input": {"prompt": "p"},
                "callBackUrl": 3,
            },
            "callBackUrl",
        ),
        (
            {
                "model": "kling/v2-1-master-text-to-video",
                "input": {"prompt": "p"},
                "progressCallBackUrl": "https://x.test/p",
            },
            "progressCallBackUrl",
        ),
    ],
)
async def test_top_level_body_is_validated(
    asgi: httpx.AsyncClient, body: dict[str, Any], needle: str
) -> None:
    assert needle in err(await asgi.post(CREATE, json=body), 422)


async def test_progress_callback_is_accepted_for_sora(asgi: httpx.AsyncClient) -> None:
    body = {
        "model": "sora-2-text-to-video",
        "progressCallBackUrl": "https://example.com/progress",
        "input": {"prompt": "p"},
    }
    ok_data(await asgi.post(CREATE, json=body))


async def test_invalid_json_is_a_422(asgi: httpx.AsyncClient) -> None:
    response = await asgi.post(
        CREATE, content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert "JSON" in err(response, 422)


async def test_record_info_follows_the_lifecycle(
    asgi: httpx.AsyncClient, asgi_app: Starlette
) -> None:
    em = emulator_of(asgi_app)
    body = {"model": "sora-2-text-to-video", "input": {"prompt": "a lighthouse"}}
    task_id = ok_data(await asgi.post(CREATE, json=body))["taskId"]

    async def record() -> dict[str, Any]:
        data = ok_data(await asgi.get(RECORD, params={"taskId": task_id}))
        assert isinstance(data, dict)
        return data

    first = await record()
    assert first["state"] == "waiting"
    assert first["resultJson"] == ""
    assert first["failCode"] == "" and first["failMsg"] == ""
    assert first["completeTime"] is None and first["costTime"] is None
    assert first["progress"] == 0
    assert first["createTime"] == first["updateTime"]
    assert json.loads(first["param"]) == body
    em.advance(20)
    assert (await record())["state"] == "queuing"
    em.advance(30)
    middle = await record()
    assert middle["state"] == "generating"
    assert 0 < middle["progress"] < 100
    assert middle["updateTime"] > middle["createTime"]
    em.advance(60)
    done = await record()
    assert done["state"] == "success"
    assert done["progress"] == 100
    assert done["completeTime"] - done["createTime"] == 100_000
    assert done["costTime"] == 100_000
    result = json.loads(done["resultJson"])
    assert result["resultUrls"][0].startswith("http://kie.test/files/")
    assert result["resultUrls"][0].endswith(".mp4")
    assert len(result["resultWaterMarkUrls"]) == 1
    assert list(done) == [
        "taskId",
        "model",
        "state",
        "param",
        "resultJson",
        "failCode",
        "failMsg",
        "costTime",
        "completeTime",
        "createTime",
        "updateTime",
        "progress",
        "creditsConsumed",
    ]


async def test_unknown_and_missing_task_ids(asgi: httpx.AsyncClient) -> None:
    assert err(await asgi.get(RECORD, params={"taskId": "0" * 32}), 422) == "recordInfo is null"
    assert err(await asgi.get(RECORD), 400) == "taskId parameter is required"


async def test_insufficient_credits_is_402_and_creates_nothing(
    asgi: httpx.AsyncClient, asgi_app: Starlette
) -> None:
    em = emulator_of(asgi_app)
    em.set_credits(41)
    body = {"model": "kling/v2-5-turbo-text-to-video-pro", "input": {"prompt": "p"}}
    assert err(await asgi.post(CREATE, json=body), 402)
    assert em.tasks == {}
    assert em.credits == 41
    em.set_credits(42)
    ok_data(await asgi.post(CREATE, json=body))
    assert em.credits == 0


def test_served_task_succeeds_and_its_video_downloads(
    kie_emulator: EmulatorHandle, client: httpx.Client, http: httpx.Client
) -> None:
    body = {"model": "kling/v2-1-master-text-to-video", "input": {"prompt": "p", "duration": "10"}}
    task_id = create(client, CREATE, body)
    assert kie_emulator.credits == 10000 - 320

    def finished() -> dict[str, Any] | None:
        data = ok_data(client.get(RECORD, params={"taskId": task_id}))
        return data if data["state"] == "success" else None

    record = wait_until(finished)
    url = json.loads(record["resultJson"])["resultUrls"][0]
    assert url.startswith(kie_emulator.base_url + "/files/")
    video = http.get(url)
    assert video.status_code == 200
    assert video.content[4:8] == b"ftyp"
    assert kie_emulator.create_count("kling/v2-1-master-text-to-video", body) == 1


def test_task_fail_fault_fails_the_task_and_refunds(
    kie_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    kie_emulator.set_fault("task-fail", times=1)
    body = {"model": "hailuo/02-text-to-video-pro", "input": {"prompt": "p"}}
    task_id = create(client, CREATE, body)
    assert kie_emulator.credits == 10000 - 57

    def failed() -> dict[str, Any] | None:
        data = ok_data(client.get(RECORD, params={"taskId": task_id}))
        return data if data["state"] == "fail" else None

    record = wait_until(failed)
    assert record["failCode"] == "501"
    assert record["failMsg"]
    assert record["resultJson"] == ""
    assert record["creditsConsumed"] == 0
    assert record["completeTime"] is not None
    assert kie_emulator.credits == 10000
    kinds = [(e.kind, e.amount, e.task_id) for e in kie_emulator.ledger]
    assert kinds == [("charge", 57, task_id), ("refund", 57, task_id)]
    # The rule fired once: the next task succeeds.
    second = create(client, CREATE, body)
    assert kie_emulator.tasks[second].failure is None
