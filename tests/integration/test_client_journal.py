"""How the client writes the journal: before the create, at every step, on interrupts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kie_core import AsyncClient, Client
from kie_core.calls import EndpointCall
from kie_core.errors import (
    AmbiguousCreateError,
    ApiValidationError,
    MalformedResponseError,
    NotFoundError,
)
from kie_core.families.base import TaskFamily, require_mapping
from kie_core.hookspecs import hookimpl
from kie_core.journal import Journal, JournalState, fingerprint
from kie_core.polling import PollSchedule
from kie_core.ratelimit import RateLimiter
from kie_core.request import VideoRequest
from kie_core.retry import RetryPolicy
from kie_core.status import CallbackEvent, TaskHandle, TaskState, TaskStatus

from .client_fakes import API, KEY, UPLOAD, FakeKie, FakeTime, make_registry

CREATE = "/api/v1/jobs/createTask"
RECORD = "/api/v1/jobs/recordInfo"
REQUEST = VideoRequest(model="kling-2.5-turbo", prompt="a fox runs through snow")


@pytest.fixture
def journal() -> Iterator[Journal]:
    journal = Journal(":memory:")
    yield journal
    journal.close()


def settings(kie: FakeKie, clock: FakeTime, journal: Journal, **extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "base_url": API,
        "upload_base_url": UPLOAD,
        "registry": make_registry(),
        "transport": kie.transport(),
        "clock": clock.monotonic,
        "rate_limiter": RateLimiter(clock=clock.monotonic),
        "retry": RetryPolicy(rand=lambda: 0.5),
        "poll": PollSchedule(rand=lambda: 0.0),
        "journal": journal,
    }
    values.update(extra)
    return values


def client_for(kie: FakeKie, clock: FakeTime, journal: Journal, **extra: Any) -> Client:
    extra.setdefault("sleep", clock.sleep)
    return Client(KEY, **settings(kie, clock, journal, **extra))


def states(journal: Journal) -> list[JournalState]:
    return [entry.state for entry in reversed(journal.entries())]


def test_the_entry_is_written_before_the_create_is_sent(
    kie: FakeKie, clock: FakeTime, journal: Journal
) -> None:
    at_create: list[list[JournalState]] = []
    kie.on_create = lambda request: at_create.append(states(journal))
    with client_for(kie, clock, journal) as client:
        handle = client.submit(REQUEST)
    assert at_create == [[JournalState.SUBMITTING]]
    entry = journal.get(handle.task_id)
    assert entry is not None
    assert entry.state is JournalState.CREATED
    assert entry.handle() == handle.model_copy(update={"created_at": entry.created_at})
    assert entry.payload == kie.creates[0]
    assert entry.base_url == API
    assert entry.fingerprint == fingerprint(
        EndpointCall(method="POST", path=CREATE, body=kie.creates[0]), API
    )
    assert KEY not in entry.model_dump_json()


def test_every_poll_is_recorded_and_the_download_closes_the_entry(
    kie: FakeKie, clock: FakeTime, journal: Journal, tmp_path: Path
) -> None:
    seen: list[JournalState] = []
    with client_for(kie, clock, journal) as client:
        handle = client.submit(REQUEST)

        def note(status: TaskStatus) -> None:
            entry = journal.get(handle.task_id)
            assert entry is not None
            seen.append(entry.state)

        video = client.wait(handle, on_update=note)
        client.download(handle, tmp_path)
    assert seen == [JournalState.RUNNING, JournalState.RUNNING, JournalState.SUCCEEDED]
    assert video.succeeded
    entry = journal.get(handle.task_id)
    assert entry is not None
    assert entry.state is JournalState.DOWNLOADED
    assert entry.result_urls == list(video.result_urls)
    assert entry.output_path == str(tmp_path / f"{handle.task_id}.mp4")


def test_a_refused_create_is_journaled_rejected(
    kie: FakeKie, clock: FakeTime, journal: Journal
) -> None:
    kie.script(CREATE, httpx.Response(200, json={"code": 422, "msg": "This field is required"}))
    with client_for(kie, clock, journal) as client, pytest.raises(ApiValidationError):
        client.submit(REQUEST)
    [entry] = journal.entries()
    assert entry.state is JournalState.REJECTED
    assert entry.error is not None and "This field is required" in entry.error
    # A rejected request is not active: sending it again is allowed and creates a task.
    with client_for(kie, clock, journal) as client:
        client.submit(REQUEST)
    assert len(kie.tasks) == 1


def test_an_identical_running_request_is_followed_not_paid_twice(
    kie: FakeKie, clock: FakeTime, journal: Journal
) -> None:
    with client_for(kie, clock, journal) as client:
        first = client.submit(REQUEST)
        again = client.submit(REQUEST)
        with_callback = client.submit(REQUEST.model_copy(update={"callback_url": "https://cb.x/"}))
        other = client.submit(REQUEST.model_copy(update={"prompt": "a different fox"}))
        forced = client.submit(REQUEST, again=True)
    assert again.task_id == first.task_id
    # The callback URL says where to report, not what to generate.
    assert with_callback.task_id == first.task_id
    assert other.task_id != first.task_id
    assert forced.task_id not in (first.task_id, other.task_id)
    assert len(kie.creates) == 3


def test_a_downloaded_request_is_followed_and_its_file_reused_until_again(
    kie: FakeKie, clock: FakeTime, journal: Journal, tmp_path: Path
) -> None:
    with client_for(kie, clock, journal) as client:
        video = client.generate(REQUEST)
        assert client.submit(REQUEST).task_id == video.task_id  # succeeded, not downloaded
        saved = video.download(tmp_path)
        rerun = client.generate(REQUEST)
        assert rerun.task_id == video.task_id  # downloaded: a rerun does not pay again
        fetched = [r for r in kie.requests if r.url.host == "tempfile.kie.test"]
        assert rerun.download(tmp_path) == saved  # the saved file is reused, not fetched again
        assert [r for r in kie.requests if r.url.host == "tempfile.kie.test"] == fetched
        assert client.submit(REQUEST, again=True).task_id != video.task_id
    assert len(kie.creates) == 2


def test_a_deleted_download_is_fetched_again_without_a_new_task(
    kie: FakeKie, clock: FakeTime, journal: Journal, tmp_path: Path
) -> None:
    with client_for(kie, clock, journal) as client:
        video = client.generate(REQUEST)
        saved = video.download(tmp_path)
        saved.unlink()
        rerun = client.generate(REQUEST)
        assert rerun.download(tmp_path) == saved
        assert saved.is_file()
    assert len(kie.creates) == 1


@pytest.mark.parametrize("state", ["ambiguous", "submitting"])
def test_an_identical_unresolved_request_is_refused_naming_the_entry(
    kie: FakeKie, clock: FakeTime, journal: Journal, state: str
) -> None:
    with client_for(kie, clock, journal) as client:
        call = client.prepare(REQUEST).call
        entry_id = journal.begin(
            fingerprint=fingerprint(call, API),
            model="kling-2.5-turbo",
            provider="test-kling",
            family="market",
            kie_model=None,
            endpoint=call.describe(),
            payload=dict(call.body or {}),
            base_url=API,
            estimated_credits=None,
        )
        if state == "ambiguous":
            journal.ambiguous(entry_id, "answer lost")
        with pytest.raises(AmbiguousCreateError) as caught:
            client.submit(REQUEST)
        assert f"journal entry #{entry_id}" in str(caught.value)
        assert state in str(caught.value)
        assert kie.creates == []
        client.submit(REQUEST, again=True)
    assert len(kie.creates) == 1


def test_local_files_are_fingerprinted_by_content(
    kie: FakeKie, clock: FakeTime, journal: Journal, tmp_path: Path
) -> None:
    frame = tmp_path / "frame.png"
    frame.write_bytes(b"\x89PNG one")
    request = VideoRequest(model="kling-2.5-turbo", prompt="a fox", first_frame=str(frame))
    with client_for(kie, clock, journal) as client:
        first = client.submit(request)
        # Running the same command again follows the task: no second upload, no second create.
        assert client.submit(request).task_id == first.task_id
        frame.write_bytes(b"\x89PNG two")
        second = client.submit(request)
    assert second.task_id != first.task_id
    assert len(kie.uploads) == 2
    assert len(kie.creates) == 2
    entry = journal.get(first.task_id)
    assert entry is not None
    assert entry.payload["input"]["image_url"].startswith("https://tempfile.kie.test/")


def test_a_lost_answer_is_journaled_ambiguous(
    kie: FakeKie, clock: FakeTime, journal: Journal
) -> None:
    from .client_fakes import Lose

    kie.script(CREATE, Lose(httpx.ReadTimeout("timed out")))
    with client_for(kie, clock, journal) as client, pytest.raises(AmbiguousCreateError) as caught:
        client.submit(REQUEST)
    assert "journal entry #1" in str(caught.value)
    assert isinstance(caught.value.__cause__, AmbiguousCreateError)
    assert states(journal) == [JournalState.AMBIGUOUS]
    kie.script(CREATE, httpx.Response(200, json={"code": 200, "msg": "ok", "data": {"id": 1}}))
    with client_for(kie, clock, journal) as client, pytest.raises(AmbiguousCreateError) as caught:
        client.submit(REQUEST, again=True)
    assert isinstance(caught.value.__cause__.__cause__, MalformedResponseError)  # type: ignore[union-attr]
    assert states(journal) == [JournalState.AMBIGUOUS, JournalState.AMBIGUOUS]


def test_an_interrupt_while_waiting_for_the_answer_is_ambiguous(
    kie: FakeKie, clock: FakeTime, journal: Journal
) -> None:
    def interrupted(request: httpx.Request) -> httpx.Response:
        raise KeyboardInterrupt

    kie.script(CREATE, interrupted)
    with client_for(kie, clock, journal) as client, pytest.raises(KeyboardInterrupt):
        client.submit(REQUEST)
    assert states(journal) == [JournalState.AMBIGUOUS]


def test_an_interrupt_before_sending_is_rejected(
    kie: FakeKie, clock: FakeTime, journal: Journal
) -> None:
    def sleep(seconds: float) -> None:
        raise KeyboardInterrupt

    kie.script(CREATE, httpx.Response(429, json={"code": 429, "msg": "slow down"}))
    with (
        client_for(kie, clock, journal, sleep=sleep) as client,
        pytest.raises(KeyboardInterrupt),
    ):
        client.submit(REQUEST)
    assert states(journal) == [JournalState.REJECTED]


async def test_a_cancelled_async_create_is_ambiguous(
    kie: FakeKie, clock: FakeTime, journal: Journal
) -> None:
    arrived = asyncio.Event()

    async def hang(request: httpx.Request) -> httpx.Response:
        arrived.set()
        await asyncio.Event().wait()
        raise AssertionError("never answered")

    kie.script(CREATE, hang)  # type: ignore[arg-type]
    async with AsyncClient(KEY, sleep=clock.asleep, **settings(kie, clock, journal)) as client:
        task = asyncio.create_task(client.submit(REQUEST))
        await arrived.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert states(journal) == [JournalState.AMBIGUOUS]


# --- task families from the journal ----------------------------------------------------------


class OtherFamily(TaskFamily):
    """A second family with its own status route, to see which family a task id gets."""

    name = "other"

    def status_call(self, task_id: str) -> EndpointCall:
        return EndpointCall(method="GET", path="/api/v1/other/record", params={"taskId": task_id})

    def parse_status(self, task_id: str, data: Any) -> TaskStatus:
        record = require_mapping(data, "other record")
        return TaskStatus(task_id=task_id, state=TaskState(record["state"]), raw=dict(record))

    def parse_callback(self, body: Any) -> CallbackEvent:
        raise NotImplementedError


class _FamilyPlugin:
    @hookimpl
    def kie_register_families(self, register: Callable[[TaskFamily], None]) -> None:
        register(OtherFamily())


def test_a_task_id_gets_its_family_from_the_journal(
    kie: FakeKie, clock: FakeTime, journal: Journal
) -> None:
    registry = make_registry()
    registry.register_plugin(_FamilyPlugin(), "other-plugin")
    kie.script(
        "/api/v1/other/record",
        *[httpx.Response(200, json={"code": 200, "msg": "ok", "data": {"state": "running"}})] * 3,
    )
    entry_id = journal.begin(
        fingerprint="f",
        model="m",
        provider="p",
        family="other",
        kie_model=None,
        endpoint="POST /x",
        payload={},
        base_url=API,
        estimated_credits=None,
    )
    journal.created(entry_id, TaskHandle(task_id="o1", model="m", provider="p", family="other"))
    with client_for(kie, clock, journal, registry=registry) as client:
        assert client.status("o1").raw == {"state": "running"}
        assert client.status("o1", family="other").state is TaskState.RUNNING
        with pytest.raises(NotFoundError):
            client.status("task-unknown-to-the-journal")
    paths = [r.url.path for r in kie.requests]
    assert paths == ["/api/v1/other/record", "/api/v1/other/record", RECORD]
