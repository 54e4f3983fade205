"""The Veo task family: ``GET /api/v1/veo/record-info`` and the Veo callback bodies.

One record endpoint serves every Veo task type (generation, extend, 1080P and 4K upgrades), and
one parser reads every documented callback body: the generation/extension callback, the 4K
callback as the page text shows it (``data.taskId`` + ``data.info``) and as its OpenAPI block
declares it (snake_case ``data.task_id`` + ``data.result_urls``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kie_core.plugin import (
    CallbackEvent,
    EndpointCall,
    MalformedResponseError,
    TaskFamily,
    TaskState,
    TaskStatus,
    coded_callback,
    from_epoch_ms,
    int_or_none,
    json_object,
    require_mapping,
    text_or_none,
    url_list,
)

STATUS_PATH = "/api/v1/veo/record-info"

#: ``successFlag`` of a Veo record. 2 = failed before completion, 3 = created but the upstream
#: generation failed; both are terminal failures.
VEO_SUCCESS_FLAGS: dict[int, TaskState] = {
    0: TaskState.RUNNING,
    1: TaskState.SUCCEEDED,
    2: TaskState.FAILED,
    3: TaskState.FAILED,
}

#: Callback ``code`` values: 200 success; 400 content/client error, 422 rejected upstream,
#: 500 internal error or timeout, 501 generation failed.
VEO_CALLBACK_CODES: dict[int, TaskState] = {
    200: TaskState.SUCCEEDED,
    400: TaskState.FAILED,
    422: TaskState.FAILED,
    500: TaskState.FAILED,
    501: TaskState.FAILED,
}


def _merge_urls(*groups: tuple[str, ...]) -> tuple[str, ...]:
    """Join URL groups in order, dropping repeats."""
    return tuple(dict.fromkeys(url for group in groups for url in group))


class VeoFamily(TaskFamily):
    """Reads Veo 3.1 task records (``successFlag`` 0-3) and callbacks.

    ``result_urls`` lists the full-length video of an extend task (``fullResultUrls``) first,
    then ``resultUrls``; ``origin_urls`` is the original-ratio video (only when the aspect ratio
    is not 16:9); ``thumbnail_urls`` holds the 4K task's ``imageUrls``.
    """

    name = "veo"

    def status_call(self, task_id: str) -> EndpointCall:
        """Return ``GET /api/v1/veo/record-info?taskId=...``."""
        return EndpointCall(method="GET", path=STATUS_PATH, params={"taskId": task_id})

    def parse_status(self, task_id: str, data: Any) -> TaskStatus:
        """Read a record-info ``data`` object.

        ``response.resultUrls`` may be an array or a JSON-encoded string (and an old quickstart
        reads it from ``data`` itself); times may be epoch milliseconds or
        ``"YYYY-MM-DD HH:MM:SS"`` strings.

        Raises:
            MalformedResponseError: no ``successFlag``, or a value other than 0-3.
        """
        record = require_mapping(data, "Veo task record")
        raw_flag = record.get("successFlag")
        flag = int_or_none(raw_flag)
        state = VEO_SUCCESS_FLAGS.get(flag) if flag is not None else None
        if state is None:
            raise MalformedResponseError(
                f"Veo record has successFlag {raw_flag!r}; known values are 0, 1, 2, 3",
                task_id=task_id,
            )
        response = json_object(record.get("response"), "Veo record response")
        urls = url_list(response.get("resultUrls")) or url_list(record.get("resultUrls"))
        return TaskStatus(
            task_id=text_or_none(record.get("taskId")) or task_id,
            state=state,
            raw_state=f"successFlag={flag}",
            result_urls=_merge_urls(url_list(response.get("fullResultUrls")), urls),
            origin_urls=url_list(response.get("originUrls")),
            thumbnail_urls=url_list(response.get("imageUrls")),
            fail_code=text_or_none(record.get("errorCode")),
            fail_message=text_or_none(record.get("errorMessage")),
            created_at=from_epoch_ms(record.get("createTime")),
            completed_at=from_epoch_ms(record.get("completeTime")),
            raw=dict(record),
        )

    def parse_callback(self, body: Any) -> CallbackEvent:
        """Read a Veo callback: generation, extension or 4K, in any documented shape.

        Raises:
            MalformedResponseError: no task id, or a ``code`` the docs do not list.
        """
        envelope = require_mapping(body, "Veo callback")
        data = require_mapping(envelope.get("data"), "Veo callback data")
        task_id = text_or_none(data.get("taskId")) or text_or_none(data.get("task_id"))
        if task_id is None:
            raise MalformedResponseError("Veo callback has no data.taskId or data.task_id")
        info: Mapping[str, Any] = json_object(data.get("info"), "Veo callback info")
        urls = _merge_urls(
            url_list(info.get("fullResultUrls")),
            url_list(info.get("resultUrls")),
            url_list(data.get("result_urls")),
        )
        return coded_callback(
            self.name,
            envelope,
            task_id,
            VEO_CALLBACK_CODES,
            label="Veo",
            result_urls=urls,
            origin_urls=url_list(info.get("originUrls")),
            thumbnail_urls=url_list(info.get("imageUrls")) or url_list(data.get("image_urls")),
        )


#: The one Veo family object.
VEO = VeoFamily()
