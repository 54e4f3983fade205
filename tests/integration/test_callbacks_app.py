"""The callback receiver as an ASGI app, in process and behind a real server fed by the emulator."""

from __future__ import annotations

import asyncio
import copy
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from kie_emulator.pytest_plugin import EmulatorHandle

from kie_core.callbacks import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    CallbackOutcome,
    CallbackProcessor,
    create_callback_app,
    sign_callback,
)
from kie_core.client import Client
from kie_core.families.market import MARKET
from kie_core.journal import Journal, JournalState
from kie_core.registry import Registry
from kie_core.status import TaskHandle, TaskState, TaskStatus

HMAC_KEY = "whk-integration-5e4d3c2b1a0f9e8d7c6b5a4"
TASK = "e989621f54392584b05867f87b160672"
BODY: dict[str, Any] = {
    "code": 200,
    "msg": "Playground task completed successfully.",
    "data": {
        "taskId": TASK,
        "model": "kling/v2-5-turbo-text-to-video-pro",
        "state": "success",
        "param": "{}",
        "resultJson": '{"resultUrls":["https://example.com/claimed.mp4"]}',
        "failCode": None,
        "failMsg": None,
        "completeTime": 1755599644000,
        "createTime": 1755599634000,
    },
}


def market_only() -> Registry:
    return Registry(sources=[])


class GatedStatus:
    """A status endpoint that answers only once ``gate`` is set, and counts its calls."""

    def __init__(self, reading: TaskStatus) -> None:
        self.reading = reading
        self.gate = asyncio.Event()
        self.calls = 0

    async def status(self, task: str, /, *, family: str | None = None) -> TaskStatus:
        self.calls += 1
        await self.gate.wait()
        return self.reading


def headers_for(
    body: dict[str, Any], *, at: float | None = None, key: str = HMAC_KEY
) -> dict[str, str]:
    stamp = str(int(time.time() if at is None else at))
    task = body["data"]["taskId"]
    return {
        TIMESTAMP_HEADER: stamp,
        SIGNATURE_HEADER: sign_callback(key, task, stamp),
        "Content-Type": "application/json",
    }


def journal_task(journal: Journal, task_id: str) -> int:
    entry_id = journal.begin(
        fingerprint=f"fp-{task_id}",
        model="kling-2.5-turbo",
        provider="kling",
        family="market",
        kie_model="kling/v2-5-turbo-text-to-video-pro",
        endpoint="POST /api/v1/jobs/createTask",
        payload={"model": "kling/v2-5-turbo-text-to-video-pro"},
        base_url="https://api.kie.ai",
        estimated_credits=None,
    )
    journal.created(entry_id, TaskHandle(task_id=task_id, model="m", provider="p", family="market"))
    return entry_id


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal(tmp_path / "journal.sqlite3") as opened:
        yield opened


@pytest.fixture
def gated() -> GatedStatus:
    return GatedStatus(
        TaskStatus(
            task_id=TASK,
            state=TaskState.SUCCEEDED,
            result_urls=("https://example.com/from-status.mp4",),
        )
    )


@pytest.fixture
def processor(gated: GatedStatus, journal: Journal) -> CallbackProcessor:
    journal_task(journal, TASK)
    return CallbackProcessor(gated, registry=market_only(), journal=journal, hmac_key=HMAC_KEY)


@pytest.fixture
async def http(processor: CallbackProcessor) -> AsyncIterator[httpx.AsyncClient]:
    app = create_callback_app(processor)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://receiver") as client:
        yield client


# --- in process ---------------------------------------------------------------------------------


async def test_answer_does_not_wait_for_the_status_call(
    http: httpx.AsyncClient, processor: CallbackProcessor, gated: GatedStatus, journal: Journal
) -> None:
    response = await http.post("/kie/callback", content=json.dumps(BODY), headers=headers_for(BODY))
    # Answered while the status call is still blocked: the confirmation runs in the background.
    assert response.status_code == 200
    assert response.json() == {"code": 200, "msg": "received", "data": {"taskId": TASK}}
    await asyncio.sleep(0)
    assert gated.calls == 1
    assert processor.pending == 1
    assert journal.get(TASK).state is JournalState.CREATED  # type: ignore[union-attr]
    gated.gate.set()
    [outcome] = await processor.drain()
    assert outcome.confirmed
    entry = journal.get(TASK)
    assert entry is not None
    assert entry.state is JournalState.SUCCEEDED
    assert entry.result_urls == ["https://example.com/from-status.mp4"]


@pytest.mark.parametrize("path", ["/", "/kie/callback", "/any/deep/path?x=1"])
async def test_any_path_receives(http: httpx.AsyncClient, gated: GatedStatus, path: str) -> None:
    gated.gate.set()
    response = await http.post(path, content=json.dumps(BODY), headers=headers_for(BODY))
    assert response.status_code == 200


