"""Issue "never pay twice": for each fault kind, a batch ends consistent.

Every result is downloaded or reported (failed, ambiguous, refused) with a typed error; the
emulator proves no request was created or charged twice; the journal agrees with both.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from kie_emulator.config import FAULT_KINDS
from kie_emulator.pytest_plugin import EmulatorHandle

from kie_core import AsyncClient
from kie_core.errors import AmbiguousCreateError, KieError, TaskFailedError
from kie_core.journal import Journal, JournalState
from kie_core.polling import PollSchedule
from kie_core.ratelimit import RateLimiter
from kie_core.request import VideoRequest
from kie_core.retry import RetryPolicy

from ..integration.client_fakes import make_registry

BATCH = 8


@pytest.mark.parametrize("kind", FAULT_KINDS)
async def test_batch_under_fault_is_consistent(
    kind: str, kie_emulator: EmulatorHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KIE_JOURNAL", raising=False)
    kie_emulator.set_fault(kind, probability=1.0, times=3)
    journal = Journal(tmp_path / "journal.sqlite3")
    requests = [
        VideoRequest(model="kling-2.5-turbo", prompt=f"shot {n} of a fox in snow", duration=5)
        for n in range(BATCH)
    ]
    out = tmp_path / "out"
    outcomes: list[Any] = []
    async with AsyncClient(
        kie_emulator.api_key,
        base_url=kie_emulator.base_url,
        upload_base_url=kie_emulator.base_url,
        registry=make_registry(),
        journal=journal,
        rate_limiter=RateLimiter(),
        poll=PollSchedule.fast(deadline=30.0),
        retry=RetryPolicy(base_delay=0.02, max_delay=0.1),
        timeout=2.0,
    ) as client:
        results = await client.generate_many(requests, concurrency=4)
        for result in results:
            if isinstance(result, KieError):
                outcomes.append(result)
                continue
            try:
                outcomes.append(await result.adownload(out))
            except KieError as exc:  # a download may fail for good; it must be typed
                outcomes.append(exc)

    # The fault really happened.
    fired = sum(a.fired for a in kie_emulator.emulator.fault_engine.rules)
    assert fired >= 1, f"{kind} never fired"

    # Every request ends in a file or a typed error.
    assert len(outcomes) == BATCH
    files = [o for o in outcomes if isinstance(o, Path)]
    for path in files:
        assert path.read_bytes()[4:8] == b"ftyp"
    for error in (o for o in outcomes if not isinstance(o, Path)):
        assert isinstance(error, KieError)

    # Nothing created or charged twice, whatever the fault.
    counts = kie_emulator.emulator.create_counts
    assert all(n == 1 for n in counts.values()), counts
    charges = Counter(e.task_id for e in kie_emulator.ledger if e.kind == "charge")
    assert all(n == 1 for n in charges.values()), charges
    refunds = {e.task_id for e in kie_emulator.ledger if e.kind == "refund"}

    # The journal agrees with the emulator and with the files on disk.
    entries = journal.entries(limit=100)
    assert len(entries) == BATCH
    known = set(kie_emulator.tasks)
    for entry in entries:
        if entry.task_id is not None:
            assert entry.task_id in known
        if entry.state is JournalState.DOWNLOADED:
            assert entry.output_path is not None
            data = Path(entry.output_path).read_bytes()
            assert hashlib.sha256(data).hexdigest() == entry.sha256
            assert len(data) == entry.size
        if entry.state is JournalState.FAILED and entry.task_id in known:
            assert entry.task_id in refunds or kind != "task-fail"
        if entry.state is JournalState.AMBIGUOUS:
            assert entry.task_id is None
    downloaded = [e for e in entries if e.state is JournalState.DOWNLOADED]
    assert len(downloaded) == len(files)
    ambiguous = sum(isinstance(o, AmbiguousCreateError) for o in outcomes)
    assert ambiguous == sum(e.state is JournalState.AMBIGUOUS for e in entries)
    if kind == "task-fail":
        assert any(isinstance(o, TaskFailedError) for o in outcomes)
    journal.close()
