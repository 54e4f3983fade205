"""The Veo protocol: record-info, its callbacks, and its create calls (generate, extend, upgrades).

Fields, rules and prices come from the declaration of each route (kie-veo's); this module
keeps what the protocol does: the ``aspect_ratio``/``aspectRatio`` alias, the default
``generationType``, the record parameters, extension of a finished task, and the answers of
the 1080P and 4K upgrade calls.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kie_core.emulation import EndpointSchema
from kie_emulator.common import (
    create_or_402,
    emulator_of,
    epoch_ms,
    json_body,
    query_task_id,
)
from kie_emulator.endpoints import Draft, ProtocolAdapter
from kie_emulator.envelope import ApiError, ok, validation_error
from kie_emulator.fields import require_object, validate_object
from kie_emulator.paths import VEO_RECORD
from kie_emulator.rules import price_of
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


def normalize(schema: EndpointSchema, body: dict[str, Any]) -> dict[str, Any]:
    """Apply the declared defaults, the aspect ratio alias and the default generation type.

    Raises:
        ApiError: code 422 when ``aspect_ratio`` and ``aspectRatio`` disagree.
    """
    data = schema.with_defaults(body)
    if schema.operation != "generate":
        return data
    snake, camel = body.get("aspect_ratio"), body.get("aspectRatio")
    if snake is not None and camel is not None and snake != camel:
        raise validation_error("aspect_ratio: disagrees with aspectRatio")
    data["aspect_ratio"] = snake or camel or "16:9"
    images: list[str] = body.get("imageUrls") or []
    data["generationType"] = body.get("generationType") or (FRAMES if images else TEXT)
    return data


def _seed(em: Emulator, body: dict[str, Any]) -> int:
    seed = body.get("seeds")
    return int(seed) if seed is not None else em.random_int(10000, 99999)


def _generate(em: Emulator, schema: EndpointSchema, body: dict[str, Any]) -> Draft:
    aspect: str = body["aspect_ratio"]
    model: str = body.get("model") or schema.model
    resolution: str = body.get("resolution") or "720p"
    params: dict[str, Any] = {
        "prompt": body["prompt"],
        "imageUrls": body.get("imageUrls") or [],
        "model": model,
        "generationType": body["generationType"],
        "aspectRatio": aspect,
        "resolution": resolution,
        "enableFallback": body.get("enableFallback", False),
        "enableTranslation": body.get("enableTranslation", True),
        "waterMark": body.get("watermark") or "",
        "callBackUrl": body.get("callBackUrl") or "",
    }
    if body.get("seeds") is not None:
        params["seeds"] = int(body["seeds"])
    return Draft(
        model=model,
        params=params,
        failure=GENERATION_FAILURE,
        seed=_seed(em, body),
        meta={"aspectRatio": aspect, "resolution": resolution},
    )


def _extend(em: Emulator, schema: EndpointSchema, body: dict[str, Any]) -> Draft:
    original = em.get_task(body["taskId"], "veo")
    if original is None:
        raise ApiError(404, "Original task not found")
    if original.kind in {"1080p", "4k"}:
        label = "1080P" if original.kind == "1080p" else "4K"
        raise validation_error(f"taskId: videos produced by the {label} upgrade cannot be extended")
    if em.refresh(original) is not Phase.SUCCESS:
        raise ApiError(422, NOT_SUCCESS)
    params: dict[str, Any] = {
        "taskId": original.task_id,
        "prompt": body["prompt"],
        "model": body.get("model") or "fast",
        "waterMark": body.get("watermark") or "",
        "callBackUrl": body.get("callBackUrl") or "",
    }
    if body.get("seeds") is not None:
        params["seeds"] = int(body["seeds"])
    return Draft(
        model=schema.model,
        params=params,
        failure=GENERATION_FAILURE,
        seed=_seed(em, body),
        parent_id=original.task_id,
        meta={
            "aspectRatio": original.meta.get("aspectRatio", "16:9"),
            "resolution": original.meta.get("resolution", "720p"),
        },
    )


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


def upgrade_1080p_route(schema: EndpointSchema) -> Route:
    """Return ``GET /api/v1/veo/get-1080p-video?taskId=&index=``: start or fetch the 1080P."""

    async def get_1080p(request: Request) -> Response:
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
                query = {"taskId": task_id, "index": index}
                upgrade = create_or_402(
                    request,
                    family="veo",
                    kind="1080p",
                    model=schema.model,
                    body=query,
                    params=query,
                    price=price_of(schema, schema.with_defaults(query)),
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

    return Route(schema.route, get_1080p, methods=["GET"])


def upgrade_4k_route(schema: EndpointSchema) -> Route:
    """Return ``POST /api/v1/veo/get-4k-video``: start the 4K version, or report on it (422)."""
    fields = schema.fields

    async def get_4k(request: Request) -> Response:
        em = emulator_of(request)
        body = validate_object(
            require_object(await json_body(request)), fields, context=schema.model
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
                    model=schema.model,
                    body=body,
                    params={"taskId": task.task_id, "index": index},
                    price=price_of(schema, schema.with_defaults(body)),
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

    return Route(schema.route, get_4k, methods=["POST"])


ADAPTER = ProtocolAdapter(
    family="veo",
    drafts={"generate": _generate, "extend": _extend},
    normalize=normalize,
    special={"upgrade-1080p": upgrade_1080p_route, "upgrade-4k": upgrade_4k_route},
)
"""The Veo protocol's create calls."""

ROUTES = [Route(VEO_RECORD, record_info, methods=["GET"])]
"""The Veo protocol routes (the create routes come from the declarations)."""
