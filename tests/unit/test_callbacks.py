"""Callback checks: signatures, timestamps, task ids of every family, dedupe, confirmation."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kie_core.callbacks import (
    HMAC_KEY_ENV,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    CallbackOutcome,
    CallbackProcessor,
    callback_task_id,
    sign_callback,
    verify_signature,
)
from kie_core.calls import EndpointCall
from kie_core.errors import (
    ApiValidationError,
    AuthenticationError,
    CallbackError,
    MalformedResponseError,
    NotFoundError,
    ServerError,
)
from kie_core.families.base import TaskFamily, int_or_none, require_mapping, text_or_none, url_list
from kie_core.families.market import MARKET
from kie_core.hookspecs import hookimpl
from kie_core.journal import Journal, JournalState
from kie_core.registry import Registry
from kie_core.status import CallbackEvent, TaskHandle, TaskState, TaskStatus

HMAC_KEY = "whk-test-0f1e2d3c4b5a69788796a5b4c3d2e1f0"
API_KEY = "kie-api-test-a1b2c3d4e5f60718293a4b5c6d7e8f90"
NOW = 1_780_000_000.0

# --- callback bodies exactly as the KIE docs show them ------------------------------------------

MARKET_SUCCESS = {
    "code": 200,
    "msg": "Playground task completed successfully.",
    "data": {
        "taskId": "e989621f54392584b05867f87b160672",
        "model": "kling/v2-5-turbo-text-to-video-pro",
        "state": "success",
        "param": '{"callBackUrl":"https://your-domain.com/api/callback","model":"x","input":{}}',
        "resultJson": '{"resultUrls":["https://example.com/generated.mp4"]}',
        "failCode": None,
        "failMsg": None,
        "costTime": 8,
        "completeTime": 1755599644000,
        "createTime": 1755599634000,
    },
}
MARKET_FAILURE = {
    "code": 501,
    "msg": "Playground task failed.",
    "data": {
        "taskId": "bd3a37c523149e4adf45a3ddb5faf1a8",
        "model": "kling/v2-5-turbo-text-to-video-pro",
        "state": "fail",
        "param": "{}",
        "resultJson": None,
        "failCode": "500",
        "failMsg": "Internal server error",
        "costTime": 0,
        "completeTime": 1755597081000,
        "createTime": 1755596341000,
    },
}
VEO_SUCCESS = {
    "code": 200,
    "msg": "Veo3.1 video generated successfully.",
    "data": {
        "taskId": "veo_task_abcdef123456",
        "info": {
            "resultUrls": ["http://example.com/video1.mp4"],
            "originUrls": ["http://example.com/original_video1.mp4"],
            "resolution": "1080p",
        },
        "promptJson": {"aspectRatio": "16:9", "model": "veo3_fast", "prompt": "..."},
        "fallbackFlag": False,
    },
}
VEO_SUCCESS_STRING_PROMPT = {
    "code": 200,
    "msg": "Veo3.1 video generated successfully.",
    "data": {
        "taskId": "veo_task_cn_1",
        "info": {"resultUrls": '["http://example.com/video1.mp4"]'},
        "promptJson": '{"aspectRatio":"16:9","model":"veo3_fast"}',
    },
}
VEO_FLAGGED = {
    "code": 400,
    "msg": "Your prompt was flagged by Website as violating content policies.",
    "data": {"taskId": "veo_task_flagged", "fallbackFlag": False},
}
VEO_REJECTED = {
    "code": 422,
    "msg": "Your request was rejected by Flow(...). You may consider using our other fallback "
    "channels, which are likely to succeed. Please refer to the documentation.",
    "data": {"taskId": "veo_task_rejected", "fallbackFlag": False},
}
VEO_4K_SUCCESS = {
    "code": 200,
    "msg": "4K Video generated successfully.",
    "data": {
        "taskId": "veo_task_example123",
        "info": {
            "resultUrls": ["https://file.aiquickdraw.com/v/example_task_1234567890.mp4"],
            "imageUrls": ["https://file.aiquickdraw.com/v/example_task_1234567890.jpg"],
        },
    },
}
VEO_4K_FAILURE = {
    "code": 500,
    "msg": "The 4K version of this video is unavailable. Please try a different video.",
    "data": {"taskId": "veo_task_4k_failed"},
}
VEO_4K_OPENAPI = {
    "code": 200,
    "msg": "4K Video generated successfully.",
    "data": {
        "task_id": "veo_task_4k_openapi",
        "result_urls": ["https://file.aiquickdraw.com/v/x.mp4"],
        "media_ids": ["m1"],
        "image_urls": ["https://file.aiquickdraw.com/v/x.jpg"],
    },
}
RUNWAY_SUCCESS = {
    "code": 200,
    "msg": "All generated successfully.",
    "data": {
        "task_id": "ee603959-debb-48d1-98c4-a6d1c717eba6",
        "video_id": "485da89c-7fca-4340-8c04-101025b2ae71",
        "video_url": "https://file.com/k/xxxxxxx.mp4",
        "image_url": "https://file.com/m/xxxxxxxx.png",
    },
}
RUNWAY_FAILURE = {
    "code": 400,
    "msg": "Your prompt was caught by our AI moderator.",
    "data": {"task_id": "runway-failed-1", "video_id": "", "video_url": "", "image_url": ""},
}
ALEPH_GUIDE_SUCCESS = {
    "code": 200,
    "msg": "success",
    "data": {
        "result_video_url": "https://file.com/k/xxxxxxx.mp4",
        "result_image_url": "https://file.com/m/xxxxxxxx.png",
    },
    "taskId": "aleph-guide-ok",
}
ALEPH_GUIDE_ERROR = {
    "code": 400,
    "msg": "Your prompt was caught by our AI moderator. Please adjust it and try again!",
    "data": None,
    "taskId": "aleph-guide-error",
}
ALEPH_OPENAPI = {
    "code": 200,
    "msg": "All generated successfully.",
    "data": {
        "task_id": "aleph-openapi-ok",
        "video_id": "v1",
        "video_url": "https://file.com/k/a.mp4",
        "image_url": "https://file.com/m/a.png",
    },
}
LUMA_SUCCESS = {
    "code": 200,
    "msg": "Modify record generated successfully.",
    "data": {
        "taskId": "774d9a7dd608a0e49293903095e45a4c",
        "promptJson": '{"callBackUrl":"...","prompt":"...","videoUrl":"...","waterMark":""}',
        "resultUrls": ["https://tempfile.aiquickdraw.com/l/f782018c.mp4"],
    },
}
LUMA_FAILURE = {
    "code": 500,
    "msg": "Modify record generation failed.",
    "data": {"taskId": "luma-failed-1", "promptJson": "{...}"},
}

DOCUMENTED: list[tuple[str, dict[str, Any], str, TaskState]] = [
    ("market", MARKET_SUCCESS, "e989621f54392584b05867f87b160672", TaskState.SUCCEEDED),
    ("market", MARKET_FAILURE, "bd3a37c523149e4adf45a3ddb5faf1a8", TaskState.FAILED),
    ("fake_veo", VEO_SUCCESS, "veo_task_abcdef123456", TaskState.SUCCEEDED),
    ("fake_veo", VEO_SUCCESS_STRING_PROMPT, "veo_task_cn_1", TaskState.SUCCEEDED),
    ("fake_veo", VEO_FLAGGED, "veo_task_flagged", TaskState.FAILED),
    ("fake_veo", VEO_REJECTED, "veo_task_rejected", TaskState.FAILED),
    ("fake_veo", VEO_4K_SUCCESS, "veo_task_example123", TaskState.SUCCEEDED),
    ("fake_veo", VEO_4K_FAILURE, "veo_task_4k_failed", TaskState.FAILED),
    ("fake_veo", VEO_4K_OPENAPI, "veo_task_4k_openapi", TaskState.SUCCEEDED),
    ("fake_runway", RUNWAY_SUCCESS, "ee603959-debb-48d1-98c4-a6d1c717eba6", TaskState.SUCCEEDED),
    ("fake_runway", RUNWAY_FAILURE, "runway-failed-1", TaskState.FAILED),
    ("fake_aleph", ALEPH_GUIDE_SUCCESS, "aleph-guide-ok", TaskState.SUCCEEDED),
    ("fake_aleph", ALEPH_GUIDE_ERROR, "aleph-guide-error", TaskState.FAILED),
    ("fake_aleph", ALEPH_OPENAPI, "aleph-openapi-ok", TaskState.SUCCEEDED),
    ("fake_luma", LUMA_SUCCESS, "774d9a7dd608a0e49293903095e45a4c", TaskState.SUCCEEDED),
    ("fake_luma", LUMA_FAILURE, "luma-failed-1", TaskState.FAILED),
]


# --- small fake families standing in for the plugins' -------------------------------------------


class CodeFamily(TaskFamily):
    """A dedicated-style family: the envelope ``code`` says success (200) or failure."""

    def __init__(self, name: str, read_id: Callable[[Mapping[str, Any]], Any]) -> None:
        self.name = name
        self.read_id = read_id

    def status_call(self, task_id: str) -> EndpointCall:
        return EndpointCall(method="GET", path=f"/fake/{self.name}", params={"taskId": task_id})

    def parse_status(self, task_id: str, data: Any) -> TaskStatus:
        raise MalformedResponseError("not used in these tests")

    def parse_callback(self, body: Any) -> CallbackEvent:
        envelope = require_mapping(body, f"{self.name} callback")
        task_id = text_or_none(self.read_id(envelope))
        if task_id is None:
            raise MalformedResponseError(f"{self.name} callback has no task id")
        code = int_or_none(envelope.get("code"))
        if code not in (200, 400, 422, 500, 501):
            raise MalformedResponseError(f"{self.name} callback has code {code!r}")
        data = envelope.get("data") if isinstance(envelope.get("data"), Mapping) else {}
        info = data.get("info") if isinstance(data.get("info"), Mapping) else {}
        urls = (
            url_list(info.get("resultUrls"))
            or url_list(data.get("resultUrls"))
            or url_list(data.get("result_urls"))
            or url_list(data.get("video_url"))
            or url_list(data.get("result_video_url"))
        )
        state = TaskState.SUCCEEDED if code == 200 else TaskState.FAILED
        status = TaskStatus(
            task_id=task_id, state=state, raw_state=f"code={code}", result_urls=urls
        )
        return CallbackEvent(task_id=task_id, family=self.name, status=status, code=code)


def _data(envelope: Mapping[str, Any]) -> Mapping[str, Any]:
    data = envelope.get("data")
    return data if isinstance(data, Mapping) else {}


FAKE_VEO = CodeFamily(
    "fake_veo",
    lambda e: (
        (_data(e).get("taskId") or _data(e).get("task_id"))
        if "info" in _data(e)
        or "fallbackFlag" in _data(e)
        or "media_ids" in _data(e)
        or str(e.get("msg", "")).startswith("The 4K")
        else None
    ),
)
FAKE_RUNWAY = CodeFamily(
    "fake_runway",
    lambda e: _data(e).get("task_id") if "video_id" in _data(e) and "aleph" not in str(e) else None,
)
FAKE_ALEPH = CodeFamily("fake_aleph", lambda e: e.get("taskId") or _data(e).get("task_id"))
FAKE_LUMA = CodeFamily(
    "fake_luma", lambda e: _data(e).get("taskId") if "promptJson" in _data(e) else None
)
FAKES = (FAKE_VEO, FAKE_RUNWAY, FAKE_ALEPH, FAKE_LUMA)


class FakePlugin:
    def __init__(self, *families: TaskFamily) -> None:
        self.families = families

    @hookimpl
    def kie_register_families(self, register: Callable[[TaskFamily], None]) -> None:
        for family in self.families:
            register(family)


def registry_with(*families: TaskFamily) -> Registry:
    registry = Registry(sources=[])
    registry.register_plugin(FakePlugin(*families), "fakes")
    return registry


class FakeStatus:
    """A status endpoint: readings by task id, with optional errors first; counts its calls."""

    def __init__(self, readings: Mapping[str, TaskStatus] | None = None) -> None:
        self.readings: dict[str, TaskStatus] = dict(readings or {})
        self.errors: dict[tuple[str, str | None], list[Exception]] = {}
        self.calls: list[tuple[str, str | None]] = []

    def _answer(self, task: str, family: str | None) -> TaskStatus:
        self.calls.append((task, family))
        queued = self.errors.get((task, family)) or self.errors.get((task, None))
        if queued:
            raise queued.pop(0)
        if task not in self.readings:
            raise NotFoundError("Task not found", code=404, task_id=task)
        return self.readings[task]

    async def status(self, task: str, /, *, family: str | None = None) -> TaskStatus:
        return self._answer(task, family)


class SyncStatus(FakeStatus):
    def status(self, task: str, /, *, family: str | None = None) -> TaskStatus:  # type: ignore[override]
        return self._answer(task, family)


def signed_headers(
    body: Mapping[str, Any] | str,
    *,
    key: str = HMAC_KEY,
    at: float = NOW,
    task_id: str | None = None,
) -> dict[str, str]:
    task = task_id if task_id is not None else callback_task_id(body)
    stamp = str(int(at))
    return {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: sign_callback(key, task, stamp)}


def raw(body: Any) -> bytes:
    return json.dumps(body).encode()


def processor_for(
    status: FakeStatus | None = None,
    *,
    journal: Journal | None = None,
    families: tuple[TaskFamily, ...] = FAKES,
    key: str | None = HMAC_KEY,
    **kwargs: Any,
) -> CallbackProcessor:
    return CallbackProcessor(
        status or FakeStatus(),
        registry=registry_with(*families),
        journal=journal,
        hmac_key=key if key is not None else "",
        clock=lambda: NOW,
        confirm_backoff=lambda attempt: 0.0,
        **kwargs,
    )


def succeeded(task_id: str, *urls: str) -> TaskStatus:
    return TaskStatus(task_id=task_id, state=TaskState.SUCCEEDED, result_urls=urls)


def running(task_id: str) -> TaskStatus:
    return TaskStatus(task_id=task_id, state=TaskState.RUNNING, raw_state="generating")


@pytest.fixture
def journal(tmp_path: Path) -> Any:
    with Journal(tmp_path / "journal.sqlite3") as opened:
        yield opened


def journal_task(journal: Journal, task_id: str, family: str = "market") -> int:
    entry_id = journal.begin(
        fingerprint=task_id,
        model="m",
        provider="p",
        family=family,
        kie_model=None,
        endpoint="POST /api/v1/jobs/createTask",
        payload={"callBackUrl": "https://me.example/kie/callback"},
        base_url="https://api.kie.ai",
        estimated_credits=None,
    )
    journal.created(entry_id, TaskHandle(task_id=task_id, model="m", provider="p", family=family))
    return entry_id


# --- signature ----------------------------------------------------------------------------------


def test_signature_is_base64_hmac_of_id_dot_timestamp() -> None:
    import base64
    import hashlib
    import hmac

    expected = base64.b64encode(
        hmac.new(b"k", b"task-1.1700000000", hashlib.sha256).digest()
    ).decode()
    assert sign_callback("k", "task-1", 1700000000) == expected
    assert sign_callback(b"k", "task-1", "1700000000") == expected


def test_verify_signature_window_edges() -> None:
    for offset in (-300, -1, 0, 1, 300):
        at = NOW + offset
        signature = sign_callback(HMAC_KEY, "t", int(at))
        assert verify_signature(HMAC_KEY, "t", str(int(at)), signature, now=NOW) == int(at)
    for offset in (-301, 301, -86_400):
        at = NOW + offset
        with pytest.raises(CallbackError) as caught:
            verify_signature(
                HMAC_KEY, "t", str(int(at)), sign_callback(HMAC_KEY, "t", int(at)), now=NOW
            )
        assert caught.value.code == 403


@pytest.mark.parametrize(
    ("timestamp", "signature", "code"),
    [
        (None, "x", 401),
        ("1780000000", None, 401),
        ("", "", 401),
        ("soon", "x", 403),
        ("1780000000.5", "x", 403),
        ("-1780000000", "x", 403),
        ("1780000000", "not-the-signature", 403),
        ("1780000000", "ü" * 44, 403),
    ],
)
def test_verify_signature_refusals(timestamp: str | None, signature: str | None, code: int) -> None:
    with pytest.raises(CallbackError) as caught:
        verify_signature(HMAC_KEY, "t", timestamp, signature, now=NOW)
    assert caught.value.code == code
    assert HMAC_KEY not in str(caught.value)


# --- task ids of every family -------------------------------------------------------------------


@pytest.mark.parametrize(("family", "body", "task_id", "state"), DOCUMENTED)
def test_task_id_of_every_documented_callback(
    family: str, body: dict[str, Any], task_id: str, state: TaskState
) -> None:
    assert callback_task_id(body) == task_id


@pytest.mark.parametrize(("family", "body", "task_id", "state"), DOCUMENTED)
def test_every_documented_callback_is_accepted_when_signed(
    family: str, body: dict[str, Any], task_id: str, state: TaskState
) -> None:
    processor = processor_for(families=(MARKET, *FAKES))
    receipt = processor.accept(signed_headers(body), raw(body))
    assert receipt.task_id == task_id
    assert receipt.signed
    assert not receipt.duplicate
    assert receipt.claimed is state
    # Several families may read one body shape; without the journal each is a candidate.
    assert family in [f.name for f in receipt.families]


@pytest.mark.parametrize(("family", "body", "task_id", "state"), DOCUMENTED)
def test_every_documented_callback_is_read_by_the_journals_family(
    family: str, body: dict[str, Any], task_id: str, state: TaskState, journal: Journal
) -> None:
    journal_task(journal, task_id, family=family)
    processor = processor_for(journal=journal, families=(MARKET, *FAKES))
    receipt = processor.accept(signed_headers(body), raw(body))
    assert receipt.event.family == family
    assert receipt.families[0].name == family
    assert receipt.claimed is state


@pytest.mark.parametrize(("family", "body", "task_id", "state"), DOCUMENTED)
def test_every_documented_callback_with_another_task_id_is_refused(
    family: str, body: dict[str, Any], task_id: str, state: TaskState
) -> None:
    processor = processor_for(families=(MARKET, *FAKES))
    headers = signed_headers(body)
    altered = copy.deepcopy(body)
    for holder in (altered, altered.get("data") or {}):
        for field in ("taskId", "task_id"):
            if field in holder:
                holder[field] = "someone-elses-task"
    with pytest.raises(CallbackError) as caught:
        processor.accept(headers, raw(altered))
    assert caught.value.code == 403


def test_task_id_is_looked_for_in_data_first_then_top_level() -> None:
    assert callback_task_id({"taskId": "top", "data": {"task_id": "inner"}}) == "inner"
    assert callback_task_id({"taskId": "top", "data": None}) == "top"
    assert callback_task_id({"task_id": "snake", "data": "x"}) == "snake"


@pytest.mark.parametrize(
    "body",
    [
        [],
        "x",
        3,
        None,
        {},
        {"data": {}},
        {"data": {"taskId": ""}},
        {"taskId": 12},
        {"taskId": "x" * 300},
    ],
)
def test_task_id_missing(body: Any) -> None:
    with pytest.raises(CallbackError) as caught:
        callback_task_id(body)
    assert caught.value.code == 400


# --- accept: refusals ---------------------------------------------------------------------------


def test_valid_signature_is_accepted() -> None:
    receipt = processor_for(families=(MARKET,)).accept(
        signed_headers(MARKET_SUCCESS), raw(MARKET_SUCCESS)
    )
    assert receipt.event.status.result_urls == ("https://example.com/generated.mp4",)


def test_headers_are_read_in_any_letter_case() -> None:
    headers = {k.lower(): v for k, v in signed_headers(MARKET_SUCCESS).items()}
    assert processor_for(families=(MARKET,)).accept(headers, raw(MARKET_SUCCESS)).signed


def test_forged_signature_is_refused() -> None:
    headers = signed_headers(MARKET_SUCCESS, key="not-the-key")
    with pytest.raises(CallbackError) as caught:
        processor_for(families=(MARKET,)).accept(headers, raw(MARKET_SUCCESS))
    assert caught.value.code == 403


def test_signature_of_another_task_is_refused() -> None:
    headers = signed_headers(MARKET_SUCCESS, task_id="another-task")
    with pytest.raises(CallbackError, match="does not match"):
        processor_for(families=(MARKET,)).accept(headers, raw(MARKET_SUCCESS))


@pytest.mark.parametrize("offset", [-301, -3600, 301, 86_400])
def test_replayed_late_or_future_dated_is_refused(offset: int) -> None:
    headers = signed_headers(MARKET_SUCCESS, at=NOW + offset)
    with pytest.raises(CallbackError) as caught:
        processor_for(families=(MARKET,)).accept(headers, raw(MARKET_SUCCESS))
    assert caught.value.code == 403


@pytest.mark.parametrize("drop", [TIMESTAMP_HEADER, SIGNATURE_HEADER, "both"])
def test_unsigned_is_refused_when_a_key_is_set(drop: str) -> None:
    headers = signed_headers(MARKET_SUCCESS)
    for name in [TIMESTAMP_HEADER, SIGNATURE_HEADER] if drop == "both" else [drop]:
        headers.pop(name)
    with pytest.raises(CallbackError) as caught:
        processor_for(families=(MARKET,)).accept(headers, raw(MARKET_SUCCESS))
    assert caught.value.code == 401


def test_unsigned_is_accepted_without_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(HMAC_KEY_ENV, raising=False)
    processor = CallbackProcessor(FakeStatus(), registry=registry_with(MARKET))
    assert not processor.signed
    receipt = processor.accept({}, raw(MARKET_SUCCESS))
    assert not receipt.signed


def test_key_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HMAC_KEY_ENV, HMAC_KEY)
    processor = CallbackProcessor(FakeStatus(), registry=registry_with(MARKET), clock=lambda: NOW)
    assert processor.signed
    with pytest.raises(CallbackError):
        processor.accept({}, raw(MARKET_SUCCESS))
    assert processor.accept(signed_headers(MARKET_SUCCESS), raw(MARKET_SUCCESS)).signed


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"not json", 400),
        (b"\xff\xfe", 400),
        (b"[" * 100_000 + b"]" * 100_000, 413),
        (b"[" * 50_000 + b"]" * 50_000, 400),
        (b"[]", 400),
        (b'{"code": 200, "data": {"taskId": "t", "state": "success"}, "x": "', 400),
    ],
)
def test_unreadable_bodies_are_refused(body: bytes, code: int) -> None:
    with pytest.raises(CallbackError) as caught:
        processor_for(families=(MARKET,), key=None, max_body_bytes=150_000).accept({}, body)
    assert caught.value.code == code


def test_body_no_family_can_read_is_refused() -> None:
    body = {"code": 200, "data": {"taskId": "t-1", "something": "else"}}
    with pytest.raises(CallbackError) as caught:
        processor_for(families=(MARKET,)).accept(signed_headers(body), raw(body))
    assert caught.value.code == 400
    assert caught.value.task_id == "t-1"
    assert "market" in str(caught.value)


def test_broken_plugin_parser_does_not_break_the_receiver() -> None:
    class Broken(CodeFamily):
        def parse_callback(self, body: Any) -> CallbackEvent:
            raise KeyError("plugin bug")

    processor = processor_for(families=(Broken("aaa_broken", lambda e: None), MARKET))
    receipt = processor.accept(signed_headers(MARKET_SUCCESS), raw(MARKET_SUCCESS))
    assert receipt.event.family == "market"


def test_a_family_reading_another_task_id_is_not_trusted() -> None:
    liar = CodeFamily("aaa_liar", lambda e: "a-different-task")
    processor = processor_for(families=(liar, MARKET))
    receipt = processor.accept(signed_headers(MARKET_SUCCESS), raw(MARKET_SUCCESS))
    assert [f.name for f in receipt.families] == ["market"]


def test_secrets_never_in_reprs_errors_or_logs(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIE_API_KEY", API_KEY)
    caplog.set_level(logging.DEBUG)
    processor = processor_for(families=(MARKET,))
    assert HMAC_KEY not in repr(processor)
    errors: list[str] = []
    for headers in (
        {},
        signed_headers(MARKET_SUCCESS, key="wrong"),
        signed_headers(MARKET_SUCCESS, at=NOW - 999),
    ):
        with pytest.raises(CallbackError) as caught:
            processor.accept(headers, raw(MARKET_SUCCESS))
        errors += [str(caught.value), repr(caught.value)]
    receipt = processor.accept(signed_headers(MARKET_SUCCESS), raw(MARKET_SUCCESS))
    asyncio.run(processor.confirm(receipt))
    text = "\n".join(errors) + caplog.text + repr(receipt)
    assert HMAC_KEY not in text
    assert API_KEY not in text
    assert sign_callback(HMAC_KEY, "e989621f54392584b05867f87b160672", int(NOW)) not in caplog.text


# --- duplicates ---------------------------------------------------------------------------------


def test_duplicates_are_taken_once() -> None:
    processor = processor_for(families=(MARKET,))
    first = processor.accept(signed_headers(MARKET_SUCCESS), raw(MARKET_SUCCESS))
    again = processor.accept(signed_headers(MARKET_SUCCESS, at=NOW + 5), raw(MARKET_SUCCESS))
    assert not first.duplicate
    assert again.duplicate


def test_same_task_in_another_state_is_not_a_duplicate() -> None:
    processor = processor_for(families=(MARKET,))
    running_body = copy.deepcopy(MARKET_SUCCESS)
    running_body["data"]["state"] = "generating"
    assert not processor.accept(signed_headers(running_body), raw(running_body)).duplicate
    assert not processor.accept(signed_headers(MARKET_SUCCESS), raw(MARKET_SUCCESS)).duplicate


def test_dedupe_memory_is_bounded() -> None:
    processor = processor_for(families=(MARKET,), key=None, remember=3)
    bodies = []
    for n in range(5):
        body = copy.deepcopy(MARKET_SUCCESS)
        body["data"]["taskId"] = f"task-{n}"
        bodies.append(body)
        processor.accept({}, raw(body))
    # The oldest were forgotten; the newest are still known.
    assert not processor.accept({}, raw(bodies[0])).duplicate
    assert processor.accept({}, raw(bodies[4])).duplicate


async def test_process_runs_a_duplicate_once(journal: Journal) -> None:
    task = "e989621f54392584b05867f87b160672"
    journal_task(journal, task)
    status = FakeStatus({task: succeeded(task, "https://files.example/confirmed.mp4")})
    processor = processor_for(status, journal=journal, families=(MARKET,))
    outcomes = [
        await processor.process(signed_headers(MARKET_SUCCESS), raw(MARKET_SUCCESS))
        for _ in range(3)
    ]
    assert outcomes[0] is not None and outcomes[0].confirmed
    assert outcomes[1:] == [None, None]
    assert status.calls == [(task, "market")]


async def test_journal_already_done_makes_a_duplicate(journal: Journal) -> None:
    task = "e989621f54392584b05867f87b160672"
    journal_task(journal, task)
    journal.record_status(task, succeeded(task, "https://f/1.mp4"))
    journal.downloaded(task, "/out/x.mp4", "0" * 64, 1)
    status = FakeStatus({task: succeeded(task)})
    processor = processor_for(status, journal=journal, families=(MARKET,))
    assert await processor.process(signed_headers(MARKET_SUCCESS), raw(MARKET_SUCCESS)) is None
    assert status.calls == []


# --- confirmation -------------------------------------------------------------------------------


async def test_confirmed_success_records_the_status_endpoints_reading(journal: Journal) -> None:
    task = "e989621f54392584b05867f87b160672"
    journal_task(journal, task)
    status = FakeStatus({task: succeeded(task, "https://files.example/from-status.mp4")})
    outcomes: list[CallbackOutcome] = []
    processor = processor_for(
        status, journal=journal, families=(MARKET,), on_outcome=outcomes.append
    )
    outcome = await processor.process(signed_headers(MARKET_SUCCESS), raw(MARKET_SUCCESS))
    assert outcome is not None
    assert outcome.confirmed and outcome.recorded
    assert outcomes == [outcome]
    entry = journal.get(task)
    assert entry is not None
    assert entry.state is JournalState.SUCCEEDED
    # The journal holds what the status endpoint said, not what the callback body said.
    assert entry.result_urls == ["https://files.example/from-status.mp4"]


async def test_success_claim_for_a_running_task_is_not_marked_done(journal: Journal) -> None:
    task = "e989621f54392584b05867f87b160672"
    journal_task(journal, task)
    status = FakeStatus({task: running(task)})
    processor = processor_for(status, journal=journal, families=(MARKET,))
    outcome = await processor.process(signed_headers(MARKET_SUCCESS), raw(MARKET_SUCCESS))
    assert outcome is not None
    assert not outcome.confirmed
    assert outcome.claimed is TaskState.SUCCEEDED
    assert outcome.status is not None and outcome.status.state is TaskState.RUNNING
    entry = journal.get(task)
    assert entry is not None
    assert entry.state is JournalState.RUNNING
    assert entry.result_urls == []

    # The claim was not confirmed, so the same callback later is checked again.
    status.readings[task] = succeeded(task, "https://files.example/done.mp4")
    outcome = await processor.process(signed_headers(MARKET_SUCCESS), raw(MARKET_SUCCESS))
    assert outcome is not None and outcome.confirmed
    assert journal.get(task).state is JournalState.SUCCEEDED  # type: ignore[union-attr]
    assert len(status.calls) == 2


async def test_failure_claim_confirmed_records_the_reason(journal: Journal) -> None:
    task = "bd3a37c523149e4adf45a3ddb5faf1a8"
    journal_task(journal, task)
    failed = TaskStatus(
        task_id=task, state=TaskState.FAILED, fail_code="500", fail_message="Internal server error"
    )
    processor = processor_for(FakeStatus({task: failed}), journal=journal, families=(MARKET,))
    outcome = await processor.process(signed_headers(MARKET_FAILURE), raw(MARKET_FAILURE))
    assert outcome is not None and outcome.confirmed
    entry = journal.get(task)
    assert entry is not None
    assert entry.state is JournalState.FAILED
    assert entry.error == "500 Internal server error"


async def test_retryable_status_errors_are_retried() -> None:
    task = "e989621f54392584b05867f87b160672"
    status = FakeStatus({task: succeeded(task)})
    status.errors[(task, None)] = [ServerError("busy", code=500), ServerError("busy", code=500)]
    processor = processor_for(status, families=(MARKET,), confirm_attempts=3)
    outcome = await processor.process(signed_headers(MARKET_SUCCESS), raw(MARKET_SUCCESS))
    assert outcome is not None and outcome.confirmed
    assert not outcome.recorded
    assert len(status.calls) == 3


async def test_unconfirmable_callback_is_forgotten_for_a_later_retry(journal: Journal) -> None:
    task = "e989621f54392584b05867f87b160672"
    journal_task(journal, task)
    status = FakeStatus({task: succeeded(task)})
    status.errors[(task, None)] = [AuthenticationError("bad key", code=401)]
    processor = processor_for(status, journal=journal, families=(MARKET,))
    outcome = await processor.process(signed_headers(MARKET_SUCCESS), raw(MARKET_SUCCESS))
    assert outcome is not None
    assert outcome.status is None
    assert outcome.error is not None and "AuthenticationError" in outcome.error
    assert journal.get(task).state is JournalState.CREATED  # type: ignore[union-attr]
    outcome = await processor.process(signed_headers(MARKET_SUCCESS), raw(MARKET_SUCCESS))
    assert outcome is not None and outcome.confirmed


async def test_unknown_task_tries_each_family_that_reads_the_body() -> None:
    # Both fake_aleph and fake_runway read a Runway-shaped body; only runway knows the task.
    body = {
        "code": 200,
        "msg": "All generated successfully.",
        "data": {"task_id": "shared-shape", "video_id": "v", "video_url": "https://f/v.mp4"},
    }
    status = FakeStatus({"shared-shape": succeeded("shared-shape")})
    status.errors[("shared-shape", "fake_aleph")] = [ApiValidationError("record is null", code=422)]
    processor = processor_for(status, families=(FAKE_ALEPH, FAKE_RUNWAY))
    receipt = processor.accept(signed_headers(body), raw(body))
    assert [f.name for f in receipt.families] == ["fake_aleph", "fake_runway"]
    outcome = await processor.confirm(receipt)
    assert outcome.confirmed
    assert outcome.family == "fake_runway"
    assert status.calls == [("shared-shape", "fake_aleph"), ("shared-shape", "fake_runway")]


async def test_journals_family_is_asked_first(journal: Journal) -> None:
    body = {
        "code": 200,
        "msg": "All generated successfully.",
        "data": {"task_id": "known", "video_id": "v", "video_url": "https://f/v.mp4"},
    }
    journal_task(journal, "known", family="fake_runway")
    status = FakeStatus({"known": succeeded("known")})
    processor = processor_for(status, journal=journal, families=(FAKE_ALEPH, FAKE_RUNWAY))
    receipt = processor.accept(signed_headers(body), raw(body))
    assert receipt.families[0].name == "fake_runway"
    assert receipt.event.family == "fake_runway"
    await processor.confirm(receipt)
    assert status.calls == [("known", "fake_runway")]


async def test_no_family_knows_the_task() -> None:
    processor = processor_for(FakeStatus(), families=(MARKET,))
    outcome = await processor.process(signed_headers(MARKET_SUCCESS), raw(MARKET_SUCCESS))
    assert outcome is not None
    assert outcome.status is None
    assert outcome.error is not None and "NotFoundError" in outcome.error


async def test_a_sync_client_is_called_in_a_thread() -> None:
    task = "e989621f54392584b05867f87b160672"
    status = SyncStatus({task: succeeded(task)})
    processor = processor_for(status, families=(MARKET,))
    outcome = await processor.process(signed_headers(MARKET_SUCCESS), raw(MARKET_SUCCESS))
    assert outcome is not None and outcome.confirmed


async def test_status_source_returning_garbage_is_a_typed_failure() -> None:
    class Garbage:
        async def status(self, task: str, /, *, family: str | None = None) -> Any:
            return {"not": "a status"}

    processor = CallbackProcessor(
        Garbage(), registry=registry_with(MARKET), hmac_key="", confirm_backoff=lambda n: 0.0
    )
    outcome = await processor.process({}, raw(MARKET_SUCCESS))
    assert outcome is not None
    assert outcome.error is not None and "MalformedResponseError" in outcome.error


async def test_async_outcome_hook_and_failing_hook() -> None:
    task = "e989621f54392584b05867f87b160672"
    seen: list[str] = []

    async def hook(outcome: CallbackOutcome) -> None:
        seen.append(outcome.task_id)
        raise RuntimeError("the hook is broken")

    processor = processor_for(
        FakeStatus({task: succeeded(task)}), families=(MARKET,), on_outcome=hook
    )
    outcome = await processor.process(signed_headers(MARKET_SUCCESS), raw(MARKET_SUCCESS))
    assert outcome is not None and outcome.confirmed
    assert seen == [task]


async def test_background_confirmation_and_drain() -> None:
    task = "e989621f54392584b05867f87b160672"
    gate = asyncio.Event()

    class Slow(FakeStatus):
        async def status(self, task: str, /, *, family: str | None = None) -> TaskStatus:
            await gate.wait()
            return self._answer(task, family)

    processor = processor_for(Slow({task: succeeded(task)}), families=(MARKET,))
    receipt = processor.accept(signed_headers(MARKET_SUCCESS), raw(MARKET_SUCCESS))
    job = processor.confirm_in_background(receipt)
    await asyncio.sleep(0)
    assert processor.pending == 1
    assert not job.done()
    gate.set()
    outcomes = await processor.drain()
    assert [o.confirmed for o in outcomes] == [True]
    assert processor.pending == 0
    assert await processor.drain() == []


async def test_background_confirmation_survives_unexpected_errors() -> None:
    class Exploding(FakeStatus):
        async def status(self, task: str, /, *, family: str | None = None) -> TaskStatus:
            raise RuntimeError("unexpected")

    processor = processor_for(Exploding(), families=(MARKET,))
    receipt = processor.accept(signed_headers(MARKET_SUCCESS), raw(MARKET_SUCCESS))
    outcome = await processor.confirm_in_background(receipt)
    assert outcome.status is None
    assert outcome.error == "RuntimeError"
    # Forgotten, so the redelivery is processed.
    assert not processor.accept(signed_headers(MARKET_SUCCESS), raw(MARKET_SUCCESS)).duplicate


# --- property: malformed input is always a typed refusal ----------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["code", "msg", "data", "taskId", "task_id", "state", "info", "x"])
            | st.text(max_size=8),
            children,
            max_size=5,
        )
    ),
    max_leaves=15,
)
_header_values = st.none() | st.text(max_size=60) | st.integers(-(10**13), 10**13).map(str)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=_json | st.builds(lambda d: {"code": 200, "data": d}, _json),
    timestamp=_header_values,
    signature=_header_values,
    signed=st.booleans(),
)
def test_malformed_callbacks_give_typed_errors(
    body: Any, timestamp: str | None, signature: str | None, signed: bool
) -> None:
    processor = processor_for(families=(MARKET, *FAKES), key=HMAC_KEY if signed else None)
    headers = {
        name: value
        for name, value in ((TIMESTAMP_HEADER, timestamp), (SIGNATURE_HEADER, signature))
        if value is not None
    }
    try:
        receipt = processor.accept(headers, raw(body))
    except (CallbackError, MalformedResponseError) as exc:
        assert HMAC_KEY not in str(exc)
        return
    assert receipt.task_id == callback_task_id(body)


@settings(max_examples=200)
@given(
    body=st.binary(max_size=200),
    headers=st.dictionaries(st.text(max_size=30), st.text(max_size=60)),
)
def test_random_bytes_and_headers_give_typed_errors(body: bytes, headers: dict[str, str]) -> None:
    processor = processor_for(families=(MARKET, *FAKES))
    with pytest.raises((CallbackError, MalformedResponseError)):
        processor.accept(headers, body)


@settings(max_examples=100)
@given(
    data=st.fixed_dictionaries(
        {
            "taskId": st.text(min_size=1, max_size=40).filter(str.strip),
            "state": st.text(max_size=12),
        },
        optional={
            "resultJson": _json,
            "failCode": _json,
            "progress": _json,
            "createTime": _json,
            "completeTime": _json,
            "creditsConsumed": _json,
        },
    ),
    code=_json,
)
def test_market_shaped_noise_gives_typed_errors(data: dict[str, Any], code: Any) -> None:
    body = {"code": code, "msg": "m", "data": data}
    processor = processor_for(families=(MARKET,))
    try:
        receipt = processor.accept(signed_headers(body), raw(body))
    except (CallbackError, MalformedResponseError):
        return
    assert receipt.task_id == data["taskId"]


def test_the_pure_module_loads_no_web_framework_and_still_offers_the_app() -> None:
    import subprocess
    import sys

    code = (
        "import sys, kie_core.callbacks as c\n"
        "assert 'starlette' not in sys.modules and 'uvicorn' not in sys.modules\n"
        "from kie_core.callbacks import create_callback_app, serve_callbacks\n"
        "from kie_core import callbacks_app\n"
        "assert create_callback_app is callbacks_app.create_callback_app\n"
        "assert serve_callbacks is callbacks_app.serve_callbacks\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_long_retry_after_ends_the_confirmation_retries() -> None:
    from kie_core.callbacks import CONFIRM_MAX_RETRY_AFTER
    from kie_core.errors import RateLimitError

    processor = CallbackProcessor(object(), registry=registry_with(MARKET), hmac_key="")  # type: ignore[arg-type]
    long = RateLimitError("x", code=429, retry_after=CONFIRM_MAX_RETRY_AFTER + 1)
    short = RateLimitError("x", code=429, retry_after=2.0)
    assert processor._retry.delay_for(long, 1) is None
    assert processor._retry.delay_for(short, 1) == 2.0
