"""Every documented Luma record and callback, read into the normalized status."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import luma_fixtures as fx
import pytest
from kie_luma import LUMA

from kie_core.errors import MalformedResponseError
from kie_core.status import TaskState


def test_status_call() -> None:
    result = LUMA.status_call(fx.TASK)
    assert result.method == "GET"
    assert result.path == "/api/v1/modify/record-info"
    assert result.params == {"taskId": fx.TASK}


def test_docs_record() -> None:
    status = LUMA.parse_status(fx.TASK, fx.RECORD)
    assert status.state is TaskState.SUCCEEDED
    assert status.raw_state == "successFlag=1 (SUCCESS)"
    assert status.result_urls == (
        "https://tempfile.aiquickdraw.com/l/f782018c-6be4-4990-96ba-7231cd5a39e7.mp4",
    )
    assert status.origin_urls == (
        "https://tempfile.aiquickdraw.com/kieai/file/veo3-video/1755074605154fqb0m8ge.mp4",
    )
    assert status.created_at == datetime.fromtimestamp(1755078171, tz=UTC)
    assert status.completed_at == datetime.fromtimestamp(1755078480, tz=UTC)
    assert status.fail_code is None


@pytest.mark.parametrize(
    ("flag", "state", "name"),
    [
        (0, TaskState.RUNNING, "GENERATING"),
        (1, TaskState.SUCCEEDED, "SUCCESS"),
        (2, TaskState.FAILED, "CREATE_TASK_FAILED"),
        (3, TaskState.FAILED, "GENERATE_FAILED"),
        (4, TaskState.SUCCEEDED, "CALLBACK_FAILED"),
    ],
)
def test_every_success_flag(flag: int, state: TaskState, name: str) -> None:
    record = {"taskId": fx.TASK, "successFlag": flag, "response": None}
    status = LUMA.parse_status(fx.TASK, record)
    assert status.state is state
    assert status.raw_state == f"successFlag={flag} ({name})"


def test_callback_failed_keeps_the_result() -> None:
    record = copy.deepcopy(fx.RECORD) | {"successFlag": 4}
    status = LUMA.parse_status(fx.TASK, record)
    assert status.succeeded
    assert status.result_urls == tuple(fx.RECORD["response"]["resultUrls"])


def test_failed_record() -> None:
    record = {
        "taskId": fx.TASK,
        "successFlag": 3,
        "response": None,
        "errorCode": 501,
        "errorMessage": "Modify record generation failed.",
        "createTime": 1755078171000,
        "completeTime": 1755078480000,
    }
    status = LUMA.parse_status(fx.TASK, record)
    assert status.failed
    assert status.fail_code == "501"
    assert status.fail_message == "Modify record generation failed."


@pytest.mark.parametrize("flag", [5, -1, None, "", "SUCCESS", True])
def test_unknown_flag_is_malformed(flag: Any) -> None:
    with pytest.raises(MalformedResponseError):
        LUMA.parse_status(fx.TASK, {"taskId": fx.TASK, "successFlag": flag})


def test_success_callback() -> None:
    event = LUMA.parse_callback(fx.CALLBACK_SUCCESS)
    assert event.task_id == fx.TASK
    assert event.family == "luma"
    assert event.code == 200
    assert event.status.state is TaskState.SUCCEEDED
    assert event.status.result_urls == tuple(fx.CALLBACK_SUCCESS["data"]["resultUrls"])
    assert event.status.raw["data"]["promptJson"] == fx.CALLBACK_SUCCESS["data"]["promptJson"]


def test_dog_test_success_message_variant() -> None:
    body = copy.deepcopy(fx.CALLBACK_SUCCESS)
    body["msg"] = "Modification record generated successfully."
    assert LUMA.parse_callback(body).status.succeeded


def test_failure_callback() -> None:
    event = LUMA.parse_callback(fx.CALLBACK_FAILURE)
    assert event.status.state is TaskState.FAILED
    assert event.status.fail_code == "500"
    assert event.status.fail_message == "Modify record generation failed."
    assert event.status.result_urls == ()


@pytest.mark.parametrize(
    "body",
    [
        None,
        {"code": 200, "data": None},
        {"code": 200, "data": {"resultUrls": ["u"]}},
        {"code": 400, "data": {"taskId": fx.TASK}},
        {"code": "x", "data": {"taskId": fx.TASK}},
    ],
)
def test_malformed_callbacks(body: Any) -> None:
    with pytest.raises(MalformedResponseError):
        LUMA.parse_callback(body)
