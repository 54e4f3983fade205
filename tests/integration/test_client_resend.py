"""Client.resend: an ambiguous journal entry's create body sent again, journaled like submit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from kie_core import AsyncClient, Client
from kie_core.errors import (
    AmbiguousCreateError,
    ApiValidationError,
    ConfigurationError,
    InvalidRequestError,
)
from kie_core.journal import Journal, JournalEntry, JournalState
from kie_core.polling import PollSchedule
from kie_core.ratelimit import RateLimiter
from kie_core.request import VideoRequest
from kie_core.retry import RetryPolicy

from .client_fakes import API, KEY, UPLOAD, FakeKie, FakeTime, Lose, make_registry

CREATE = "/api/v1/jobs/createTask"
REQUEST = VideoRequest(model="kling-2.5-turbo", prompt="a fox runs through snow")


@pytest.fixture
def journal() -> Iterator[Journal]:
    journal = Journal(":memory:")
    yield journal
    journal.close()


def settings(
    kie: FakeKie, clock: FakeTime, journal: Journal | bool, **extra: Any
) -> dict[str, Any]:
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


def client_for(kie: FakeKie, clock: FakeTime, journal: Journal | bool, **extra: Any) -> Client:
    extra.setdefault("sleep", clock.sleep)
    return Client(KEY, **settings(kie, clock, journal, **extra))


def entry(journal: Journal, entry_id: int) -> JournalEntry:
    found = journal.get_entry(entry_id)
    assert found is not None
    return found


def lost_create(kie: FakeKie, clock: FakeTime, journal: Journal) -> JournalEntry:
    """Submit REQUEST with its answer lost: the task exists at KIE, the entry is AMBIGUOUS."""
    kie.script(CREATE, Lose(httpx.ReadTimeout("timed out")))
    with client_for(kie, clock, journal) as client, pytest.raises(AmbiguousCreateError):
        client.submit(REQUEST)
    [ambiguous] = journal.entries()
    assert ambiguous.state is JournalState.AMBIGUOUS
    return ambiguous


def assert_resent_as(journal: Journal, old: JournalEntry, new: JournalEntry) -> None:
    """The old entry is closed with a note; the new one is the same request, journaled anew."""
    closed = entry(journal, old.id)
    assert closed.state is JournalState.REJECTED
    assert closed.error is not None and "re-sent by the user" in closed.error
    assert new.id > old.id
    for field in ("fingerprint", "model", "provider", "family", "kie_model", "endpoint"):
        assert getattr(new, field) == getattr(old, field), field
    assert new.payload == old.payload
    assert new.base_url == old.base_url
    assert new.estimated_credits == old.estimated_credits


def test_resend_sends_the_journaled_body_as_a_new_journaled_create(
    kie: FakeKie, clock: FakeTime, journal: Journal
) -> None:
    old = lost_create(kie, clock, journal)
    at_create: list[list[JournalState]] = []
    kie.on_create = lambda request: at_create.append([e.state for e in journal.entries()])
    with client_for(kie, clock, journal) as client:
        handle = client.resend(old.id)
        # The same request again now follows the re-sent task instead of being refused.
        assert client.submit(REQUEST).task_id == handle.task_id
    # Old entry closed and new entry written before the create went out.
    assert at_create == [[JournalState.SUBMITTING, JournalState.REJECTED]]
    assert len(kie.creates) == 2
    assert kie.creates[1] == kie.creates[0] == old.payload
    assert len(kie.tasks) == 2  # the lost first task exists too: the user chose to pay again
    new = journal.get(handle.task_id)
    assert new is not None
    assert new.state is JournalState.CREATED
    assert_resent_as(journal, old, new)
    assert (handle.model, handle.provider, handle.family) == (old.model, old.provider, "market")
    assert handle.kie_model == old.kie_model
    assert handle.estimated_credits == old.estimated_credits
    assert KEY not in new.model_dump_json()


async def test_async_resend_journals_the_same_way(
    kie: FakeKie, clock: FakeTime, journal: Journal
) -> None:
    old = lost_create(kie, clock, journal)
    async with AsyncClient(KEY, sleep=clock.asleep, **settings(kie, clock, journal)) as client:
        handle = await client.resend(old.id)
    new = journal.get(handle.task_id)
    assert new is not None
    assert new.state is JournalState.CREATED
    assert_resent_as(journal, old, new)
    assert kie.creates[1] == old.payload


def test_a_resend_whose_answer_is_lost_again_is_ambiguous_in_a_new_entry(
    kie: FakeKie, clock: FakeTime, journal: Journal
) -> None:
    old = lost_create(kie, clock, journal)
    kie.script(CREATE, Lose(httpx.ReadTimeout("timed out")))
    with client_for(kie, clock, journal) as client, pytest.raises(AmbiguousCreateError) as caught:
        client.resend(old.id)
    newest, closed = journal.entries()
    assert f"journal entry #{newest.id}" in str(caught.value)
    assert newest.state is JournalState.AMBIGUOUS
    assert_resent_as(journal, old, newest)
    assert closed.id == old.id
    # The new ambiguous entry may itself be re-sent.
    with client_for(kie, clock, journal) as client:
        handle = client.resend(newest.id)
    assert entry(journal, newest.id).state is JournalState.REJECTED
    assert len(kie.creates) == 3
    assert journal.get(handle.task_id) is not None


def test_a_resend_kie_refuses_is_journaled_rejected(
    kie: FakeKie, clock: FakeTime, journal: Journal
) -> None:
    old = lost_create(kie, clock, journal)
    kie.script(CREATE, httpx.Response(200, json={"code": 422, "msg": "This field is required"}))
    with client_for(kie, clock, journal) as client, pytest.raises(ApiValidationError):
        client.resend(old.id)
    newest, _ = journal.entries()
    assert newest.state is JournalState.REJECTED
    assert newest.error is not None and "This field is required" in newest.error
    assert_resent_as(journal, old, newest)


@pytest.mark.parametrize("state", ["created", "rejected", "submitting"])
def test_an_entry_that_is_not_ambiguous_is_refused_naming_it_and_its_state(
    kie: FakeKie, clock: FakeTime, journal: Journal, state: str
) -> None:
    with client_for(kie, clock, journal) as client:
        if state == "created":
            client.submit(REQUEST)
        elif state == "rejected":
            kie.script(CREATE, httpx.Response(200, json={"code": 422, "msg": "bad"}))
            with pytest.raises(ApiValidationError):
                client.submit(REQUEST)
        else:
            call = client.prepare(REQUEST).call
            journal.begin(
                fingerprint="f",
                model=REQUEST.model,
                provider="test-kling",
                family="market",
                kie_model=None,
                endpoint=call.describe(),
                payload=dict(call.body or {}),
                base_url=API,
                estimated_credits=None,
            )
        [before] = journal.entries()
        assert before.state.value == state
        sent = len(kie.requests)
        with pytest.raises(InvalidRequestError) as caught:
            client.resend(before.id)
    assert f"journal entry #{before.id} is {state}" in str(caught.value)
    assert "ambiguous" in str(caught.value)
    assert caught.value.field == "entry_id"
    assert caught.value.value == before.id
    assert len(kie.requests) == sent
    assert journal.entries() == [before]


def test_an_unknown_entry_is_refused(kie: FakeKie, clock: FakeTime, journal: Journal) -> None:
    with client_for(kie, clock, journal) as client, pytest.raises(InvalidRequestError) as caught:
        client.resend(42)
    assert "journal entry #42 does not exist" in str(caught.value)
    assert kie.requests == []


def test_an_entry_sent_to_another_service_is_refused(
    kie: FakeKie, clock: FakeTime, journal: Journal
) -> None:
    old = lost_create(kie, clock, journal)
    other = "https://other.kie.test"
    with (
        client_for(kie, clock, journal, base_url=other) as client,
        pytest.raises(InvalidRequestError) as caught,
    ):
        client.resend(old.id)
    assert API in str(caught.value) and other in str(caught.value)
    assert entry(journal, old.id).state is JournalState.AMBIGUOUS
    assert len(kie.creates) == 1


def test_resend_needs_a_journal(kie: FakeKie, clock: FakeTime) -> None:
    with client_for(kie, clock, False) as client, pytest.raises(ConfigurationError) as caught:
        client.resend(1)
    assert "journal" in str(caught.value)
    assert kie.requests == []


def test_resend_needs_an_api_key_before_touching_the_journal(
    kie: FakeKie, clock: FakeTime, journal: Journal
) -> None:
    old = lost_create(kie, clock, journal)
    with (
        Client(None, sleep=clock.sleep, **settings(kie, clock, journal)) as client,
        pytest.raises(ConfigurationError),
    ):
        client.resend(old.id)
    assert journal.entries() == [old]
    assert len(kie.creates) == 1


def test_an_entry_another_process_resent_meanwhile_is_not_sent_again(
    kie: FakeKie, clock: FakeTime, journal: Journal
) -> None:
    old = lost_create(kie, clock, journal)
    with client_for(kie, clock, journal) as client:
        # Another process closes the entry between this client's read and its own claim.
        real_get = journal.get_entry

        def read_then_lose_the_race(entry_id: int) -> JournalEntry | None:
            found = real_get(entry_id)
            assert journal.mark_resent(entry_id) is True
            return found

        journal.get_entry = read_then_lose_the_race  # type: ignore[method-assign]
        with pytest.raises(InvalidRequestError, match="no longer ambiguous"):
            client.resend(old.id)
    assert len(kie.creates) == 1  # only the original, lost create
