"""The Runway protocol: record-detail, its callbacks, and its create calls (generate, extend)."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kie_core.emulation import EndpointSchema
from kie_emulator.common import emulator_of, plain_time, query_task_id
from kie_emulator.endpoints import Draft, ProtocolAdapter
from kie_emulator.envelope import ApiError, ok
from kie_emulator.files import RESULT_RETENTION
from kie_emulator.paths import RUNWAY_RECORD
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


def _video_id(em: Emulator) -> str:
    return str(uuid.UUID(hex=em.new_id()))


def _generate(em: Emulator, schema: EndpointSchema, body: dict[str, Any]) -> Draft:
    image: str = body.get("imageUrl") or ""
    return Draft(
        model=schema.model,
        params={"prompt": body["prompt"], "imageUrl": image, "expandPrompt": True},
        failure=FAILURE,
        meta={
            "aspectRatio": body.get("aspectRatio") or "",
            "quality": body.get("quality"),
            "duration": int(body["duration"]),
            "videoId": _video_id(em),
        },
    )


def _extend(em: Emulator, schema: EndpointSchema, body: dict[str, Any]) -> Draft:
    original = em.get_task(body["taskId"], "runway")
    if original is None:
        raise ApiError(404, "Original task not found")
    if em.refresh(original) is not Phase.SUCCESS:
        raise ApiError(422, "record status is not success.")
    return Draft(
        model=schema.model,
        params={"prompt": body["prompt"], "imageUrl": "", "expandPrompt": True},
        failure=FAILURE,
        parent_id=original.task_id,
        meta={
            "aspectRatio": original.meta.get("aspectRatio", ""),
            "quality": body.get("quality"),
            "videoId": _video_id(em),
        },
    )


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


ADAPTER = ProtocolAdapter(family="runway", drafts={"generate": _generate, "extend": _extend})
"""The Runway protocol's create calls."""

ROUTES = [Route(RUNWAY_RECORD, record_detail, methods=["GET"])]
"""The Runway protocol routes (the create routes come from the declarations)."""
