"""Property tests: any record or callback body gives a status or MalformedResponseError."""

from __future__ import annotations

import copy
from typing import Any

import luma_fixtures as fx
from hypothesis import example, given
from hypothesis import strategies as st
from kie_luma import LUMA

from kie_core.errors import MalformedResponseError
from kie_core.status import TaskStatus

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["0", "1", "4", "[", '["u"]', "{...}", "1755078480000"])
)
JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=12,
)


def _apply(base: dict[str, Any], top: dict[str, Any], inner: dict[str, Any], nested: str) -> Any:
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


RECORD_KEYS = [
    "taskId",
    "successFlag",
    "response",
    "errorCode",
    "errorMessage",
    "completeTime",
    "createTime",
]
RECORDS = (
    JSON
    | st.dictionaries(st.sampled_from(RECORD_KEYS), JSON)
    | _mutated(fx.RECORD, RECORD_KEYS, "response", ["resultUrls", "originUrls"])
)
CALLBACKS = (
    JSON
    | st.dictionaries(st.sampled_from(["code", "msg", "data"]), JSON)
    | _mutated(fx.CALLBACK_SUCCESS, ["code", "msg", "data"], "data", ["taskId", "resultUrls"])
    | _mutated(fx.CALLBACK_FAILURE, ["code", "msg", "data"], "data", ["taskId", "promptJson"])
)


@given(RECORDS)
@example({"successFlag": "\u00b2"})
@example({"successFlag": 4, "createTime": 10**400, "completeTime": "9" * 5000})
def test_any_record(record: Any) -> None:
    try:
        status = LUMA.parse_status("t", record)
    except MalformedResponseError:
        return
    assert isinstance(status, TaskStatus)


@given(CALLBACKS)
def test_any_callback(body: Any) -> None:
    try:
        event = LUMA.parse_callback(body)
    except MalformedResponseError:
        return
    assert event.status.done