async def test_duplicates_are_acknowledged_and_confirmed_once(
    http: httpx.AsyncClient, processor: CallbackProcessor, gated: GatedStatus
) -> None:
    gated.gate.set()
    answers = [
        await http.post("/cb", content=json.dumps(BODY), headers=headers_for(BODY))
        for _ in range(4)
    ]
    await processor.drain()
    assert [a.status_code for a in answers] == [200] * 4
    assert [a.json()["msg"] for a in answers] == ["received"] + ["duplicate"] * 3
    assert gated.calls == 1


@pytest.mark.parametrize(
    ("make_headers", "body", "status"),
    [
        (lambda b: headers_for(b, key="forged-key"), BODY, 403),
        (lambda b: headers_for(b, at=time.time() - 301), BODY, 403),
        (lambda b: headers_for(b, at=time.time() + 301), BODY, 403),
        (lambda b: {"Content-Type": "application/json"}, BODY, 401),
        (lambda b: {k: v for k, v in headers_for(b).items() if k != SIGNATURE_HEADER}, BODY, 401),
    ],
)
async def test_refusals_have_http_statuses(
    http: httpx.AsyncClient,
    gated: GatedStatus,
    journal: Journal,
    make_headers: Callable[[dict[str, Any]], dict[str, str]],
    body: dict[str, Any],
    status: int,
) -> None:
    response = await http.post("/cb", content=json.dumps(body), headers=make_headers(body))
    assert response.status_code == status
    assert response.json()["code"] == status
    assert HMAC_KEY not in response.text
    assert gated.calls == 0
    assert journal.get(TASK).state is JournalState.CREATED  # type: ignore[union-attr]


async def test_altered_body_task_id_is_refused(http: httpx.AsyncClient, gated: GatedStatus) -> None:
    headers = headers_for(BODY)
    altered = copy.deepcopy(BODY)
    altered["data"]["taskId"] = "another-task"
    response = await http.post("/cb", content=json.dumps(altered), headers=headers)
    assert response.status_code == 403
    assert gated.calls == 0


@pytest.mark.parametrize(
    ("content", "status"),
    [(b"not json", 400), (b"[]", 400), (b'{"data": {}}', 400), (b" " * (1 << 20) + b"{}", 413)],
)
async def test_unreadable_bodies_get_400_or_413(
    http: httpx.AsyncClient, content: bytes, status: int
) -> None:
    response = await http.post("/cb", content=content)
    assert response.status_code == status


async def test_other_methods_and_health(http: httpx.AsyncClient) -> None:
    assert (await http.get("/kie/callback")).status_code == 405
    health = await http.get("/healthz")
    assert health.status_code == 200
    assert health.json()["data"] == {"pending": 0}


async def test_success_claim_for_a_running_task_is_not_marked_done(journal: Journal) -> None:
    journal_task(journal, TASK)
    gated = GatedStatus(TaskStatus(task_id=TASK, state=TaskState.RUNNING))
    gated.gate.set()
    outcomes: list[CallbackOutcome] = []
    processor = CallbackProcessor(
        gated,
        registry=market_only(),
        journal=journal,
        hmac_key=HMAC_KEY,
        on_outcome=outcomes.append,
    )
    transport = httpx.ASGITransport(app=create_callback_app(processor))
    async with httpx.AsyncClient(transport=transport, base_url="http://receiver") as http:
        response = await http.post("/cb", content=json.dumps(BODY), headers=headers_for(BODY))
        assert response.status_code == 200
        await processor.drain()
    assert [o.confirmed for o in outcomes] == [False]
    entry = journal.get(TASK)
    assert entry is not None
    assert entry.state is JournalState.RUNNING
    assert entry.result_urls == []


async def test_shutdown_drains_confirmations_and_closes_resources(
    processor: CallbackProcessor, gated: GatedStatus, journal: Journal
) -> None:
    closed: list[str] = []

    class Resource:
        async def aclose(self) -> None:
            closed.append("async")

    class SyncResource:
        def close(self) -> None:
            closed.append("sync")

    app = create_callback_app(processor, closing=[Resource(), SyncResource()])
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=transport, base_url="http://receiver") as http:
            response = await http.post("/cb", content=json.dumps(BODY), headers=headers_for(BODY))
            assert response.status_code == 200
        gated.gate.set()
    assert processor.pending == 0
    assert closed == ["async", "sync"]
    assert journal.get(TASK).state is JournalState.SUCCEEDED  # type: ignore[union-attr]


# --- a real server, called back by the emulator ---------------------------------------------------


