"""Runway Aleph (video-to-video): generate and record-info."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kie_emulator import prices
from kie_emulator.common import create_or_402, emulator_of, iso_time, json_body, query_task_id
from kie_emulator.envelope import ApiError, ok
from kie_emulator.fields import Field, require_object, validate_object
from kie_emulator.paths import ALEPH_GENERATE, ALEPH_RECORD
from kie_emulator.state import Emulator
from kie_emulator.tasks import Failure, Phase, Task

FAILURE = Failure(400, "Generation failed, please try again later")
"""How an Aleph task fails under the ``task-fail`` fault."""

_FIELDS = (
    Field("prompt", "string", required=True),
    Field("videoUrl", "url", required=True),
    Field("callBackUrl", "url"),
    Field("waterMark", "string"),
    Field("uploadCn", "boolean"),
    Field("aspectRatio", "string", enum=("16:9", "9:16", "4:3", "3:4", "1:1", "21:9")),
    Field("seed", "integer"),
    Field("referenceImage", "url"),
)


async def generate(request: Request) -> Response:
    """``POST /api/v1/aleph/generate``: create an Aleph video-to-video task."""
    body = validate_object(
        require_object(await json_body(request)), _FIELDS, context="aleph generate"
    )
    task = create_or_402(
        request,
        family="aleph",
        kind="generate",
        model="runway-aleph",
        body=body,
        params=body,
        price=prices.ALEPH,
        failure=FAILURE,
        callback_url=body.get("callBackUrl"),
    )
    return ok({"taskId": task.task_id})


def record_view(em: Emulator, task: Task) -> dict[str, Any]:
    """Return the ``data`` of Aleph ``record-info``.

    ``successFlag`` is 1 on success and 0 otherwise; a failure shows as a non-zero
    ``errorCode`` with a ``completeTime``, a running task as ``errorCode`` 0 without one.
    """
    phase = em.refresh(task)
    failure = task.failure if phase is Phase.FAIL else None
    response = None
    if phase is Phase.SUCCESS:
        response = {
            "taskId": task.task_id,
            "resultVideoUrl": em.link(task, "video"),
            "resultImageUrl": em.link(task, "image"),
        }
    return {
        "taskId": task.task_id,
        "paramJson": json.dumps(task.params, ensure_ascii=False, separators=(",", ":")),
        "response": response,
        "completeTime": iso_time(task.due_at) if phase.terminal else None,
        "createTime": iso_time(task.created_at),
        "successFlag": 1 if phase is Phase.SUCCESS else 0,
        "errorCode": failure.code if failure else 0,
        "errorMessage": failure.message if failure else "",
    }


def callback_body(em: Emulator, task: Task) -> dict[str, Any]:
    """Return the Aleph callback (the callback guide's shape, ``taskId`` at the top level)."""
    if em.refresh(task) is Phase.SUCCESS:
        return {
            "code": 200,
            "msg": "success",
            "data": {
                "result_video_url": em.link(task, "video"),
                "result_image_url": em.link(task, "image"),
            },
            "taskId": task.task_id,
        }
    failure = task.failure or FAILURE
    return {"code": failure.code, "msg": failure.message, "data": None, "taskId": task.task_id}


async def record_info(request: Request) -> Response:
    """``GET /api/v1/aleph/record-info?taskId=``: the status of an Aleph task."""
    em = emulator_of(request)
    task = em.get_task(query_task_id(request), "aleph")
    if task is None:
        raise ApiError(422, "record is null.")
    return ok(record_view(em, task))


ROUTES = [
    Route(ALEPH_GENERATE, generate, methods=["POST"]),
    Route(ALEPH_RECORD, record_info, methods=["GET"]),
]
"""The Aleph routes."""
