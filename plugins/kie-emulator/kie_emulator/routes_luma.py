"""Luma Modify (video-to-video): generate and record-info."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kie_emulator import prices
from kie_emulator.common import create_or_402, emulator_of, epoch_ms, json_body, query_task_id
from kie_emulator.envelope import ApiError, ok
from kie_emulator.fields import Field, require_object, validate_object
from kie_emulator.paths import LUMA_GENERATE, LUMA_RECORD
from kie_emulator.state import Emulator
from kie_emulator.tasks import Failure, Phase, Task

FAILED_MSG = "Modify record generation failed."
FAILURE = Failure(501, FAILED_MSG)
"""How a Luma task fails under the ``task-fail`` fault."""

_FIELDS = (
    Field("prompt", "string", required=True),
    Field("videoUrl", "url", required=True),
    Field("callBackUrl", "url"),
    Field("watermark", "string"),
)


async def generate(request: Request) -> Response:
    """``POST /api/v1/modify/generate``: create a Luma Modify task."""
    body = validate_object(
        require_object(await json_body(request)), _FIELDS, context="modify generate"
    )
    params = {
        "callBackUrl": body.get("callBackUrl") or "",
        "prompt": body["prompt"],
        "videoUrl": body["videoUrl"],
        "waterMark": body.get("watermark") or "",
    }
    task = create_or_402(
        request,
        family="luma",
        kind="generate",
        model="luma-modify",
        body=body,
        params=params,
        price=prices.LUMA_MODIFY,
        failure=FAILURE,
        callback_url=body.get("callBackUrl"),
    )
    return ok({"taskId": task.task_id})


def _param_json(task: Task) -> str:
    return json.dumps(task.params, ensure_ascii=False, separators=(",", ":"))


def record_view(em: Emulator, task: Task) -> dict[str, Any]:
    """Return the ``data`` of Luma ``record-info``.

    ``successFlag``: 0 generating, 1 success, 3 generation failed, 4 generated but every
    callback delivery failed.
    """
    phase = em.refresh(task)
    failure = task.failure if phase is Phase.FAIL else None
    response = None
    flag = 0
    if phase is Phase.SUCCESS:
        flag = 4 if task.callback_failed else 1
        response = {
            "taskId": task.task_id,
            "originUrls": [task.params["videoUrl"]],
            "resultUrls": [em.link(task, "video")],
        }
    elif phase is Phase.FAIL:
        flag = 3
    return {
        "taskId": task.task_id,
        "paramJson": _param_json(task),
        "completeTime": epoch_ms(task.due_at) if phase.terminal else None,
        "response": response,
        "successFlag": flag,
        "createTime": epoch_ms(task.created_at),
        "errorCode": failure.code if failure else None,
        "errorMessage": failure.message if failure else None,
    }


def callback_body(em: Emulator, task: Task) -> dict[str, Any]:
    """Return the Luma callback (``promptJson`` is a JSON string)."""
    if em.refresh(task) is Phase.SUCCESS:
        return {
            "code": 200,
            "msg": "Modify record generated successfully.",
            "data": {
                "taskId": task.task_id,
                "promptJson": _param_json(task),
                "resultUrls": [em.link(task, "video")],
            },
        }
    return {
        "code": 500,
        "msg": FAILED_MSG,
        "data": {"taskId": task.task_id, "promptJson": _param_json(task)},
    }


async def record_info(request: Request) -> Response:
    """``GET /api/v1/modify/record-info?taskId=``: the status of a Luma task."""
    em = emulator_of(request)
    task = em.get_task(query_task_id(request), "luma")
    if task is None:
        raise ApiError(422, "record is null.")
    return ok(record_view(em, task))


ROUTES = [
    Route(LUMA_GENERATE, generate, methods=["POST"]),
    Route(LUMA_RECORD, record_info, methods=["GET"]),
]
"""The Luma Modify routes."""
