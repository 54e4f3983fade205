from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kie_core.errors import MalformedResponseError
from kie_core.families.market import MARKET
from kie_core.status import TaskState

SUCCESS = {
    "taskId": "task_12345678",
    "model": "kling/v2-1-pro",
    "state": "success",
    "param": json.dumps({"model": "kling/v2-1-pro", "input": {"prompt": "..."}}),
    "resultJson": '{"resultUrls":["https://tempfile.aiquickdraw.com/xxx.mp4"]}',
    "failCode": "",
    "failMsg": "",
    "costTime": 15000,
    "completeTime": 1698765432000,
    "createTime": 1698765400000,
    "updateTime": 1698765432000,
}
FAIL = {
    **SUCCESS,
    "state": "fail",
    "resultJson": "",
    "failCode": "422",
    "failMsg": "Invalid prompt: prompt contains prohibited content",
}


def test_success_record() -> None:
    status = MARKET.parse_status("task_12345678", SUCCESS)
    assert status.state is TaskState.SUCCEEDED
    assert status.result_urls == ("https://tempfile.aiquickdraw.com/xxx.mp4",)
    assert status.fail_code is None
    assert status.created_at is not None
    assert status.completed_at is not None


def test_fail_record() -> None:
    status = MARKET.parse_status("task_12345678", FAIL)
    assert status.state is TaskState.FAILED
    assert status.fail_code == "422"
    assert status.fail_message and "prohibited" in status.fail_message


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("waiting", TaskState.PENDING),
        ("queuing", TaskState.PENDING),
        ("generating", TaskState.RUNNING),
        ("success", TaskState.SUCCEEDED),
        ("fail", TaskState.FAILED),
    ],
)
def test_every_state(state: str, expected: TaskState) -> None:
    record = {
        "taskId": "t",
        "state": state,
        "resultJson": None,
        "failCode": None,
        "failMsg": None,
        "completeTime": None,
    }
    assert MARKET.parse_status("t", record).state is expected


def test_waiting_record_with_nulls() -> None:
    record = {
        "taskId": "t",
        "state": "waiting",
        "resultJson": None,
        "costTime": None,
        "completeTime": None,
    }
    status = MARKET.parse_status("t", record)
    assert status.state is TaskState.PENDING
    assert status.result_urls == ()
    assert status.completed_at is None


def test_sora_watermark_urls_and_progress() -> None:
    record = {
        **SUCCESS,
        "progress": 100,
        "creditsConsumed": 20,
        "resultJson": json.dumps(
            {"resultUrls": ["https://a/x.mp4"], "resultWaterMarkUrls": ["https://a/x_wm.mp4"]}
        ),
    }
    status = MARKET.parse_status("t", record)
    assert status.result_urls == ("https://a/x.mp4",)
    assert status.progress == 100
    assert status.credits == 20


def test_callbacks_success_and_failure() -> None:
    ok = MARKET.parse_callback(
        {"code": 200, "msg": "Playground task completed successfully.", "data": SUCCESS}
    )
    assert ok.task_id == "task_12345678"
    assert ok.status.succeeded
    failed = MARKET.parse_callback(
        {
            "code": 501,
            "msg": "Playground task failed.",
            "data": {**FAIL, "resultJson": None, "failCode": "500"},
        }
    )
    assert failed.status.failed
    assert failed.code == 501


def test_status_call() -> None:
    call = MARKET.status_call("abc")
    assert (call.method, call.path, call.params) == (
        "GET",
        "/api/v1/jobs/recordInfo",
        {"taskId": "abc"},
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)
record_keys = st.sampled_from(
    [
        "taskId",
        "state",
        "resultJson",
        "failCode",
        "failMsg",
        "createTime",
        "completeTime",
        "progress",
        "creditsConsumed",
    ]
)


@given(
    st.one_of(
        json_values,
        st.dictionaries(
            record_keys,
            json_values
            | st.sampled_from(
                ["success", "fail", "waiting", '{"resultUrls": [1, "x"]}', "[", "{}"]
            ),
        ),
    )
)
def test_any_record_gives_status_or_typed_error(record: Any) -> None:
    try:
        status = MARKET.parse_status("t", record)
    except MalformedResponseError:
        return
    assert status.task_id


@given(json_values)
def test_any_callback_gives_event_or_typed_error(body: Any) -> None:
    try:
        MARKET.parse_callback(body)
    except MalformedResponseError:
        return
