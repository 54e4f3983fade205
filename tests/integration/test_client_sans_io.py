"""The clients' downloads and journal writes are flow steps like every other exchange.

A download runs inside the one flow of ``download`` (an expired link is refreshed by the
``download-url`` flow inside it, through the rate limiter, not by a second client run), and
the async client writes its journal from worker threads, never from the event loop, still
before the create call it records is sent.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from kie_emulator.pytest_plugin import EmulatorHandle

from kie_core import actions
from kie_core import client as client_module
from kie_core.client import AsyncClient, Client
from kie_core.journal import Journal, JournalState
from kie_core.ratelimit import CallKind, RateLimiter
from kie_core.request import VideoRequest
from kie_core.retry import RetryPolicy

from .client_fakes import emulator_settings

REQUEST = VideoRequest(model="kling-2.5-turbo", prompt="a fox runs through snow", duration=5)
DOWNLOAD_URL = "/api/v1/common/download-url"

pytestmark = pytest.mark.kie_emulator(result_bytes=300_000)


class SpyLimiter(RateLimiter):
    """A rate limiter that notes every reservation."""

    def __init__(self) -> None:
        super().__init__()
        self.kinds: list[CallKind] = []

    def reserve(self, kind: CallKind) -> float:
        self.kinds.append(kind)
        return super().reserve(kind)


def settings(kie_emulator: EmulatorHandle, **extra: Any) -> dict[str, Any]:
    return emulator_settings(kie_emulator, **{"retry": RetryPolicy(base_delay=0.01), **extra})


def counting(monkeypatch: pytest.MonkeyPatch, name: str) -> list[str]:
    """Count the driver runs of ``kie_core.client.<name>`` (one per public call)."""
    runs: list[str] = []
    original: Callable[..., Any] = getattr(client_module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        runs.append(name)
        return original(*args, **kwargs)

    monkeypatch.setattr(client_module, name, wrapper)
    return runs


def test_an_expired_link_is_refreshed_inside_the_download_flow(
    kie_emulator: EmulatorHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kie_emulator.set_fault("expired-link", 1.0, times=1)
    limiter = SpyLimiter()
    with Client(kie_emulator.api_key, **settings(kie_emulator, rate_limiter=limiter)) as client:
        video = client.generate(REQUEST)
        limiter.kinds.clear()
        runs = counting(monkeypatch, "run")
        path = video.download(tmp_path)
    assert runs == ["run"]  # no nested client run for the fresh link
    assert limiter.kinds == [CallKind.QUERY]  # the download-url call, under the limiter
    assert path.stat().st_size == 300_000


def test_a_failing_file_host_is_retried_with_the_clients_sleep(
    kie_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    slept: list[float] = []
    # The emulator cuts each of the next two file answers after half of what it announced.
    kie_emulator.set_fault("drop-connection", 1.0, times=2, paths=["/files/"])
    options = settings(kie_emulator, rate_limiter=False, retry=RetryPolicy(schedule=lambda n: n))
    with Client(kie_emulator.api_key, sleep=slept.append, **options) as client:
        video = client.generate(REQUEST)
        slept.clear()
        path = video.download(tmp_path)
    assert slept == [1, 2]  # the policy's schedule, through the client's own sleep
    assert path.stat().st_size == 300_000


async def test_async_journal_writes_leave_the_event_loop(
    kie_emulator: EmulatorHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop_thread = threading.get_ident()
    order: list[tuple[str, bool]] = []
    journal = Journal(tmp_path / "journal.sqlite3")
    for name in ("claim", "created", "record_status", "downloaded"):
        original = getattr(journal, name)

        def spy(*args: Any, _name: str = name, _original: Any = original, **kwargs: Any) -> Any:
            order.append((_name, threading.get_ident() == loop_thread))
            return _original(*args, **kwargs)

        monkeypatch.setattr(journal, name, spy)
    sent = actions.aperform

    async def noting(action: Any, *args: Any) -> Any:
        if isinstance(action, actions.Send) and action.request.url.path.endswith("createTask"):
            order.append(("create sent", True))
        return await sent(action, *args)

    monkeypatch.setattr(actions, "aperform", noting)
    options = settings(kie_emulator, journal=journal)
    async with AsyncClient(kie_emulator.api_key, **options) as client:
        video = await client.generate(REQUEST)
        await video.adownload(tmp_path)
    names = [name for name, _ in order]
    assert names.index("claim") < names.index("create sent") < names.index("created")
    assert names[-1] == "downloaded"
    assert all(not on_loop for name, on_loop in order if name != "create sent")
    journal.close()


async def test_a_cancel_during_the_journal_claim_closes_the_row_and_sends_nothing(
    kie_emulator: EmulatorHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = Journal(tmp_path / "journal.sqlite3")
    claiming = threading.Event()
    release = threading.Event()
    original = journal.claim

    def slow_claim(**kwargs: Any) -> Any:
        claimed = original(**kwargs)  # the row is written...
        claiming.set()
        release.wait(10)  # ...and the worker thread is still busy when the cancel comes
        return claimed

    monkeypatch.setattr(journal, "claim", slow_claim)
    async with AsyncClient(kie_emulator.api_key, **settings(kie_emulator, journal=journal)) as kie:
        job = asyncio.ensure_future(kie.submit(REQUEST))
        await asyncio.to_thread(claiming.wait, 10)
        job.cancel()
        await asyncio.sleep(0.05)
        assert not job.done()  # the cancel waits for the journal step to end
        release.set()
        with pytest.raises(asyncio.CancelledError):
            await job
    (entry,) = journal.entries()
    assert entry.state is JournalState.REJECTED
    assert kie_emulator.tasks == {}
    journal.close()
