"""Fault injection: the client against an emulator that loses, refuses and breaks answers.

Every test checks what KIE itself saw (the emulator's create counts and credit ledger), so
"never pay twice" is proven on the server side, not only by the client's own account.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from kie_emulator.pytest_plugin import EmulatorHandle

from kie_core import AsyncClient, Client
from kie_core.errors import AmbiguousCreateError, TaskFailedError, TransportError
from kie_core.journal import Journal, JournalState
from kie_core.ratelimit import RateLimiter, RateLimits
from kie_core.request import VideoRequest
from kie_core.retry import RetryPolicy

from ..integration.client_fakes import emulator_settings, make_registry

CREATE = "/api/v1/jobs/createTask"
RECORD = "/api/v1/jobs/recordInfo"
T2V = "kling/v2-5-turbo-text-to-video-pro"
REQUEST = VideoRequest(model="kling-2.5-turbo", prompt="a fox runs through snow", duration=5)


class CountingTransport(httpx.BaseTransport):
    """A real HTTP transport that remembers every attempt and the status of every answer."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.attempts: list[str] = []
        self.statuses: list[tuple[str, int]] = []
        self.lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.attempts.append(request.url.path)
        response = self.inner.handle_request(request)
        with self.lock:
            self.statuses.append((request.url.path, response.status_code))
        return response

    def close(self) -> None:
        self.inner.close()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KIE_API_KEY", "KIE_BASE_URL", "KIE_UPLOAD_BASE_URL", "KIE_JOURNAL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    journal = Journal(tmp_path / "journal.sqlite3")
    yield journal
    journal.close()


def settings(kie_emulator: EmulatorHandle, **extra: Any) -> dict[str, Any]:
    retry = RetryPolicy(base_delay=0.02, max_delay=0.1)
    return emulator_settings(kie_emulator, **{"retry": retry, **extra})


def client_for(kie_emulator: EmulatorHandle, **extra: Any) -> Client:
    return Client(kie_emulator.api_key, **settings(kie_emulator, **extra))


def charged_tasks(kie_emulator: EmulatorHandle) -> list[str | None]:
    return [entry.task_id for entry in kie_emulator.ledger if entry.kind == "charge"]


# --- creates: lost or broken answers are never re-sent ---------------------------------------


def test_a_lost_create_response_is_ambiguous_and_sent_once(
    kie_emulator: EmulatorHandle, journal: Journal
) -> None:
    kie_emulator.set_fault("lost-create-response", 1.0, times=1, paths=[CREATE])
    with (
        client_for(kie_emulator, journal=journal) as client,
        pytest.raises(AmbiguousCreateError) as caught,
    ):
        client.submit(REQUEST)
    assert kie_emulator.create_count(T2V) == 1  # the task exists...
    assert len(charged_tasks(kie_emulator)) == 1  # ...it was paid once, and never again
    assert "journal entry #1" in str(caught.value)
    entry = journal.get_entry(1)
    assert entry is not None
    assert entry.state is JournalState.AMBIGUOUS
    assert entry.task_id is None
    assert entry.error is not None


async def test_async_lost_create_response_is_ambiguous(kie_emulator: EmulatorHandle) -> None:
    kie_emulator.set_fault("lost-create-response", 1.0, times=1, paths=[CREATE])
    async with AsyncClient(kie_emulator.api_key, **settings(kie_emulator)) as client:
        with pytest.raises(AmbiguousCreateError):
            await client.submit(REQUEST)
    assert kie_emulator.create_count(T2V) == 1


@pytest.mark.parametrize(
    "kind", ["server-error", "error-in-200", "malformed-json", "drop-connection"]
)
def test_a_create_whose_outcome_is_unknown_is_never_resent(
    kie_emulator: EmulatorHandle, journal: Journal, kind: str
) -> None:
    kie_emulator.set_fault(kind, 1.0, times=1, paths=[CREATE])
    transport = CountingTransport()
    with (
        client_for(kie_emulator, journal=journal, transport=transport) as client,
        pytest.raises(AmbiguousCreateError),
    ):
        client.submit(REQUEST)
    assert transport.attempts.count(CREATE) == 1
    # The emulator did not process these creates; the client cannot know that and must not
    # gamble: one attempt, journaled as ambiguous for the user to decide.
    assert kie_emulator.create_count(T2V) == 0
    assert [e.state for e in journal.entries()] == [JournalState.AMBIGUOUS]


def test_a_slow_create_that_times_out_is_ambiguous(kie_emulator: EmulatorHandle) -> None:
    kie_emulator.configure(slow_seconds=2.0)
    kie_emulator.set_fault("slow", 1.0, times=1, paths=[CREATE])
    transport = CountingTransport()
    with (
        client_for(kie_emulator, timeout=0.3, transport=transport) as client,
        pytest.raises(AmbiguousCreateError, match="ReadTimeout"),
    ):
        client.submit(REQUEST)
    assert transport.attempts.count(CREATE) == 1
    # The emulator drops a slow request whose client gave up: nothing was created.
    assert kie_emulator.create_count(T2V) == 0


@pytest.mark.parametrize("kind", ["rate-limit", "maintenance"])
def test_a_create_the_server_refused_for_now_is_resent(
    kie_emulator: EmulatorHandle, journal: Journal, kind: str
) -> None:
    kie_emulator.set_fault(kind, 1.0, times=1, paths=[CREATE])
    transport = CountingTransport()
    with client_for(kie_emulator, journal=journal, transport=transport) as client:
        handle = client.submit(REQUEST)
    refused = 429 if kind == "rate-limit" else 200  # 455 arrives inside HTTP 200
    assert [s for p, s in transport.statuses if p == CREATE] == [refused, 200]
    assert kie_emulator.create_count(T2V) == 1
    assert charged_tasks(kie_emulator) == [handle.task_id]
    entry = journal.get(handle.task_id)
    assert entry is not None
    assert entry.state is JournalState.CREATED


