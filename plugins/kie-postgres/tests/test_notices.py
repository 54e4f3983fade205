"""A status recorded by any process wakes the job waiting for that task."""

from __future__ import annotations

import asyncio

from kie_postgres.worker import StatusNotices

from kie_core.status import TaskHandle, TaskState, TaskStatus
from kie_core.stores import open_journal_store


async def test_an_ending_status_recorded_elsewhere_wakes_the_waiting_job(
    database_url: str,
) -> None:
    journal = open_journal_store(database_url)  # e.g. `kie callbacks serve` on another machine
    entry, _ = journal.claim(
        fingerprint="fp",
        model="kling-2.5-turbo",
        provider="kling",
        family="market",
        kie_model=None,
        endpoint="POST /api/v1/jobs/createTask",
        payload={},
        base_url="http://kie.test",
        estimated_credits=None,
    )
    journal.created(
        entry.id,
        TaskHandle(task_id="t-wake", model="kling-2.5-turbo", provider="kling", family="market"),
    )
    notices = StatusNotices(database_url)
    await notices.start()
    try:
        sleeper = asyncio.create_task(notices.sleep("t-wake", 600.0))
        other = asyncio.create_task(notices.sleep("t-other", 0.2))
        await asyncio.sleep(0.1)
        done = TaskStatus(task_id="t-wake", state=TaskState.SUCCEEDED, result_urls=("http://x",))
        await asyncio.to_thread(journal.record_status, "t-wake", done)
        assert await sleeper is True
        assert await other is False
    finally:
        await notices.stop()
