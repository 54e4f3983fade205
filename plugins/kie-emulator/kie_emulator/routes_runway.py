"""Runway: generate, record-detail, extend."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kie_emulator import prices
from kie_emulator.common import (
    create_or_402,
    emulator_of,
    json_body,
    plain_time,
    query_task_id,
)
from kie_emulator.envelope import ApiError, ok, validation_error
from kie_emulator.fields import REQUIRED_MSG, Field, require_object, validate_object
from kie_emulator.files import RESULT_RETENTION
from kie_emulator.paths import RUNWAY_EXTEND, RUNWAY_GENERATE, RUNWAY_RECORD
from kie_emulator.state import Emulator
from kie_emulator.tasks import Failure, Phase, Task

FAILURE = Failure(400, "Generation failed, please try again later")
"""How a Runway task fails under the ``task-fail`` fault."""

_STATES = {
    Phase.WAITING: "wait",
    Phase.QUEUING: "queueing",
    Phase.GENERATING: "generating",
    Phase.SUCCESS: "success",
    Phase.FAIL: "fail",
}
_QUALITY = Field("quality", "string", required=True, enum=("720p", "1080p"))

_GENERATE_FIELDS = (
    Field("prompt", "string", required=True, max_length=1800),
    Field("imageUrl", "url"),
    Field("duration", "number", required=True, enum=(5, 10)),
    _QUALITY,
    Field("aspectRatio", "string", enum=("16:9", "4:3", "1:1", "3:4", "9:16")),
    Field("waterMark", "string"),
    Field("callBackUrl", "url"),
)

_EXTEND_FIELDS = (
    Field("taskId", "string", required=True),
    Field("prompt", "string", required=True, max_length=1800),
    _QUALITY,
    Field("waterMark", "string"),
    Field("callBackUrl", "url"),
)


def _video_id(em: Emulator) -> str:
    return str(uuid.UUID(hex=em.new_id()))


async def generate(request: Request) -> Response:
    """``POST /api/v1/runway/generate``: create a Runway text- or image-to-video task."""
    em = emulator_of(request)
    # The docs' own example carries a stray "model" field; it is tolerated and ignored.
    body = validate_object(
        require_object(await json_body(request)),
        _GENERATE_FIELDS,
        context="runway generate",
        ignored=("model",),
    )
    duration = int(body["duration"])
    quality: str = body["quality"]
    if duration == 10 and quality == "1080p":
        raise validation_error("duration: 10-second videos are not available at 1080p quality")
    image: str = body.get("imageUrl") or ""
    if not image and not body.get("aspectRatio"):
        raise validation_error(f"aspectRatio: {REQUIRED_MSG} when imageUrl is not given")
    task = create_or_402(
        request,
        family="runway",
        kind="generate",
        model="runway",
        body=body,
        params={"prompt": body["prompt"], "imageUrl": image, "expandPrompt": True},
        price=prices.RUNWAY[(quality, duration)],
        failure=FAILURE,
        callback_url=body.get("callBackUrl"),
        meta={
            "aspectRatio": body.get("aspectRatio") or "",
            "quality": quality,
            "duration": duration,
            "videoId": _video_id(em),
        },
    )
    return ok({"taskId": task.task_id})


async def extend(request: Request) -> Response:
    """``POST /api/v1/runway/extend``: continue a successful Runway video."""
    em = emulator_of(request)
    # The docs' example body also carries imageUrl and expandPrompt; both are tolerated.
    body = validate_object(
        require_object(await json_body(request)),
        _EXTEND_FIELDS,
        context="runway extend",
        ignored=("imageUrl", "expandPrompt"),
    )
    original = em.get_task(body["taskId"], "runway")
    if original is None:
        raise ApiError(404, "Original task not found")
    if em.refresh(original) is not Phase.SUCCESS:
        raise ApiError(422, "record status is not success.")
    quality: str = body["quality"]
    task = create_or_402(
        request,
        family="runway",
        kind="extend",
        model="runway-extend",
        body=body,
        params={"prompt": body["prompt"], "imageUrl": "", "expandPrompt": True},
        price=prices.RUNWAY_EXTEND[quality],
        failure=FAILURE,
        callback_url=body.get("callBackUrl"),
        parent_id=original.task_id,
        meta={
            "aspectRatio": original.meta.get("aspectRatio", ""),
            "quality": quality,
            "videoId": _video_id(em),
        },
    )
    return ok({"taskId": task.task_id})


def record_view(em: Emulator, task: Task) -> dict[str, Any]:
    """Return the ``data`` of ``record-detail`` for a Runway task."""
    now = em.clock.now()
    phase = em.refresh(task)
    video_info = None
    if phase is Phase.SUCCESS:
        video_info = {
            "videoId": task.meta.get("videoId", ""),
            "taskId": task.task_id,
            "videoUrl": em.link(task, "video"),
            "imageUrl": em.link(task, "image"),
        }
    failure = task.failure if phase is Phase.FAIL else None
    return {
        "taskId": task.task_id,
        "parentTaskId": task.parent_id or "",
        "generateParam": task.params,
        "state": _STATES[phase],
        "generateTime": plain_time(task.created_at),
        "videoInfo": video_info,
        "failCode": failure.code if failure else None,
        "failMsg": failure.message if failure else "",
        "expireFlag": 1 if phase.terminal and now > task.due_at + RESULT_RETENTION else 0,
    }


def callback_body(em: Emulator, task: Task) -> dict[str, Any]:
    """Return the snake_case callback of a Runway generation or extension."""
    if em.refresh(task) is Phase.SUCCESS:
        return {
            "code": 200,
            "msg": "All generated successfully.",
            "data": {
                "task_id": task.task_id,
                "video_id": task.meta.get("videoId", ""),
                "video_url": em.link(task, "video"),
                "image_url": em.link(task, "image"),
            },
        }
    failure = task.failure or FAILURE
    return {
        "code": failure.code,
        "msg": failure.message,
        "data": {"task_id": task.task_id, "video_id": "", "video_url": "", "image_url": ""},
    }


async def record_detail(request: Request) -> Response:
    """``GET /api/v1/runway/record-detail?taskId=``: the status of a Runway task."""
    em = emulator_of(request)
    task = em.get_task(query_task_id(request), "runway")
    if task is None:
        raise ApiError(422, "record is null.")
    return ok(record_view(em, task))


ROUTES = [
    Route(RUNWAY_GENERATE, generate, methods=["POST"]),
    Route(RUNWAY_RECORD, record_detail, methods=["GET"]),
    Route(RUNWAY_EXTEND, extend, methods=["POST"]),
]
"""The Runway routes."""
