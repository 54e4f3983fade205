"""Every documented Veo record, callback and upgrade answer, read into the normalized status."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
import veo_fixtures as fx
from kie_veo import VEO, parse_4k_callback, read_4k_answer, read_1080p_result

from kie_core.errors import ApiValidationError, MalformedResponseError, ServerError
from kie_core.status import TaskState


def test_status_call() -> None:
    result = VEO.status_call("veo_task_abcdef123456")
    assert result.method == "GET"
    assert result.path == "/api/v1/veo/record-info"
    assert result.params == {"taskId": "veo_task_abcdef123456"}


def test_docs_record() -> None:
    status = VEO.parse_status("veo_task_abcdef123456", fx.RECORD_DOCS)
    assert status.state is TaskState.SUCCEEDED
    assert status.raw_state == "successFlag=1"
    assert status.result_urls == (
        "http://example.com/full_result.mp4",
        "http://example.com/video1.mp4",
    )
    assert status.origin_urls == ("http://example.com/original_video1.mp4",)
    assert status.fail_code is None
    assert status.fail_message is None
    assert status.created_at == datetime(2025, 6, 6, 10, 25, tzinfo=UTC)
    assert status.completed_at == datetime(2025, 6, 6, 10, 30, tzinfo=UTC)
    assert status.raw["paramJson"] == fx.RECORD_DOCS["paramJson"]


def test_live_record() -> None:
    status = VEO.parse_status("4c9a31a5bb61db65d10f1210d78cc08a", fx.RECORD_LIVE)
    assert status.state is TaskState.SUCCEEDED
    assert status.result_urls == ("https://tempfile.aiquickdraw.com/v/4c9a31a5_1776728275.mp4",)
    assert status.origin_urls == ()
    assert status.created_at == datetime.fromtimestamp(1776728214, tz=UTC)
    assert status.completed_at == datetime.fromtimestamp(1776728275, tz=UTC)


@pytest.mark.parametrize(
    ("flag", "state"),
    [
        (0, TaskState.RUNNING),
        (1, TaskState.SUCCEEDED),
        (2, TaskState.FAILED),
        (3, TaskState.FAILED),
        ("3", TaskState.FAILED),
    ],
)
def test_every_success_flag(flag: Any, state: TaskState) -> None:
    record = {"taskId": "t", "successFlag": flag, "response": None}
    if state is TaskState.FAILED:
        record |= {"errorCode": 501, "errorMessage": "Generation failed"}
    status = VEO.parse_status("t", record)
    assert status.state is state
    assert status.raw_state == f"successFlag={int(flag)}"
    if state is TaskState.FAILED:
        assert status.fail_code == "501"
        assert status.fail_message == "Generation failed"
        assert status.result_urls == ()


@pytest.mark.parametrize("flag", [4, -1, 9, None, "", "done", True, 1.5])
def test_unknown_success_flag_is_malformed(flag: Any) -> None:
    with pytest.raises(MalformedResponseError) as caught:
        VEO.parse_status("t", {"taskId": "t", "successFlag": flag})
    assert caught.value.task_id == "t"


def test_missing_success_flag_is_malformed() -> None:
    with pytest.raises(MalformedResponseError):
        VEO.parse_status("t", {"taskId": "t"})


@pytest.mark.parametrize("data", [None, [], "record", 5])
def test_non_object_record_is_malformed(data: Any) -> None:
    with pytest.raises(MalformedResponseError):
        VEO.parse_status("t", data)


def test_result_urls_as_a_json_string() -> None:
    record = copy.deepcopy(fx.RECORD_LIVE)
    record["response"]["resultUrls"] = json.dumps(["https://x/v.mp4", "https://x/w.mp4"])
    status = VEO.parse_status("t", record)
    assert status.result_urls == ("https://x/v.mp4", "https://x/w.mp4")


def test_result_urls_as_the_callback_style_bracket_string() -> None:
    record = copy.deepcopy(fx.RECORD_LIVE)
    record["response"]["resultUrls"] = "[http://example.com/video1.mp4]"
    assert VEO.parse_status("t", record).result_urls == ("http://example.com/video1.mp4",)


def test_quickstart_style_result_urls_at_the_top_of_data() -> None:
    record = {"taskId": "t", "successFlag": 1, "resultUrls": '["https://x/v.mp4"]'}
    assert VEO.parse_status("t", record).result_urls == ("https://x/v.mp4",)


def test_response_as_a_json_string() -> None:
    record = {"taskId": "t", "successFlag": 1, "response": json.dumps({"resultUrls": ["u"]})}
    assert VEO.parse_status("t", record).result_urls == ("u",)


def test_4k_record_images_become_thumbnails() -> None:
    record = {
        "taskId": "t",
        "successFlag": 1,
        "response": {"resultUrls": ["https://x/4k.mp4"], "imageUrls": ["https://x/4k.jpg"]},
    }
    status = VEO.parse_status("t", record)
    assert status.thumbnail_urls == ("https://x/4k.jpg",)


def test_record_task_id_falls_back_to_the_asked_one() -> None:
    assert VEO.parse_status("asked", {"successFlag": 0}).task_id == "asked"


# --- callbacks ------------------------------------------------------------------------------


def test_success_callback() -> None:
    event = VEO.parse_callback(fx.CALLBACK_SUCCESS)
    assert event.task_id == "veo_task_abcdef123456"
    assert event.family == "veo"
    assert event.code == 200
    assert event.message == "Veo3.1 video generated successfully."
    assert event.status.state is TaskState.SUCCEEDED
    assert event.status.result_urls == ("http://example.com/video1.mp4",)
    assert event.status.origin_urls == ("http://example.com/original_video1.mp4",)
    assert event.status.fail_code is None


def test_success_callback_with_prompt_json_as_a_string() -> None:
    body = copy.deepcopy(fx.CALLBACK_SUCCESS)
    body["data"]["promptJson"] = json.dumps(body["data"]["promptJson"])
    assert VEO.parse_callback(body).status.state is TaskState.SUCCEEDED


def test_success_callback_with_result_urls_typed_as_a_string() -> None:
    body = copy.deepcopy(fx.CALLBACK_SUCCESS)
    body["data"]["info"]["resultUrls"] = "[http://example.com/video1.mp4]"
    assert VEO.parse_callback(body).status.result_urls == ("http://example.com/video1.mp4",)


@pytest.mark.parametrize("body", [fx.CALLBACK_400, fx.CALLBACK_422])
def test_documented_failure_callbacks(body: dict[str, Any]) -> None:
    event = VEO.parse_callback(body)
    assert event.status.state is TaskState.FAILED
    assert event.status.fail_code == str(body["code"])
    assert event.status.fail_message == body["msg"]
    assert event.status.result_urls == ()


@pytest.mark.parametrize(
    ("code", "msg"),
    [(500, "Internal Error, Please try again later."), (501, "Generation failed")],
)
def test_server_failure_callbacks(code: int, msg: str) -> None:
    body = {"code": code, "msg": msg, "data": {"taskId": "t", "fallbackFlag": False}}
    event = VEO.parse_callback(body)
    assert event.status.state is TaskState.FAILED
    assert event.code == code


def test_4k_callback_page_text_shape() -> None:
    event = parse_4k_callback(fx.CALLBACK_4K_SUCCESS)
    assert event.task_id == "veo_task_example123"
    assert event.status.state is TaskState.SUCCEEDED
    assert event.status.result_urls == (
        "https://file.aiquickdraw.com/v/example_task_1234567890.mp4",
    )
    assert event.status.thumbnail_urls == (
        "https://file.aiquickdraw.com/v/example_task_1234567890.jpg",
    )


def test_4k_callback_openapi_shape() -> None:
    event = parse_4k_callback(fx.CALLBACK_4K_OPENAPI)
    assert event.task_id == "veo_task_example123"
    assert event.status.state is TaskState.SUCCEEDED
    assert event.status.result_urls == (
        "https://file.aiquickdraw.com/v/example_task_1234567890.mp4",
    )
    assert event.status.thumbnail_urls == (
        "https://file.aiquickdraw.com/v/example_task_1234567890.jpg",
    )


def test_4k_callback_failure() -> None:
    event = parse_4k_callback(fx.CALLBACK_4K_FAILURE)
    assert event.status.state is TaskState.FAILED
    assert event.status.fail_message == fx.CALLBACK_4K_FAILURE["msg"]


@pytest.mark.parametrize("code", [201, 300, 404, None, "ok"])
def test_unknown_callback_code_is_malformed(code: Any) -> None:
    with pytest.raises(MalformedResponseError):
        VEO.parse_callback({"code": code, "msg": "?", "data": {"taskId": "t"}})


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {"code": 200, "msg": "ok"},
        {"code": 200, "data": None},
        {"code": 200, "data": {"info": {"resultUrls": ["u"]}}},
        {"code": 200, "data": {"taskId": "t", "info": "not json"}},
    ],
)
def test_malformed_callbacks(body: Any) -> None:
    with pytest.raises(MalformedResponseError):
        VEO.parse_callback(body)


# --- upgrade answers ------------------------------------------------------------------------


def test_1080p_answer() -> None:
    assert read_1080p_result(fx.ANSWER_1080P_DATA) == fx.ANSWER_1080P_DATA["resultUrl"]


@pytest.mark.parametrize("data", [None, {}, {"resultUrl": None}, {"resultUrl": ""}, "u"])
def test_1080p_answer_without_url_is_malformed(data: Any) -> None:
    with pytest.raises(MalformedResponseError):
        read_1080p_result(data)


def test_4k_accepted_answer_is_running() -> None:
    status = read_4k_answer(fx.ANSWER_4K_ACCEPTED)
    assert status.task_id == "veo_task_abcdef123456"
    assert status.state is TaskState.RUNNING
    assert status.result_urls == ()


def test_4k_processing_answer_is_running() -> None:
    status = read_4k_answer(fx.ANSWER_4K_PROCESSING)
    assert status.state is TaskState.RUNNING
    assert status.raw_state == "code=422"


def test_4k_already_generated_answer_is_succeeded() -> None:
    status = read_4k_answer(fx.ANSWER_4K_GENERATED)
    assert status.state is TaskState.SUCCEEDED
    assert status.result_urls == ("https://tempfile.aiquickdraw.com/v/example_task_1234567890.mp4",)
    assert status.thumbnail_urls == (
        "https://tempfile.aiquickdraw.com/v/example_task_1234567890.jpg",
    )


def test_4k_answer_422_without_an_upgrade_record_raises() -> None:
    with pytest.raises(ApiValidationError) as caught:
        read_4k_answer({"code": 422, "msg": "record is null.", "data": None})
    assert caught.value.code == 422


def test_4k_answer_other_codes_raise_their_error() -> None:
    with pytest.raises(ServerError):
        read_4k_answer({"code": 500, "msg": "Internal Error", "data": None})


@pytest.mark.parametrize("body", [None, {}, {"code": 200, "data": None}, {"code": "x"}])
def test_4k_answer_malformed(body: Any) -> None:
    with pytest.raises(MalformedResponseError):
        read_4k_answer(body)
