"""The Market task API: ``createTask`` and ``recordInfo`` (Sora 2, Kling, Hailuo, Wan, Seedance)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kie_emulator.common import (
    create_or_402,
    emulator_of,
    epoch_ms,
    json_body,
    query_task_id,
)
from kie_emulator.envelope import UNKNOWN_MODEL_MSG, ApiError, ok, validation_error
from kie_emulator.fields import (
    REQUIRED_MSG,
    Field,
    require_object,
    validate_object,
    with_defaults,
)
from kie_emulator.paths import MARKET_CREATE, MARKET_RECORD
from kie_emulator.prices import market_price
from kie_emulator.schemas import MARKET_MODELS
from kie_emulator.state import Emulator
from kie_emulator.tasks import Failure, Phase, Task

FAILURE = Failure(501, "Generation failed, please try again later.")
"""How a Market task fails under the ``task-fail`` fault (``failCode`` is its string)."""

_TOP_LEVEL = (
    Field("model", "string", required=True),
    Field("callBackUrl", "url"),
)
_PROGRESS_CALLBACK = Field("progressCallBackUrl", "url")


async def create_task(request: Request) -> Response:
    """``POST /api/v1/jobs/createTask``: validate ``input`` against the model, charge, create."""
    body = require_object(await json_body(request))
    model_id = body.get("model")
    if model_id is None or model_id == "":
        raise validation_error(f"model: {REQUIRED_MSG}")
    if not isinstance(model_id, str):
        raise validation_error("model: must be a string")
    spec = MARKET_MODELS.get(model_id)
    if spec is None:
        raise ApiError(422, UNKNOWN_MODEL_MSG)
    top = _TOP_LEVEL + ((_PROGRESS_CALLBACK,) if spec.accepts_progress_callback else ())
    validate_object(body, top, context="createTask", ignored=("input",))
    data = body.get("input")
    if data is None:
        raise validation_error(f"input: {REQUIRED_MSG}")
    validate_object(
        data, spec.fields, prefix="input.", context=f"model {model_id}", ignored=spec.ignored
    )
    effective = with_defaults(data, spec.fields)
    for check in spec.checks:
        problem = check(effective)
        if problem:
            raise validation_error(problem)
    task = create_or_402(
        request,
        family="market",
        kind="generate",
        model=model_id,
        body=body,
        params=body,
        price=market_price(model_id, effective),
        failure=FAILURE,
        callback_url=body.get("callBackUrl"),
    )
    return ok({"taskId": task.task_id})


def record_view(em: Emulator, task: Task) -> dict[str, Any]:
    """Return the ``data`` of ``recordInfo`` for a Market task."""
    now = em.clock.now()
    phase = em.refresh(task)
    result = ""
    if phase is Phase.SUCCESS:
        urls: dict[str, list[str]] = {"resultUrls": [em.link(task, "video") or ""]}
        watermarked = em.link(task, "watermark")
        if watermarked:
            urls["resultWaterMarkUrls"] = [watermarked]
        result = json.dumps(urls, separators=(",", ":"))
    failed = phase is Phase.FAIL and task.failure is not None
    data: dict[str, Any] = {
        "taskId": task.task_id,
        "model": task.model,
        "state": phase.value,
        "param": json.dumps(task.body, ensure_ascii=False, separators=(",", ":")),
        "resultJson": result,
        "failCode": str(task.failure.code) if failed and task.failure else "",
        "failMsg": task.failure.message if failed and task.failure else "",
        "costTime": int(task.duration * 1000) if phase.terminal else None,
        "completeTime": epoch_ms(task.due_at) if phase.terminal else None,
        "createTime": epoch_ms(task.created_at),
        "updateTime": epoch_ms(task.phase_started_at(now)),
    }
    spec = MARKET_MODELS.get(task.model)
    if spec is not None and spec.reports_progress:
        data["progress"] = task.progress(now)
    data["creditsConsumed"] = 0 if task.refunded else task.price
    return data


def callback_body(em: Emulator, task: Task) -> dict[str, Any]:
    """Return the body POSTed to a Market task's ``callBackUrl`` (same shape as recordInfo)."""
    data = record_view(em, task)
    if data["state"] == "success":
        return {"code": 200, "msg": "Playground task completed successfully.", "data": data}
    return {"code": 501, "msg": "Playground task failed.", "data": data}


async def record_info(request: Request) -> Response:
    """``GET /api/v1/jobs/recordInfo?taskId=``: the task's current record."""
    em = emulator_of(request)
    task = em.get_task(query_task_id(request), "market")
    if task is None:
        raise ApiError(422, "recordInfo is null")
    return ok(record_view(em, task))


ROUTES = [
    Route(MARKET_CREATE, create_task, methods=["POST"]),
    Route(MARKET_RECORD, record_info, methods=["GET"]),
]
"""The Market routes."""
