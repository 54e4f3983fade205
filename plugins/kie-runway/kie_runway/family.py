"""The Runway task family: ``GET /api/v1/runway/record-detail`` and the Runway callback body.

Generate and extend tasks share both. The record uses camelCase (``videoInfo.videoUrl``), the
callback snake_case (``data.video_url``).
"""

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

STATUS_PATH = "/api/v1/runway/record-detail"

#: Runway ``state`` values: ``wait`` = submitted, not queued yet.
RUNWAY_STATES: dict[str, TaskState] = {
    "wait": TaskState.PENDING,
    "queueing": TaskState.PENDING,
    "generating": TaskState.RUNNING,
    "success": TaskState.SUCCEEDED,
    "fail": TaskState.FAILED,
}

#: Callback ``code`` values: 200 success, 400 client/content problem, 500 server error.
RUNWAY_CALLBACK_CODES: dict[int, TaskState] = {
    200: TaskState.SUCCEEDED,
    400: TaskState.FAILED,
    500: TaskState.FAILED,
}


class RunwayFamily(TaskFamily):
    """Reads Runway Gen-3 records (``state``) and callbacks.

    ``expireFlag`` 1 (the result links are gone, after 14 days) sets ``TaskStatus.expired``;
    ``generateTime`` becomes ``created_at``.
    """

    name = "runway"

    def status_call(self, task_id: str) -> EndpointCall:
        """Return ``GET /api/v1/runway/record-detail?taskId=...``."""
        return EndpointCall(method="GET", path=STATUS_PATH, params={"taskId": task_id})

    def parse_status(self, task_id: str, data: Any) -> TaskStatus:
        """Read a record-detail ``data`` object.

        Raises:
            MalformedResponseError: no ``state``, or one outside wait, queueing, generating,
                success, fail.
        """
        record = require_mapping(data, "Runway task record")
        raw_state = record.get("state")
        state = RUNWAY_STATES.get(raw_state.strip().lower()) if isinstance(raw_state, str) else None
        if state is None:
            raise MalformedResponseError(
                f"Runway record has state {raw_state!r}; known states are "
                + ", ".join(RUNWAY_STATES),
                task_id=task_id,
            )
        video = json_object(record.get("videoInfo"), "Runway videoInfo")
        return TaskStatus(
            task_id=text_or_none(record.get("taskId")) or task_id,
            state=state,
            raw_state=str(raw_state),
            result_urls=url_list(video.get("videoUrl")),
            thumbnail_urls=url_list(video.get("imageUrl")),
            fail_code=text_or_none(record.get("failCode")),
            fail_message=text_or_none(record.get("failMsg")),
            created_at=from_epoch_ms(record.get("generateTime")),
            expired=int_or_none(record.get("expireFlag")) == 1,
            raw=dict(record),
        )

    def parse_callback(self, body: Any) -> CallbackEvent:
        """Read a Runway callback: ``{code, msg, data: {task_id, video_id, video_url, image_url}}``.

        Raises:
            MalformedResponseError: no ``data.task_id``, or a code other than 200, 400, 500.
        """
        envelope = require_mapping(body, "Runway callback")
        data = require_mapping(envelope.get("data"), "Runway callback data")
        task_id = text_or_none(data.get("task_id"))
        if task_id is None:
            raise MalformedResponseError("Runway callback has no data.task_id")
        return coded_callback(
            self.name,
            envelope,
            task_id,
            RUNWAY_CALLBACK_CODES,
            label="Runway",
            result_urls=url_list(data.get("video_url")),
            thumbnail_urls=url_list(data.get("image_url")),
        )


#: The one Runway family object.
RUNWAY = RunwayFamily()
