"""The 1080P and 4K upgrades of a finished Veo task: their calls and readers for their answers.

The two endpoints are asymmetric: 1080P is ``GET`` with query parameters and answers with one
URL in ``data.resultUrl``; 4K is ``POST`` with a JSON body, answers at once with
``data.resultUrls``/``data.imageUrls`` still null, and answers a repeated request with code 422
carrying either nothing yet ("processing") or the finished URLs ("already generated"). Both
upgrades can also be followed through ``/api/v1/veo/record-info`` (:data:`kie_veo.family.VEO`).

Example:
    >>> get_1080p_call("4c9a31a5bb61db65d10f1210d78cc08a").params
    {'taskId': '4c9a31a5bb61db65d10f1210d78cc08a', 'index': '0'}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kie_core.plugin import (
    CallbackEvent,
    EndpointCall,
    InvalidRequestError,
    MalformedResponseError,
    TaskState,
    TaskStatus,
    error_for_code,
    int_or_none,
    is_remote,
    require_mapping,
    text_or_none,
    url_list,
)
from kie_veo.family import VEO

UPGRADE_1080P_PATH = "/api/v1/veo/get-1080p-video"
UPGRADE_4K_PATH = "/api/v1/veo/get-4k-video"

#: Codes of a 4K answer that describe the upgrade: 200 accepted, 422 already requested.
_4K_ANSWER_CODES = (200, 422)


def _check_target(task_id: str, index: int) -> None:
    if not isinstance(task_id, str) or not task_id.strip():
        raise InvalidRequestError(
            "task_id must be the id of a successful Veo generation task",
            field="task_id",
            value=task_id,
        )
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise InvalidRequestError(
            f"index must be a non-negative integer (which video of the task), got {index!r}",
            field="index",
            value=index,
        )


def get_1080p_call(task_id: str, index: int = 0) -> EndpointCall:
    """Return ``GET /api/v1/veo/get-1080p-video?taskId=...&index=...``.

    Args:
        task_id: a successful Veo generation task (not an upgrade, not a fallback video).
        index: which video of the task.

    Raises:
        InvalidRequestError: an empty task id or a negative index.
    """
    _check_target(task_id, index)
    return EndpointCall(
        method="GET", path=UPGRADE_1080P_PATH, params={"taskId": task_id, "index": str(index)}
    )


def get_4k_call(task_id: str, index: int = 0, callback_url: str | None = None) -> EndpointCall:
    """Return ``POST /api/v1/veo/get-4k-video`` with ``{taskId, index, callBackUrl?}``.

    Args:
        task_id: a successful Veo generation task.
        index: which video of the task.
        callback_url: where KIE POSTs the 4K callback (read it with :func:`parse_4k_callback`).

    Raises:
        InvalidRequestError: an empty task id, a negative index or a non-http(s) callback URL.
    """
    _check_target(task_id, index)
    body: dict[str, Any] = {"taskId": task_id, "index": index}
    if callback_url is not None:
        if not is_remote(callback_url):
            raise InvalidRequestError(
                f"callback_url must be an http(s) URL, got {callback_url!r}",
                field="callback_url",
                value=callback_url,
            )
        body["callBackUrl"] = callback_url
    return EndpointCall(method="POST", path=UPGRADE_4K_PATH, body=body)


def read_1080p_result(data: Any) -> str:
    """Return the 1080P video URL from the ``data`` of a successful get-1080p-video answer.

    Until the 1080P version is ready (about 1-3 minutes) the endpoint answers with a non-200
    code instead; the caller retries every 20-30 s.

    Raises:
        MalformedResponseError: ``data`` has no ``resultUrl``.
    """
    record = require_mapping(data, "1080P answer")
    urls = url_list(record.get("resultUrl"))
    if not urls:
        raise MalformedResponseError("1080P answer has no data.resultUrl")
    return urls[0]


def read_4k_answer(body: Any) -> TaskStatus:
    """Read a whole get-4k-video answer (``{code, msg, data}``) into a status of the upgrade.

    Code 200 (accepted) and code 422 with a ``data.taskId`` (already requested) describe the
    upgrade: ``succeeded`` once ``data.resultUrls`` holds URLs, ``running`` while it is null.
    The two are told apart by the URLs, never by the message text.

    Raises:
        ApiError: the subclass for any other code, or a 422 that carries no upgrade record
            (for example "record is null").
        MalformedResponseError: the body is not an envelope.
    """
    envelope = require_mapping(body, "4K answer")
    code = int_or_none(envelope.get("code"))
    if code is None:
        raise MalformedResponseError("4K answer has no numeric code")
    message = text_or_none(envelope.get("msg")) or ""
    data = envelope.get("data")
    record: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
    task_id = text_or_none(record.get("taskId"))
    if code not in _4K_ANSWER_CODES or task_id is None:
        if code == 200:
            raise MalformedResponseError("4K answer has no data.taskId", code=code)
        raise error_for_code(code)(message or f"4K request refused (code {code})", code=code)
    urls = url_list(record.get("resultUrls"))
    return TaskStatus(
        task_id=task_id,
        state=TaskState.SUCCEEDED if urls else TaskState.RUNNING,
        raw_state=f"code={code}",
        result_urls=urls,
        thumbnail_urls=url_list(record.get("imageUrls")),
        raw=dict(envelope),
    )


def parse_4k_callback(body: Any) -> CallbackEvent:
    """Read the callback of a 4K upgrade, in either documented shape.

    The page text sends ``data.taskId`` + ``data.info.{resultUrls, imageUrls}``; the OpenAPI
    block declares ``data.{task_id, result_urls, media_ids, image_urls}`` (codes 200/400/500).

    Raises:
        MalformedResponseError: no task id, or an unknown code.
    """
    return VEO.parse_callback(body)
