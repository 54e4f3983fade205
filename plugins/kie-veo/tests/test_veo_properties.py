"""Property tests: any record or callback body gives a status or MalformedResponseError."""

from __future__ import annotations

import copy
from typing import Any

import veo_fixtures as fx
from hypothesis import example, given
from hypothesis import strategies as st
from kie_veo import VEO, read_4k_answer, read_1080p_result
from veo_helpers import REGISTRY

from kie_core.errors import ApiError, MalformedResponseError
from kie_core.request import VideoRequest
from kie_core.status import CallbackEvent, TaskStatus

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["0", "1", "2", "3", "[", "[1,", '["u"]', "2025-06-06 10:30:00", "{}"])
)
JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=12,
)

RECORD_KEYS = [
    "taskId",
    "successFlag",
    "response",
    "errorCode",
    "errorMessage",
    "completeTime",
    "createTime",
    "resultUrls",
]
RESPONSE_KEYS = ["resultUrls", "originUrls", "fullResultUrls", "imageUrls", "resolution"]
CALLBACK_KEYS = ["code", "msg", "data"]
CALLBACK_DATA_KEYS = ["taskId", "task_id", "info", "result_urls", "image_urls", "promptJson"]


def _mutated(base: dict[str, Any], keys: list[str], nested: str, nested_keys: list[str]) -> Any:
    return st.builds(
        _apply,
        st.just(base),
        st.dictionaries(st.sampled_from(keys), JSON, max_size=3),
        st.dictionaries(st.sampled_from(nested_keys), JSON, max_size=3),
        st.just(nested),
    )


def _apply(
    base: dict[str, Any], top: dict[str, Any], inner: dict[str, Any], nested: str
) -> dict[str, Any]:
    result = copy.deepcopy(base)
    if isinstance(result.get(nested), dict):
        result[nested].update(inner)
    result.update(top)
    return result


RECORDS = (
    JSON
    | st.dictionaries(st.sampled_from(RECORD_KEYS), JSON)
    | _mutated(fx.RECORD_DOCS, RECORD_KEYS, "response", RESPONSE_KEYS)
    | _mutated(fx.RECORD_LIVE, RECORD_KEYS, "response", RESPONSE_KEYS)
)
CALLBACKS = (
    JSON
    | st.dictionaries(st.sampled_from(CALLBACK_KEYS), JSON)
    | _mutated(fx.CALLBACK_SUCCESS, CALLBACK_KEYS, "data", CALLBACK_DATA_KEYS)
    | _mutated(fx.CALLBACK_400, CALLBACK_KEYS, "data", CALLBACK_DATA_KEYS)
    | _mutated(fx.CALLBACK_4K_OPENAPI, CALLBACK_KEYS, "data", CALLBACK_DATA_KEYS)
)
ANSWERS_4K = (
    JSON
    | _mutated(fx.ANSWER_4K_ACCEPTED, CALLBACK_KEYS, "data", ["taskId", "resultUrls", "imageUrls"])
    | _mutated(fx.ANSWER_4K_GENERATED, CALLBACK_KEYS, "data", ["taskId", "resultUrls"])
)


@given(RECORDS)
@example({"successFlag": "\u00b2"})
@example({"successFlag": "--1"})
@example({"successFlag": 1, "createTime": 10**400, "completeTime": "9" * 5000})
@example({"successFlag": 1, "createTime": float("inf"), "completeTime": "\u00b2"})
def test_any_record_gives_a_status_or_malformed(record: Any) -> None:
    try:
        status = VEO.parse_status("t", record)
    except MalformedResponseError:
        return
    assert isinstance(status, TaskStatus)
    assert status.raw_state.startswith("successFlag=")


@given(CALLBACKS)
@example({"code": "\u00b2", "data": {"taskId": "t"}})
@example({"code": "9" * 5000, "data": {"taskId": "t"}})
def test_any_callback_gives_an_event_or_malformed(body: Any) -> None:
    try:
        event = VEO.parse_callback(body)
    except MalformedResponseError:
        return
    assert isinstance(event, CallbackEvent)
    assert event.status.done


@given(ANSWERS_4K)
def test_any_4k_answer_gives_a_status_or_an_api_error(body: Any) -> None:
    try:
        status = read_4k_answer(body)
    except ApiError:
        return
    assert isinstance(status, TaskStatus)


@given(JSON)
def test_any_1080p_answer_gives_a_url_or_malformed(data: Any) -> None:
    try:
        url = read_1080p_result(data)
    except MalformedResponseError:
        return
    assert isinstance(url, str)
    assert url


@given(
    model=st.sampled_from(["veo-3.1", "veo-3.1-fast", "veo-3.1-lite"]),
    aspect=st.sampled_from(["16:9", "9:16", "Auto"]),
    resolution=st.sampled_from(["720p", "1080p", "4k"]),
    seed=st.none() | st.integers(10000, 99999),
    frames=st.integers(0, 2),
)
def test_valid_requests_always_build_a_generate_call(
    model: str, aspect: str, resolution: str, seed: int | None, frames: int
) -> None:
    urls = [f"https://example.com/{n}.jpg" for n in range(frames)]
    request = VideoRequest(
        model=model,
        prompt="p",
        aspect_ratio=aspect,
        resolution=resolution,
        seed=seed,
        first_frame=urls[0] if urls else None,
        last_frame=urls[1] if len(urls) > 1 else None,
    )
    veo = REGISTRY.get(model)
    body = veo.build_call(veo.resolve(request)).body
    assert body is not None
    assert body["aspect_ratio"] == body["aspectRatio"] == aspect
    assert body.get("imageUrls", []) == urls
    assert ("seeds" in body) == (seed is not None)
