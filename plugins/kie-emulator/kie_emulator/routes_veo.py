"""Veo 3.1: generate, record-info, 1080P and 4K upgrades, extend."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kie_emulator import prices
from kie_emulator.common import (
    create_or_402,
    emulator_of,
    epoch_ms,
    json_body,
    query_task_id,
)
from kie_emulator.envelope import ApiError, ok, validation_error
from kie_emulator.fields import Field, require_object, validate_object
from kie_emulator.paths import VEO_4K, VEO_1080P, VEO_EXTEND, VEO_GENERATE, VEO_RECORD
from kie_emulator.state import Emulator
from kie_emulator.tasks import Failure, Phase, Task

TEXT = "TEXT_2_VIDEO"
FRAMES = "FIRST_AND_LAST_FRAMES_2_VIDEO"
REFERENCE = "REFERENCE_2_VIDEO"

RECORD_NULL = "record is null."
NOT_SUCCESS = "record status is not success."
NO_RESULT = "record result data not exist."
PROCESSING_1080P = (
    "1080P is processing. It should be ready in 1-2 minutes. Please check back shortly."
)
PROCESSING_4K = "4k is processing. It should be ready in 5-10 minutes. Please check back shortly."
DONE_4K = "The video has been generated successfully"
UNAVAILABLE_4K = "The 4K version of this video is unavailable. Please try a different video."
UNAVAILABLE_1080P = "The 1080P version of this video is unavailable. Please try again later."

GENERATION_FAILURE = Failure(501, "Generation failed, please try again later.")
"""How a Veo generation or extension fails under the ``task-fail`` fault."""

UPGRADE_1080P_FAILURE = Failure(500, UNAVAILABLE_1080P)
UPGRADE_4K_FAILURE = Failure(500, UNAVAILABLE_4K)

_ASPECTS = ("16:9", "9:16", "Auto")
_SEEDS = Field("seeds", "integer", minimum=10000, maximum=99999)

_GENERATE_FIELDS = (
    Field("prompt", "string", required=True),
    Field("imageUrls", "url_list"),
    Field("model", "string", enum=tuple(prices.VEO_GENERATION), default="veo3_fast"),
    Field("generationType", "string", enum=(TEXT, FRAMES, REFERENCE)),
    Field("aspect_ratio", "string", enum=_ASPECTS),
    Field("aspectRatio", "string", enum=_ASPECTS),
    _SEEDS,
    Field("callBackUrl", "url"),
    Field("enableFallback", "boolean"),
    Field("enableTranslation", "boolean"),
    Field("watermark", "string"),
    Field("resolution", "string", enum=("720p", "1080p", "4k"), default="720p"),
)

_EXTEND_FIELDS = (
    Field("taskId", "string", required=True),
    Field("prompt", "string", required=True),
    _SEEDS,
    Field("model", "string", enum=tuple(prices.VEO_EXTEND_MODEL), default="fast"),
    Field("watermark", "string"),
    Field("callBackUrl", "url"),
)

_4K_FIELDS = (
    Field("taskId", "string", required=True),
    Field("index", "integer", minimum=0),
    Field("callBackUrl", "url"),
)


def _generation_type(body: dict[str, Any], model: str, aspect: str) -> str:
    images: list[str] = body.get("imageUrls") or []
    mode: str = body.get("generationType") or (FRAMES if images else TEXT)
    if mode == TEXT and images:
        raise validation_error("imageUrls: TEXT_2_VIDEO takes no images")
    if mode == FRAMES and not 1 <= len(images) <= 2:
        raise validation_error(f"imageUrls: {FRAMES} needs 1 or 2 images")
    if mode == REFERENCE:
        if not 1 <= len(images) <= 3:
            raise validation_error(f"imageUrls: {REFERENCE} needs 1 to 3 images")
        if model == "veo3":
            raise validation_error(f"generationType: {REFERENCE} is not supported by model veo3")
        if aspect == "Auto":
            raise validation_error(f"aspect_ratio: {REFERENCE} supports only 16:9 and 9:16")
    return mode


async def generate(request: Request) -> Response:
    """``POST /api/v1/veo/generate``: create a Veo 3.1 generation."""
    em = emulator_of(request)
    body = validate_object(
        require_object(await json_body(request)), _GENERATE_FIELDS, context="veo generate"
    )
    snake, camel = body.get("aspect_ratio"), body.get("aspectRatio")
    if snake is not None and camel is not None and snake != camel:
        raise validation_error("aspect_ratio: disagrees with aspectRatio")
    aspect: str = snake or camel or "16:9"
    model: str = body.get("model") or "veo3_fast"
    resolution: str = body.get("resolution") or "720p"
    mode = _generation_type(body, model, aspect)
    seed = body.get("seeds")
    params: dict[str, Any] = {
        "prompt": body["prompt"],
        "imageUrls": body.get("imageUrls") or [],
        "model": model,
        "generationType": mode,
        "aspectRatio": aspect,
        "resolution": resolution,
        "enableFallback": body.get("enableFallback", False),
        "enableTranslation": body.get("enableTranslation", True),
        "waterMark": body.get("watermark") or "",
        "callBackUrl": body.get("callBackUrl") or "",
    }
    if seed is not None:
        params["seeds"] = int(seed)
    task = create_or_402(
        request,
        family="veo",
        kind="generate",
        model=model,
        body=body,
        params=params,
        price=prices.veo_generation_price(model, resolution),
        failure=GENERATION_FAILURE,
        callback_url=body.get("callBackUrl"),
        seed=int(seed) if seed is not None else em.random_int(10000, 99999),
        meta={"aspectRatio": aspect, "resolution": resolution},
    )
    return ok({"taskId": task.task_id})


def _response(em: Emulator, task: Task) -> dict[str, Any]:
    video = em.link(task, "video")
    if task.kind == "4k":
        return {
            "taskId": task.task_id,
            "resultUrls": [video],
            "imageUrls": [em.link(task, "image")],
            "resolution": "4k",
            "mediaIds": [task.meta.get("mediaId", "")],
        }
    origin = em.link(task, "origin")
    full = em.link(task, "full")
    data: dict[str, Any] = {
        "taskId": task.task_id,
        "resolution": task.meta.get("resolution", "720p"),
        "originUrls": [origin] if origin else None,
        "resultUrls": [video],
        "fullResultUrls": [full] if full else None,
    }
    if task.kind != "1080p":
        data["hasAudioList"] = [True]
        data["seeds"] = [task.seed]
    return data


def record_view(em: Emulator, task: Task) -> dict[str, Any]:
    """Return the ``data`` of ``record-info`` for any Veo task (generation, extend, upgrades)."""
    phase = em.refresh(task)
    failure = task.failure if phase is Phase.FAIL else None
    flag = {Phase.SUCCESS: 1, Phase.FAIL: 3}.get(phase, 0)
    data: dict[str, Any] = {
        "taskId": task.task_id,
        "paramJson": json.dumps(task.params, ensure_ascii=False, separators=(",", ":")),
        "completeTime": epoch_ms(task.due_at) if phase.terminal else None,
        "response": _response(em, task) if phase is Phase.SUCCESS else None,
        "successFlag": flag,
        "errorCode": failure.code if failure else None,
        "errorMessage": failure.message if failure else None,
        "createTime": epoch_ms(task.created_at),
    }
    if task.kind in {"generate", "extend"}:
        data["fallbackFlag"] = False
    return data


def callback_body(em: Emulator, task: Task) -> dict[str, Any]:
    """Return the callback of a Veo generation, extension or 4K upgrade."""
    phase = em.refresh(task)
    if task.kind == "4k":
        if phase is Phase.SUCCESS:
            urls = {"resultUrls": [em.link(task, "video")], "imageUrls": [em.link(task, "image")]}
            return {
                "code": 200,
                "msg": "4K Video generated successfully.",
                "data": {"taskId": task.task_id, "info": urls},
            }
        return {"code": 500, "msg": UNAVAILABLE_4K, "data": {"taskId": task.task_id}}
    if phase is not Phase.SUCCESS:
        message = task.failure.message if task.failure else GENERATION_FAILURE.message
        return {
            "code": 501,
            "msg": message,
            "data": {"taskId": task.task_id, "fallbackFlag": False},
        }
    info: dict[str, Any] = {"resultUrls": [em.link(task, "video")]}
    origin = em.link(task, "origin")
    if origin:
        info["originUrls"] = [origin]
    info["resolution"] = task.meta.get("resolution", "720p")
    msg = (
        "Veo3.1 video extension successful."
        if task.kind == "extend"
        else "Veo3.1 video generated successfully."
    )
    return {
        "code": 200,
        "msg": msg,
        "data": {
            "taskId": task.task_id,
            "info": info,
            "promptJson": task.params,
            "fallbackFlag": False,
        },
    }


async def record_info(request: Request) -> Response:
    """``GET /api/v1/veo/record-info?taskId=``: the status of any Veo task."""
    em = emulator_of(request)
    task = em.get_task(query_task_id(request), "veo")
    if task is None:
        raise ApiError(422, RECORD_NULL)
    return ok(record_view(em, task))


def _upgradable(em: Emulator, task_id: str, index: int) -> Task:
    task = em.get_task(task_id, "veo")
    if task is None or task.kind not in {"generate", "extend"}:
        raise ApiError(422, RECORD_NULL)
    if em.refresh(task) is not Phase.SUCCESS:
        raise ApiError(422, NOT_SUCCESS)
    if index != 0:
        raise ApiError(422, NO_RESULT)
    return task


async def get_1080p(request: Request) -> Response:
    """``GET /api/v1/veo/get-1080p-video?taskId=&index=``: start or fetch the 1080P version."""
    em = emulator_of(request)
    task_id = query_task_id(request)
    raw_index = request.query_params.get("index", "0").strip() or "0"
    if not raw_index.lstrip("-").isdigit():
        raise validation_error("index: must be an integer")
    index = int(raw_index)
    with em.lock:
        task = _upgradable(em, task_id, index)
        if task.meta.get("resolution", "720p") != "720p":
            return ok({"resultUrl": em.link(task, "video")})
        key = f"1080p:{index}"
        upgrade_id = task.upgrades.get(key)
        if upgrade_id is None:
            upgrade = create_or_402(
                request,
                family="veo",
                kind="1080p",
                model="veo-1080p",
                body={"taskId": task_id, "index": index},
                params={"taskId": task_id, "index": index},
                price=prices.VEO_1080P,
                failure=UPGRADE_1080P_FAILURE,
                parent_id=task_id,
                index=index,
                meta={"resolution": "1080p", "aspectRatio": "16:9"},
            )
            task.upgrades[key] = upgrade.task_id
            upgrade_id = upgrade.task_id
    upgrade_task = em.get_task(upgrade_id, "veo")
    phase = em.refresh(upgrade_task) if upgrade_task else Phase.FAIL
    if upgrade_task is not None and phase is Phase.SUCCESS:
        return ok({"resultUrl": em.link(upgrade_task, "video")})
    if phase is Phase.FAIL:
        raise ApiError(500, UNAVAILABLE_1080P)
    raise ApiError(400, PROCESSING_1080P)


async def get_4k(request: Request) -> Response:
    """``POST /api/v1/veo/get-4k-video``: start the 4K version, or report on it (422)."""
    em = emulator_of(request)
    body = validate_object(
        require_object(await json_body(request)), _4K_FIELDS, context="get-4k-video"
    )
    index = int(body.get("index") or 0)
    with em.lock:
        task = _upgradable(em, body["taskId"], index)
        key = f"4k:{index}"
        upgrade_id = task.upgrades.get(key)
        if upgrade_id is None:
            upgrade = create_or_402(
                request,
                family="veo",
                kind="4k",
                model="veo-4k",
                body=body,
                params={"taskId": task.task_id, "index": index},
                price=prices.VEO_4K,
                failure=UPGRADE_4K_FAILURE,
                callback_url=body.get("callBackUrl"),
                parent_id=task.task_id,
                index=index,
                meta={"mediaId": em.new_id()},
            )
            task.upgrades[key] = upgrade.task_id
            return ok({"taskId": upgrade.task_id, "resultUrls": None, "imageUrls": None})
    upgrade_task = em.get_task(upgrade_id, "veo")
    pending = {"taskId": upgrade_id, "resultUrls": None, "imageUrls": None}
    phase = em.refresh(upgrade_task) if upgrade_task else Phase.FAIL
    if upgrade_task is not None and phase is Phase.SUCCESS:
        done = {
            "taskId": upgrade_id,
            "resultUrls": [em.link(upgrade_task, "video")],
            "imageUrls": [em.link(upgrade_task, "image")],
        }
        raise ApiError(422, DONE_4K, done)
    if phase is Phase.FAIL:
        raise ApiError(422, UNAVAILABLE_4K, pending)
    raise ApiError(422, PROCESSING_4K, pending)


async def extend(request: Request) -> Response:
    """``POST /api/v1/veo/extend``: continue a successful Veo generation."""
    em = emulator_of(request)
    body = validate_object(
        require_object(await json_body(request)), _EXTEND_FIELDS, context="veo extend"
    )
    original = em.get_task(body["taskId"], "veo")
    if original is None:
        raise ApiError(404, "Original task not found")
    if original.kind in {"1080p", "4k"}:
        label = "1080P" if original.kind == "1080p" else "4K"
        raise validation_error(f"taskId: videos produced by the {label} upgrade cannot be extended")
    if em.refresh(original) is not Phase.SUCCESS:
        raise ApiError(422, NOT_SUCCESS)
    model: str = body.get("model") or "fast"
    seed = body.get("seeds")
    params: dict[str, Any] = {
        "taskId": original.task_id,
        "prompt": body["prompt"],
        "model": model,
        "waterMark": body.get("watermark") or "",
        "callBackUrl": body.get("callBackUrl") or "",
    }
    if seed is not None:
        params["seeds"] = int(seed)
    task = create_or_402(
        request,
        family="veo",
        kind="extend",
        model="veo-extend",
        body=body,
        params=params,
        price=prices.veo_extend_price(model),
        failure=GENERATION_FAILURE,
        callback_url=body.get("callBackUrl"),
        parent_id=original.task_id,
        seed=int(seed) if seed is not None else em.random_int(10000, 99999),
        meta={
            "aspectRatio": original.meta.get("aspectRatio", "16:9"),
            "resolution": original.meta.get("resolution", "720p"),
        },
    )
    return ok({"taskId": task.task_id})


ROUTES = [
    Route(VEO_GENERATE, generate, methods=["POST"]),
    Route(VEO_RECORD, record_info, methods=["GET"]),
    Route(VEO_1080P, get_1080p, methods=["GET"]),
    Route(VEO_4K, get_4k, methods=["POST"]),
    Route(VEO_EXTEND, extend, methods=["POST"]),
]
"""The Veo routes."""