def test_connection_refused_before_sending_is_resent_then_reported(journal: Journal) -> None:
    with (
        Client(
            "any-key",
            base_url="http://127.0.0.1:9",
            registry=make_registry(),
            retry=RetryPolicy(max_attempts=3, base_delay=0.01),
            rate_limiter=False,
            journal=journal,
        ) as client,
        pytest.raises(TransportError) as caught,
    ):
        client.submit(REQUEST)
    assert not isinstance(caught.value, AmbiguousCreateError)
    assert caught.value.retryable
    assert "ConnectError" in str(caught.value)
    # Nothing can have been created: the journal says rejected, not ambiguous.
    assert [e.state for e in journal.entries()] == [JournalState.REJECTED]


def test_connection_refused_then_restored_creates_exactly_one_task(
    kie_emulator: EmulatorHandle,
) -> None:
    class RefuseTwice(CountingTransport):
        refusals = 2

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path == CREATE and self.refusals:
                self.refusals -= 1
                raise httpx.ConnectError("connection refused", request=request)
            return super().handle_request(request)

    transport = RefuseTwice()
    with client_for(kie_emulator, transport=transport) as client:
        handle = client.submit(REQUEST)
    assert transport.refusals == 0
    assert kie_emulator.create_count(T2V) == 1
    assert charged_tasks(kie_emulator) == [handle.task_id]


# --- queries and waits ride out faults ---------------------------------------------------


@pytest.mark.parametrize(
    "kind",
    [
        "rate-limit",
        "server-error",
        "maintenance",
        "error-in-200",
        "malformed-json",
        "drop-connection",
    ],
)
def test_a_wait_survives_faulty_status_queries(kie_emulator: EmulatorHandle, kind: str) -> None:
    with client_for(kie_emulator) as client:
        handle = client.submit(REQUEST)
        kie_emulator.set_fault(kind, 0.5, paths=[RECORD])
        status = client.wait(handle)
    assert status.succeeded
    assert kie_emulator.create_count(T2V) == 1


def test_a_slow_status_query_is_retried(kie_emulator: EmulatorHandle) -> None:
    kie_emulator.configure(slow_seconds=2.0)
    with client_for(kie_emulator, timeout=0.3) as client:
        handle = client.submit(REQUEST)
        kie_emulator.set_fault("slow", 1.0, times=1, paths=[RECORD])
        assert client.wait(handle).succeeded


def test_a_failed_task_stops_the_wait_with_kies_reason(kie_emulator: EmulatorHandle) -> None:
    kie_emulator.set_fault("task-fail", 1.0, times=1)
    with client_for(kie_emulator) as client, pytest.raises(TaskFailedError) as caught:
        client.generate(REQUEST)
    error = caught.value
    task = kie_emulator.tasks[error.task_id or ""]
    assert task.failure is not None
    assert error.fail_code
    assert error.status is not None
    assert error.status.fail_message
    assert error.status.fail_message in str(error)


def test_an_expired_result_link_is_refreshed(kie_emulator: EmulatorHandle, tmp_path: Path) -> None:
    kie_emulator.set_fault("expired-link", 1.0, times=1)
    transport = CountingTransport()
    with client_for(kie_emulator, transport=transport) as client:
        video = client.generate(REQUEST)
        path = video.download(tmp_path)
    assert path.stat().st_size > 0
    assert ("/api/v1/common/download-url", 200) in transport.statuses
    assert any(status == 403 for _, status in transport.statuses)


# --- rate limits ---------------------------------------------------------------------------


@pytest.mark.kie_emulator(create_limit=4, create_window=1.0)
async def test_the_limiter_keeps_a_batch_free_of_429s(kie_emulator: EmulatorHandle) -> None:
    limiter = RateLimiter(RateLimits(creates=4, create_period=1.0, margin=0.05))
    transport = CountingTransport()
    requests = [
        VideoRequest(model="kling-2.5-turbo", prompt=f"fox {n}", duration=5) for n in range(10)
    ]
    async_transport = _AsyncCounting(transport)
    async with AsyncClient(
        kie_emulator.api_key,
        **settings(kie_emulator, rate_limiter=limiter, transport=async_transport),
    ) as client:
        handles = [await client.submit(request) for request in requests]
    assert len({h.task_id for h in handles}) == 10
    assert [s for p, s in transport.statuses if p == CREATE] == [200] * 10
    assert kie_emulator.create_count(T2V) == 10


@pytest.mark.kie_emulator(create_limit=4, create_window=1.0)
def test_without_the_limiter_429s_are_waited_out_and_each_task_made_once(
    kie_emulator: EmulatorHandle,
) -> None:
    transport = CountingTransport()
    with client_for(
        kie_emulator,
        rate_limiter=False,
        transport=transport,
        retry=RetryPolicy(max_attempts=10, base_delay=0.05),
    ) as client:
        handles = [
            client.submit(VideoRequest(model="kling-2.5-turbo", prompt=f"fox {n}", duration=5))
            for n in range(6)
        ]
    creates = [s for p, s in transport.statuses if p == CREATE]
    assert 429 in creates
    assert creates.count(200) == 6
    assert len({h.task_id for h in handles}) == 6
    assert kie_emulator.create_count(T2V) == 6
    assert len(charged_tasks(kie_emulator)) == 6


class _AsyncCounting(httpx.AsyncBaseTransport):
    """An async transport recording statuses into a :class:`CountingTransport`'s list."""

    def __init__(self, record: CountingTransport) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.record = record

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        with self.record.lock:
            self.record.statuses.append((request.url.path, response.status_code))
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()
