"""Never pay twice against the emulator and its ledger: races, reruns, budget, actual spend."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from kie_emulator.pytest_plugin import EmulatorHandle

from kie_core import Client
from kie_core.errors import BudgetExceededError, TaskFailedError
from kie_core.journal import Journal, JournalState
from kie_core.polling import PollSchedule
from kie_core.ratelimit import RateLimiter
from kie_core.request import VideoRequest
from kie_core.retry import RetryPolicy

from .client_fakes import make_registry

REQUEST = VideoRequest(model="kling-2.5-turbo", prompt="a fox runs through snow", duration=5)


def client_for(kie_emulator: EmulatorHandle, journal: Journal, **extra: Any) -> Client:
    return Client(
        kie_emulator.api_key,
        base_url=kie_emulator.base_url,
        upload_base_url=kie_emulator.base_url,
        registry=make_registry(),
        poll=PollSchedule.fast(deadline=30.0),
        retry=RetryPolicy(base_delay=0.05),
        rate_limiter=RateLimiter(),
        journal=journal,
        **extra,
    )


def charged(kie_emulator: EmulatorHandle) -> list[str | None]:
    return [entry.task_id for entry in kie_emulator.ledger if entry.kind == "charge"]


def test_twenty_identical_concurrent_requests_create_one_task(
    kie_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    path = tmp_path / "journal.sqlite3"
    Journal(path).close()
    barrier = threading.Barrier(20)
    task_ids: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def one() -> None:
        # Each thread is its own "process": its own journal connection and client.
        try:
            with Journal(path) as journal, client_for(kie_emulator, journal) as client:
                barrier.wait()
                handle = client.submit(REQUEST)
            with lock:
                task_ids.append(handle.task_id)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=one) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(task_ids) == 20 and len(set(task_ids)) == 1
    assert charged(kie_emulator) == task_ids[:1]
    assert len(kie_emulator.tasks) == 1


def test_a_rerun_follows_downloaded_and_running_requests_and_sends_only_new_ones(
    kie_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    requests = [REQUEST.model_copy(update={"prompt": f"fox {n}"}) for n in range(3)]
    with Journal(tmp_path / "j.sqlite3") as journal, client_for(kie_emulator, journal) as client:
        first = client.generate(requests[0])
        saved = first.download(tmp_path / "out")
        running = client.submit(requests[1])
        # The rerun: every row again, one of them never sent before.
        rerun = [client.submit(request) for request in requests]
        assert rerun[0].task_id == first.task_id
        assert rerun[1].task_id == running.task_id
        assert client.generate(requests[0]).download(tmp_path / "out") == saved
        forced = client.submit(requests[0], again=True)
    assert forced.task_id not in {first.task_id, running.task_id, rerun[2].task_id}
    assert sorted(charged(kie_emulator)) == sorted(
        [first.task_id, running.task_id, rerun[2].task_id, forced.task_id]
    )


def test_the_daily_budget_is_counted_across_clients_from_the_journal(
    kie_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    path = tmp_path / "j.sqlite3"
    with Journal(path) as one, client_for(kie_emulator, one, daily_budget=50.0) as first:
        first.submit(REQUEST)  # 42 credits at the emulator's Kling 2.5 price
    with Journal(path) as two, client_for(kie_emulator, two, daily_budget=50.0) as second:
        with pytest.raises(BudgetExceededError) as caught:
            second.submit(REQUEST.model_copy(update={"prompt": "another fox"}))
        # Following the identical paid request costs nothing and is allowed.
        assert second.submit(REQUEST).task_id == charged(kie_emulator)[0]
    assert "50 credits" in str(caught.value) and "8 are left" in str(caught.value)
    assert len(charged(kie_emulator)) == 1


def test_the_actual_charge_is_journaled_refunds_included(
    kie_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    with Journal(tmp_path / "j.sqlite3") as journal, client_for(kie_emulator, journal) as client:
        video = client.generate(REQUEST, again=True)
        kie_emulator.set_fault("task-fail", times=1)
        with pytest.raises(TaskFailedError):
            client.generate(REQUEST.model_copy(update={"prompt": "doomed"}))
        done = journal.get(video.task_id)
        failed = journal.entries(limit=1, states=[JournalState.FAILED])[0]
    assert done is not None and done.actual_credits == done.estimated_credits == 42.0
    assert failed.actual_credits == 0.0
    refunds = sum(e.amount for e in kie_emulator.ledger if e.kind == "refund")
    charges = sum(e.amount for e in kie_emulator.ledger if e.kind == "charge")
    assert charges - refunds == done.actual_credits + failed.actual_credits


def test_a_download_another_process_is_writing_is_waited_for_and_reused(
    kie_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    import fcntl
    import hashlib

    out = tmp_path / "out"
    out.mkdir()
    with Journal(tmp_path / "j.sqlite3") as journal:
        with client_for(kie_emulator, journal) as client:
            handle = client.submit(REQUEST)
            status = client.wait(handle)
        part = out / f".{handle.task_id}.mp4.part"
        holder = part.open("a+b")
        fcntl.flock(holder.fileno(), fcntl.LOCK_EX)  # "another process" is writing the file
        final = out / f"{handle.task_id}.mp4"
        sleeps: list[float] = []

        def other_process_finishes(seconds: float) -> None:
            sleeps.append(seconds)
            if len(sleeps) == 3:
                data = b"\0\0\0\x18ftypmp42 the other process's file"
                final.write_bytes(data)
                journal.downloaded(
                    handle.task_id, str(final), hashlib.sha256(data).hexdigest(), len(data)
                )
                holder.close()
                part.unlink()

        with client_for(kie_emulator, journal, sleep=other_process_finishes) as client:
            saved = client.download(status, out)
    assert saved == final and len(sleeps) == 3
    assert final.read_bytes().endswith(b"the other process's file")  # reused, not fetched again
