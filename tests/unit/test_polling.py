"""The poll schedule and the sans-IO wait tracker, with a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kie_core.errors import (
    ApiValidationError,
    AuthenticationError,
    NotFoundError,
    ServerError,
    TaskFailedError,
    TaskTimeoutError,
)
from kie_core.polling import PollPhase, PollSchedule, WaitTracker, failure_error
from kie_core.status import TaskState, TaskStatus


class FakeClock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


def status(state: TaskState, **fields: object) -> TaskStatus:
    return TaskStatus(task_id="t1", state=state, raw_state=state.value, **fields)


@given(elapsed=st.floats(0, 10_000), rand=st.floats(0, 1, exclude_max=True))
def test_documented_schedule_intervals(elapsed: float, rand: float) -> None:
    interval = PollSchedule(rand=lambda: rand).interval(elapsed)
    if elapsed < 30:
        assert 2.0 <= interval <= 3.0
    elif elapsed < 120:
        assert 5.0 <= interval <= 10.0
    else:
        assert 15.0 <= interval <= 30.0


def test_schedule_is_jittered() -> None:
    schedule = PollSchedule()
    assert len({round(schedule.interval(1.0), 6) for _ in range(20)}) > 1


def test_fast_schedule_is_quick_and_default_deadline_is_fifteen_minutes() -> None:
    fast = PollSchedule.fast()
    assert all(0.05 <= fast.interval(t) <= 0.5 for t in (0.0, 2.0, 100.0))
    assert PollSchedule().deadline == 900.0


def test_schedule_validation() -> None:
    with pytest.raises(ValueError, match="low <= high"):
        PollPhase(10, 3, 2)
    with pytest.raises(ValueError, match="phase"):
        PollSchedule(phases=())
    with pytest.raises(ValueError, match="deadline"):
        PollSchedule(deadline=0)


def test_tracker_stops_at_success() -> None:
    tracker = WaitTracker(PollSchedule(), "t1", clock=FakeClock())
    assert tracker.observe(status(TaskState.SUCCEEDED, result_urls=("https://r",))) is None
    assert tracker.last is not None and tracker.last.succeeded
    assert tracker.polls == 1


def test_tracker_raises_kies_failure_reason() -> None:
    tracker = WaitTracker(PollSchedule(), "t1", clock=FakeClock())
    failed = status(TaskState.FAILED, fail_code="422", fail_message="prohibited content")
    with pytest.raises(TaskFailedError) as caught:
        tracker.observe(failed)
    error = caught.value
    assert error.fail_code == "422"
    assert error.code == 422
    assert error.status is failed
    assert error.task_id == "t1"
    assert "prohibited content" in str(error)


def test_failure_error_without_a_message_names_the_state() -> None:
    error = failure_error(status(TaskState.FAILED))
    assert "state failed" in str(error)
    assert error.fail_code is None


def test_tracker_sleeps_by_the_schedule_then_times_out_with_the_last_status() -> None:
    clock = FakeClock()
    tracker = WaitTracker(PollSchedule(rand=lambda: 0.0), "t1", clock=clock, timeout=10.0)
    running = status(TaskState.RUNNING)
    delays = []
    with pytest.raises(TaskTimeoutError) as caught:
        while True:
            delay = tracker.observe(running)
            assert delay is not None
            delays.append(delay)
            clock.now += delay
    assert delays == [2.0, 2.0, 2.0, 2.0, 2.0]
    assert caught.value.status is running
    assert caught.value.task_id == "t1"
    assert "within 10 s" in str(caught.value)


def test_the_last_sleep_is_cut_to_the_deadline() -> None:
    clock = FakeClock()
    tracker = WaitTracker(PollSchedule(rand=lambda: 0.0), "t1", clock=clock, timeout=3.0)
    assert tracker.observe(status(TaskState.PENDING)) == 2.0
    clock.now += 2.0
    assert tracker.observe(status(TaskState.PENDING)) == 1.0


def test_transient_errors_keep_the_wait_going_until_the_deadline() -> None:
    clock = FakeClock()
    tracker = WaitTracker(PollSchedule(rand=lambda: 0.0), "t1", clock=clock, timeout=5.0)
    flaky = ServerError("boom", code=500)
    assert tracker.observe_error(flaky) == 2.0
    clock.now += 5.0
    with pytest.raises(TaskTimeoutError) as caught:
        tracker.observe_error(flaky)
    assert caught.value.__cause__ is flaky
    assert caught.value.status is None
    assert "no status yet" in str(caught.value)


def test_final_errors_are_raised_at_once() -> None:
    tracker = WaitTracker(PollSchedule(), "t1", clock=FakeClock())
    refused = AuthenticationError("bad key", code=401)
    with pytest.raises(AuthenticationError):
        tracker.observe_error(refused)


def test_not_found_right_after_creation_means_not_visible_yet() -> None:
    clock = FakeClock()
    wall = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    tracker = WaitTracker(
        PollSchedule(rand=lambda: 0.0, grace=30.0),
        "t1",
        clock=clock,
        created_at=wall - timedelta(seconds=5),
        now=lambda: wall,
    )
    assert tracker.observe_error(NotFoundError("Task not found", code=404)) == 2.0
    assert tracker.observe_error(ApiValidationError("recordInfo is null", code=422)) == 2.0
    clock.now += 25.0
    with pytest.raises(NotFoundError):
        tracker.observe_error(NotFoundError("Task not found", code=404))


def test_not_found_for_an_old_or_unknown_task_is_an_error() -> None:
    wall = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    old = WaitTracker(
        PollSchedule(),
        "t1",
        clock=FakeClock(),
        created_at=wall - timedelta(hours=1),
        now=lambda: wall,
    )
    with pytest.raises(NotFoundError):
        old.observe_error(NotFoundError("Task not found", code=404))
    unknown = WaitTracker(PollSchedule(), "t1", clock=FakeClock())
    with pytest.raises(NotFoundError):
        unknown.observe_error(NotFoundError("Task not found", code=404))


def test_timeout_must_be_positive() -> None:
    with pytest.raises(ValueError, match="timeout"):
        WaitTracker(PollSchedule(), "t1", clock=FakeClock(), timeout=0)
