"""Property tests: any record or callback body gives a status or MalformedResponseError."""

from __future__ import annotations

import copy
from typing import Any

import runway_fixtures as fx
from hypothesis import example, given
from hypothesis import strategies as st
from kie_runway import ALEPH, RUNWAY
from runway_helpers import REGISTRY

from kie_core.errors import InvalidRequestError, MalformedResponseError
from kie_core.families.base import TaskFamily
from kie_core.request import VideoRequest
from kie_core.status import TaskStatus

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["0", "1", "success", "fail", "wait", "[", '["u"]', "2023-08-15T14:30:45Z"])
)
JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=12,
)


def _apply(
    base: dict[str, Any], top: dict[str, Any], inner: dict[str, Any], nested: str
) -> dict[str, Any]:
    result = copy.deepcopy(base)
    if isinstance(result.get(nested), dict):
        result[nested].update(inner)
    result.update(top)
    return result


def _mutated(base: dict[str, Any], keys: list[str], nested: str, nested_keys: list[str]) -> Any:
    return st.builds(
        _apply,
        st.just(base),
        st.dictionaries(st.sampled_from(keys), JSON, max_size=3),
        st.dictionaries(st.sampled_from(nested_keys), JSON, max_size=3),
        st.just(nested),
    )


RUNWAY_RECORD_KEYS = [
    "taskId",
    "state",
    "videoInfo",
    "failCode",
    "failMsg",
    "expireFlag",
    "generateTime",
    "parentTaskId",
]
ALEPH_RECORD_KEYS = [
    "taskId",
    "successFlag",
    "response",
    "errorCode",
    "errorMessage",
    "completeTime",
    "createTime",
]
CALLBACK_KEYS = ["code", "msg", "data", "taskId"]
CALLBACK_DATA_KEYS = [
    "task_id",
    "taskId",
    "video_url",
    "image_url",
    "result_video_url",
    "result_image_url",
]

RUNWAY_RECORDS = (
    JSON
    | st.dictionaries(st.sampled_from(RUNWAY_RECORD_KEYS), JSON)
    | _mutated(fx.RUNWAY_RECORD, RUNWAY_RECORD_KEYS, "videoInfo", ["videoUrl", "imageUrl"])
)
ALEPH_RECORDS = (
    JSON
    | st.dictionaries(st.sampled_from(ALEPH_RECORD_KEYS), JSON)
    | _mutated(fx.ALEPH_RECORD, ALEPH_RECORD_KEYS, "response", ["resultVideoUrl"])
)
CALLBACKS = (
    JSON
    | st.dictionaries(st.sampled_from(CALLBACK_KEYS), JSON)
    | _mutated(fx.RUNWAY_CALLBACK, CALLBACK_KEYS, "data", CALLBACK_DATA_KEYS)
    | _mutated(fx.ALEPH_CALLBACK_GUIDE, CALLBACK_KEYS, "data", CALLBACK_DATA_KEYS)
    | _mutated(fx.ALEPH_CALLBACK_GUIDE_ERROR, CALLBACK_KEYS, "data", CALLBACK_DATA_KEYS)
)


def _status_or_malformed(family: TaskFamily, record: Any) -> None:
    try:
        status = family.parse_status("t", record)
    except MalformedResponseError:
        return
    assert isinstance(status, TaskStatus)


@given(RUNWAY_RECORDS)
@example({"state": "success", "generateTime": 10**400, "expireFlag": "\u00b2"})
def test_any_runway_record(record: Any) -> None:
    _status_or_malformed(RUNWAY, record)


@given(ALEPH_RECORDS)
@example({"successFlag": 0, "errorCode": "9" * 5000})
@example({"successFlag": "\u00b2"})
def test_any_aleph_record(record: Any) -> None:
    _status_or_malformed(ALEPH, record)


@given(CALLBACKS, st.sampled_from([RUNWAY, ALEPH]))
def test_any_callback(body: Any, family: TaskFamily) -> None:
    try:
        event = family.parse_callback(body)
    except MalformedResponseError:
        return
    assert event.status.done
    assert event.family == family.name


@given(
    duration=st.sampled_from([None, 5, 10, 7]),
    resolution=st.sampled_from([None, "720p", "1080p", "1080P"]),
    aspect=st.sampled_from([None, "16:9", "4:3", "1:1", "3:4", "9:16", "21:9"]),
    image=st.booleans(),
)
def test_runway_requests_are_sent_or_refused_locally(
    duration: int | None, resolution: str | None, aspect: str | None, image: bool
) -> None:
    request = VideoRequest(
        model="runway-gen3",
        prompt="p",
        duration=duration,
        resolution=resolution,
        aspect_ratio=aspect,
        first_frame="https://example.com/i.png" if image else None,
    )
    model = REGISTRY.get("runway-gen3")
    try:
        body = model.build_call(model.resolve(request)).body
    except InvalidRequestError as error:
        assert error.field in {"duration", "aspect_ratio", "resolution"}
        return
    assert body is not None
    assert not (body["duration"] == 10 and body["quality"] == "1080p")
    assert ("aspectRatio" in body) != image
    assert ("imageUrl" in body) == image
