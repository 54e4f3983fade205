"""The Luma Modify task family: ``GET /api/v1/modify/record-info`` and the Luma callback body."""

from __future__ import annotations

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

STATUS_PATH = "/api/v1/modify/record-info"

#: ``successFlag`` of a Luma record. 4 (CALLBACK_FAILED) means the video WAS generated and only
#: the delivery of the callback failed: the result is there, so the task succeeded.
LUMA_SUCCESS_FLAGS: dict[int, TaskState] = {
    0: TaskState.RUNNING,
    1: TaskState.SUCCEEDED,
    2: TaskState.FAILED,
    3: TaskState.FAILED,
    4: TaskState.SUCCEEDED,
}

#: The documented names of the flags, kept in ``raw_state``.
LUMA_FLAG_NAMES: dict[int, str] = {
    0: "GENERATING",
    1: "SUCCESS",
    2: "CREATE_TASK_FAILED",
    3: "GENERATE_FAILED",
    4: "CALLBACK_FAILED",
}

#: Callback ``code`` values: 200 success, 500 failed.
LUMA_CALLBACK_CODES: dict[int, TaskState] = {200: TaskState.SUCCEEDED, 500: TaskState.FAILED}


class LumaFamily(TaskFamily):
    """Reads Luma Modify records (``successFlag`` 0-4) and callbacks.

    ``origin_urls`` holds the source video the record echoes in ``response.originUrls``.
    """

    name = "luma"

    def status_call(self, task_id: str) -> EndpointCall:
        """Return ``GET /api/v1/modify/record-info?taskId=...``."""
        return EndpointCall(method="GET", path=STATUS_PATH, params={"taskId": task_id})

    def parse_status(self, task_id: str, data: Any) -> TaskStatus:
        """Read a record-info ``data`` object (times are epoch milliseconds).

        Raises:
            MalformedResponseError: no ``successFlag``, or a value other than 0-4.
        """
        record = require_mapping(data, "Luma task record")
        raw_flag = record.get("successFlag")
        flag = int_or_none(raw_flag)
        state = LUMA_SUCCESS_FLAGS.get(flag) if flag is not None else None
        if flag is None or state is None:
            raise MalformedResponseError(
                f"Luma record has successFlag {raw_flag!r}; known values are 0 to 4",
                task_id=task_id,
            )
        response = json_object(record.get("response"), "Luma record response")
        return TaskStatus(
            task_id=text_or_none(record.get("taskId")) or task_id,
            state=state,
            raw_state=f"successFlag={flag} ({LUMA_FLAG_NAMES[flag]})",
            result_urls=url_list(response.get("resultUrls")),
            origin_urls=url_list(response.get("originUrls")),
            fail_code=text_or_none(record.get("errorCode")),
            fail_message=text_or_none(record.get("errorMessage")),
            created_at=from_epoch_ms(record.get("createTime")),
            completed_at=from_epoch_ms(record.get("completeTime")),
            raw=dict(record),
        )

    def parse_callback(self, body: Any) -> CallbackEvent:
        """Read a Luma callback: ``{code, msg, data: {taskId, promptJson, resultUrls?}}``.

        ``promptJson`` (a JSON string echoing the request) is kept in ``raw``, not parsed.

        Raises:
            MalformedResponseError: no ``data.taskId``, or a code other than 200 and 500.
        """
        envelope = require_mapping(body, "Luma callback")
        data = require_mapping(envelope.get("data"), "Luma callback data")
        task_id = text_or_none(data.get("taskId"))
        if task_id is None:
            raise MalformedResponseError("Luma callback has no data.taskId")
        return coded_callback(
            self.name,
            envelope,
            task_id,
            LUMA_CALLBACK_CODES,
            label="Luma",
            result_urls=url_list(data.get("resultUrls")),
        )


#: The one Luma family object.
LUMA = LumaFamily()