class RunningReceiver:
    def __init__(self, app: Any) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/kie/callback"
        config = uvicorn.Config(app, log_level="warning", lifespan="on", http="h11")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def __enter__(self) -> RunningReceiver:
        self.thread.start()
        wait_until(lambda: self.server.started)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def wait_until(predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def create_on_emulator(kie_emulator: EmulatorHandle, journal: Journal, callback_url: str) -> str:
    body = {
        "model": "kling/v2-5-turbo-text-to-video-pro",
        "input": {"prompt": "a fox"},
        "callBackUrl": callback_url,
    }
    entry_id = journal.begin(
        fingerprint="emulated",
        model="kling-2.5-turbo",
        provider="kling",
        family=MARKET.name,
        kie_model=body["model"],
        endpoint="POST /api/v1/jobs/createTask",
        payload=body,
        base_url=kie_emulator.base_url,
        estimated_credits=None,
    )
    with kie_emulator.client() as api:
        answer = api.post("/api/v1/jobs/createTask", json=body).json()
    task_id = answer["data"]["taskId"]
    journal.created(
        entry_id,
        TaskHandle(task_id=task_id, model="kling-2.5-turbo", provider="kling", family="market"),
    )
    return str(task_id)


@pytest.fixture
def status_client(kie_emulator: EmulatorHandle) -> Iterator[Client]:
    with Client(
        kie_emulator.api_key,
        base_url=kie_emulator.base_url,
        upload_base_url=kie_emulator.base_url,
        registry=market_only(),
        journal=False,
        rate_limiter=False,
    ) as client:
        yield client


@pytest.mark.kie_emulator(webhook_hmac_key=HMAC_KEY)
def test_emulator_callback_is_verified_confirmed_and_recorded(
    kie_emulator: EmulatorHandle, journal: Journal, status_client: Client
) -> None:
    outcomes: list[CallbackOutcome] = []
    processor = CallbackProcessor(
        status_client,
        registry=market_only(),
        journal=journal,
        hmac_key=HMAC_KEY,
        on_outcome=outcomes.append,
    )
    with RunningReceiver(create_callback_app(processor)) as receiver:
        task_id = create_on_emulator(kie_emulator, journal, receiver.url)
        kie_emulator.advance(5)
        wait_until(lambda: outcomes)
    assert [o.confirmed for o in outcomes] == [True]
    entry = journal.get(task_id)
    assert entry is not None
    assert entry.state is JournalState.SUCCEEDED
    assert entry.result_urls and entry.result_urls[0].startswith(kie_emulator.base_url)
    deliveries = kie_emulator.tasks[task_id].callbacks
    assert [d.status for d in deliveries] == [200]


@pytest.mark.kie_emulator(webhook_hmac_key=HMAC_KEY, callback_retries=1)
def test_emulator_callback_signed_with_another_key_is_refused(
    kie_emulator: EmulatorHandle, journal: Journal, status_client: Client
) -> None:
    processor = CallbackProcessor(
        status_client, registry=market_only(), journal=journal, hmac_key="a-different-key"
    )
    with RunningReceiver(create_callback_app(processor)) as receiver:
        task_id = create_on_emulator(kie_emulator, journal, receiver.url)
        kie_emulator.advance(5)
        task = kie_emulator.tasks[task_id]
        wait_until(lambda: task.callback_failed)
    assert [d.status for d in task.callbacks] == [403, 403]
    assert journal.get(task_id).state is JournalState.CREATED  # type: ignore[union-attr]


@pytest.mark.kie_emulator(webhook_hmac_key=HMAC_KEY)
def test_emulator_failed_task_callback_records_the_failure(
    kie_emulator: EmulatorHandle, journal: Journal, status_client: Client
) -> None:
    kie_emulator.set_fault("task-fail", 1.0, times=1)
    outcomes: list[CallbackOutcome] = []
    processor = CallbackProcessor(
        status_client,
        registry=market_only(),
        journal=journal,
        hmac_key=HMAC_KEY,
        on_outcome=outcomes.append,
    )
    with RunningReceiver(create_callback_app(processor)) as receiver:
        task_id = create_on_emulator(kie_emulator, journal, receiver.url)
        kie_emulator.advance(5)
        wait_until(lambda: outcomes)
    assert outcomes[0].claimed is TaskState.FAILED
    assert outcomes[0].confirmed
    entry = journal.get(task_id)
    assert entry is not None
    assert entry.state is JournalState.FAILED
    assert entry.error


async def test_a_declared_oversized_body_is_refused_before_it_is_read(
    processor: CallbackProcessor,
) -> None:
    sent = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(150):
            sent += 1
            yield b" " * (1 << 20)

    app = create_callback_app(processor)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://receiver"
    ) as http:
        response = await http.post(
            "/cb", content=body(), headers={"Content-Length": str(150 << 20)}
        )
    assert response.status_code == 413
    assert "larger than" in response.json()["msg"]
    assert sent <= 1  # not one megabyte past the first was pulled from the sender


async def test_a_streamed_oversized_body_is_refused_while_reading(
    processor: CallbackProcessor,
) -> None:
    sent = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(150 * 16):  # 150 MB in 64 KiB chunks, without a Content-Length
            sent += 1
            yield b" " * (64 << 10)

    app = create_callback_app(processor)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://receiver"
    ) as http:
        response = await http.post("/cb", content=body())
    assert response.status_code == 413
    limit_chunks = processor.max_body_bytes // (64 << 10)
    assert sent <= limit_chunks + 2  # reading stopped just past the limit
    assert processor.pending == 0


async def test_a_content_length_that_is_not_a_number_is_refused(http: httpx.AsyncClient) -> None:
    response = await http.post("/cb", content=b"{}", headers={"Content-Length": "lots"})
    assert response.status_code == 400
