"""The Runway Aleph task family: ``GET /api/v1/aleph/record-info`` and both callback bodies.

Aleph's ``successFlag`` is only 0 or 1, and 0 means "failed" as well as "still running". kie
tells them apart by the error fields, as the docs suggest: a ``successFlag`` of 0 with a
non-zero ``errorCode`` or a non-empty ``errorMessage`` is a failure, a 0 with neither
(``errorCode`` null or 0, ``errorMessage`` null or empty) is still running.
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

STATUS_PATH = "/api/v1/aleph/record-info"

#: Callback ``code`` values: 200 success; 400 failed (content policy or technical); 500 server
#: error (the Runway-style body the generate page's OpenAPI block declares).
ALEPH_CALLBACK_CODES: dict[int, TaskState] = {
    200: TaskState.SUCCEEDED,
    400: TaskState.FAILED,
    500: TaskState.FAILED,
}


def reports_error(record: Mapping[str, Any]) -> bool:
    """Return whether an Aleph record carries an error: a non-zero code or a message."""
    code = record.get("errorCode")
    number = int_or_none(code)
    has_code = number != 0 if number is not None else text_or_none(code) is not None
    return has_code or text_or_none(record.get("errorMessage")) is not None


class AlephFamily(TaskFamily):
    """Reads Runway Aleph records (``successFlag`` 0/1 plus error fields) and callbacks."""

    name = "aleph"

    def status_call(self, task_id: str) -> EndpointCall:
        """Return ``GET /api/v1/aleph/record-info?taskId=...``."""
        return EndpointCall(method="GET", path=STATUS_PATH, params={"taskId": task_id})

    def parse_status(self, task_id: str, data: Any) -> TaskStatus:
        """Read a record-info ``data`` object (see the module docstring for ``successFlag`` 0).

        Raises:
            MalformedResponseError: no ``successFlag``, or a value other than 0 and 1.
        """
        record = require_mapping(data, "Aleph task record")
        raw_flag = record.get("successFlag")
        flag = int_or_none(raw_flag)
        if flag == 1:
            state = TaskState.SUCCEEDED
        elif flag == 0:
            state = TaskState.FAILED if reports_error(record) else TaskState.RUNNING
        else:
            raise MalformedResponseError(
                f"Aleph record has successFlag {raw_flag!r}; known values are 0 and 1",
                task_id=task_id,
            )
        response = json_object(record.get("response"), "Aleph record response")
        error_code = text_or_none(record.get("errorCode"))
        return TaskStatus(
            task_id=text_or_none(record.get("taskId")) or task_id,
            state=state,
            raw_state=f"successFlag={flag}",
            result_urls=url_list(response.get("resultVideoUrl")),
            thumbnail_urls=url_list(response.get("resultImageUrl")),
            fail_code=error_code if error_code != "0" else None,
            fail_message=text_or_none(record.get("errorMessage")),
            created_at=from_epoch_ms(record.get("createTime")),
            completed_at=from_epoch_ms(record.get("completeTime")),
            raw=dict(record),
        )

    def parse_callback(self, body: Any) -> CallbackEvent:
        """Read an Aleph callback in either documented shape.

        The callback guide sends ``{code, msg, data: {result_video_url, result_image_url},
        taskId}`` with the task id at the top level (``data`` is null on failure); the generate
        page's OpenAPI block declares the Runway body ``{code, msg, data: {task_id, video_id,
        video_url, image_url}}``.

        Raises:
            MalformedResponseError: no task id in either place, or a code other than 200, 400,
                500.
        """
        envelope = require_mapping(body, "Aleph callback")
        raw_data = envelope.get("data")
        data: Mapping[str, Any] = (
            {} if raw_data is None else require_mapping(raw_data, "Aleph callback data")
        )
        task_id = text_or_none(envelope.get("taskId")) or text_or_none(data.get("task_id"))
        if task_id is None:
            raise MalformedResponseError("Aleph callback has no taskId or data.task_id")
        return coded_callback(
            self.name,
            envelope,
            task_id,
            ALEPH_CALLBACK_CODES,
            label="Aleph",
            result_urls=url_list(data.get("result_video_url")) or url_list(data.get("video_url")),
            thumbnail_urls=(
                url_list(data.get("result_image_url")) or url_list(data.get("image_url"))
            ),
        )


#: The one Aleph family object.
ALEPH = AlephFamily()
