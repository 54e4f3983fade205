"""Every documented Runway and Aleph record and callback, read into the normalized status."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
import runway_fixtures as fx
from kie_runway import ALEPH, RUNWAY

from kie_core.errors import MalformedResponseError
from kie_core.status import TaskState

TASK = "ee603959-debb-48d1-98c4-a6d1c717eba6"


@pytest.mark.parametrize(
    ("family", "path"),
    [(RUNWAY, "/api/v1/runway/record-detail"), (ALEPH, "/api/v1/aleph/record-info")],
)
def test_status_calls(family: Any, path: str) -> None:
    result = family.status_call(TASK)
    assert result.method == "GET"
    assert result.path == path
    assert result.params == {"taskId": TASK}


# --- Runway record --------------------------------------------------------------------------


@pytest.mark.parametrize("record", [fx.RUNWAY_RECORD, fx.RUNWAY_RECORD_QUICKSTART])
def test_runway_success_records(record: dict[str, Any]) -> None:
    status = RUNWAY.parse_status(TASK, record)
    assert status.state is TaskState.SUCCEEDED
    assert status.raw_state == "success"
    assert status.result_urls == ("https://file.com/k/xxxxxxx.mp4",)
    assert status.thumbnail_urls == ("https://file.com/m/xxxxxxxx.png",)
    assert status.fail_code is None
    assert status.fail_message is None
    assert status.expired is False
    assert status.created_at == datetime(2023, 8, 15, 14, 30, 45, tzinfo=UTC)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("wait", TaskState.PENDING),
        ("queueing", TaskState.PENDING),
        ("generating", TaskState.RUNNING),
        ("success", TaskState.SUCCEEDED),
        ("fail", TaskState.FAILED),
        ("FAIL", TaskState.FAILED),
    ],
)
def test_runway_every_state(state: str, expected: TaskState) -> None:
    record = {"taskId": TASK, "state": state, "videoInfo": None, "failCode": None, "failMsg": ""}
    assert RUNWAY.parse_status(TASK, record).state is expected


def test_runway_failed_record() -> None:
    record = {
        "taskId": TASK,
        "parentTaskId": "",
        "state": "fail",
        "generateTime": "2023-08-15 14:30:45",
        "videoInfo": None,
        "failCode": 400,
        "failMsg": "Generation failed, please try again later",
        "expireFlag": 0,
    }
    status = RUNWAY.parse_status(TASK, record)
    assert status.state is TaskState.FAILED
    assert status.fail_code == "400"
    assert status.fail_message == "Generation failed, please try again later"
    assert status.result_urls == ()


def test_runway_expired_record() -> None:
    record = copy.deepcopy(fx.RUNWAY_RECORD) | {"expireFlag": 1}
    status = RUNWAY.parse_status(TASK, record)
    assert status.expired is True
    assert status.state is TaskState.SUCCEEDED


def test_runway_extend_record_keeps_its_parent() -> None:
    record = copy.deepcopy(fx.RUNWAY_RECORD) | {"parentTaskId": "original"}
    assert RUNWAY.parse_status(TASK, record).raw["parentTaskId"] == "original"


@pytest.mark.parametrize("state", ["queuing", "waiting", "done", "", None, 1, ["success"]])
def test_runway_unknown_state_is_malformed(state: Any) -> None:
    with pytest.raises(MalformedResponseError) as caught:
        RUNWAY.parse_status(TASK, {"taskId": TASK, "state": state})
    assert caught.value.task_id == TASK


# --- Runway callback ------------------------------------------------------------------------


def test_runway_success_callback() -> None:
    event = RUNWAY.parse_callback(fx.RUNWAY_CALLBACK)
    assert event.task_id == TASK
    assert event.family == "runway"
    assert event.code == 200
    assert event.message == "All generated successfully."
    assert event.status.state is TaskState.SUCCEEDED
    assert event.status.result_urls == ("https://file.com/k/xxxxxxx.mp4",)
    assert event.status.thumbnail_urls == ("https://file.com/m/xxxxxxxx.png",)


@pytest.mark.parametrize(
    ("code", "msg"),
    [(400, "Inappropriate content"), (500, "Internal Error, Please try again later.")],
)
def test_runway_failure_callbacks(code: int, msg: str) -> None:
    body = {
        "code": code,
        "msg": msg,
        "data": {"task_id": TASK, "video_id": "", "video_url": "", "image_url": ""},
    }
    event = RUNWAY.parse_callback(body)
    assert event.status.state is TaskState.FAILED
    assert event.status.fail_code == str(code)
    assert event.status.fail_message == msg
    assert event.status.result_urls == ()


def test_runway_failure_callback_with_urls_absent() -> None:
    event = RUNWAY.parse_callback({"code": 400, "msg": "NSFW", "data": {"task_id": TASK}})
    assert event.status.state is TaskState.FAILED


@pytest.mark.parametrize(
    "body",
    [
        None,
        {"code": 200, "data": None},
        {"code": 200, "data": {"video_url": "u"}},
        {"code": 422, "data": {"task_id": TASK}},
        {"code": None, "data": {"task_id": TASK}},
    ],
)
def test_runway_malformed_callbacks(body: Any) -> None:
    with pytest.raises(MalformedResponseError):
        RUNWAY.parse_callback(body)


# --- Aleph record ---------------------------------------------------------------------------


def test_aleph_success_record() -> None:
    status = ALEPH.parse_status(TASK, fx.ALEPH_RECORD)
    assert status.state is TaskState.SUCCEEDED
    assert status.raw_state == "successFlag=1"
    assert status.result_urls == ("https://file.com/k/xxxxxxx.mp4",)
    assert status.thumbnail_urls == ("https://file.com/m/xxxxxxxx.png",)
    assert status.fail_code is None
    assert status.fail_message is None
    assert status.created_at == datetime(2023, 8, 15, 14, 25, tzinfo=UTC)
    assert status.completed_at == datetime(2023, 8, 15, 14, 30, 45, tzinfo=UTC)


@pytest.mark.parametrize(
    ("code", "message"), [(0, ""), (None, None), (0, None), (None, ""), ("0", "")]
)
def test_aleph_flag_0_without_an_error_is_running(code: Any, message: Any) -> None:
    record = {
        "taskId": TASK,
        "response": None,
        "createTime": "2023-08-15T14:25:00Z",
        "successFlag": 0,
        "errorCode": code,
        "errorMessage": message,
    }
    status = ALEPH.parse_status(TASK, record)
    assert status.state is TaskState.RUNNING
    assert status.fail_code is None


@pytest.mark.parametrize(
    ("code", "message"),
    [(400, "Generation failed, please try again later"), (500, ""), (0, "moderated"), ("E1", "")],
)
def test_aleph_flag_0_with_an_error_is_failed(code: Any, message: Any) -> None:
    record = {"taskId": TASK, "successFlag": 0, "errorCode": code, "errorMessage": message}
    status = ALEPH.parse_status(TASK, record)
    assert status.state is TaskState.FAILED
    assert status.fail_code == (None if code == 0 else str(code))
    assert status.fail_message == (message or None)


@pytest.mark.parametrize("flag", [2, 3, -1, None, "", "yes", True])
def test_aleph_unknown_flag_is_malformed(flag: Any) -> None:
    with pytest.raises(MalformedResponseError):
        ALEPH.parse_status(TASK, {"taskId": TASK, "successFlag": flag})


# --- Aleph callbacks ------------------------------------------------------------------------


def test_aleph_guide_callback() -> None:
    event = ALEPH.parse_callback(fx.ALEPH_CALLBACK_GUIDE)
    assert event.task_id == TASK
    assert event.family == "aleph"
    assert event.status.state is TaskState.SUCCEEDED
    assert event.status.result_urls == ("https://file.com/k/xxxxxxx.mp4",)
    assert event.status.thumbnail_urls == ("https://file.com/m/xxxxxxxx.png",)


def test_aleph_guide_error_callback() -> None:
    event = ALEPH.parse_callback(fx.ALEPH_CALLBACK_GUIDE_ERROR)
    assert event.task_id == TASK
    assert event.status.state is TaskState.FAILED
    assert event.status.fail_code == "400"
    assert event.status.fail_message == fx.ALEPH_CALLBACK_GUIDE_ERROR["msg"]


def test_aleph_openapi_callback() -> None:
    event = ALEPH.parse_callback(fx.ALEPH_CALLBACK_OPENAPI)
    assert event.task_id == TASK
    assert event.status.state is TaskState.SUCCEEDED
    assert event.status.result_urls == ("https://file.com/k/xxxxxxx.mp4",)
    assert event.status.thumbnail_urls == ("https://file.com/m/xxxxxxxx.png",)


def test_aleph_openapi_failure_callback() -> None:
    body = {"code": 500, "msg": "Internal Error", "data": {"task_id": TASK}}
    assert ALEPH.parse_callback(body).status.state is TaskState.FAILED


@pytest.mark.parametrize(
    "body",
    [
        None,
        {"code": 200, "data": None},
        {"code": 200, "data": {"result_video_url": "u"}},
        {"code": 200, "data": "x", "taskId": TASK},
        {"code": 201, "data": None, "taskId": TASK},
    ],
)
def test_aleph_malformed_callbacks(body: Any) -> None:
    with pytest.raises(MalformedResponseError):
        ALEPH.parse_callback(body)


@pytest.mark.parametrize("family", [RUNWAY, ALEPH])
def test_callbacks_of_camel_case_families_are_not_read(family: Any) -> None:
    """Veo and Luma put ``data.taskId``; neither Runway body does, so such a body is refused."""
    veo_like = {"code": 200, "msg": "ok", "data": {"taskId": TASK, "info": {"resultUrls": ["u"]}}}
    with pytest.raises(MalformedResponseError):
        family.parse_callback(veo_like)
