"""How often to poll a task, when to stop, and what a finished poll means.

The default :class:`PollSchedule` follows KIE.ai's published advice: every 2-3 s for the first
30 s, every 5-10 s until 2 minutes, then every 15-30 s, with jitter, and an overall deadline of
15 minutes. :meth:`PollSchedule.fast` is for tests and the emulator.

:class:`WaitTracker` is the sans-IO state of one wait, shared by the sync and async clients: it
reads each status (stopping at the first terminal state, raising
:class:`~kie_core.errors.TaskFailedError` with KIE's reason for a failed task) and returns how
long to sleep before the next poll, or raises :class:`~kie_core.errors.TaskTimeoutError` with the
last status once the deadline has passed.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from kie_core.errors import (
    ApiValidationError,
    KieError,
    NotFoundError,
    TaskFailedError,
    TaskTimeoutError,
)
from kie_core.status import TaskStatus

#: The default overall deadline of a wait, in seconds.
DEFAULT_DEADLINE = 15 * 60.0


@dataclass(frozen=True)
class PollPhase:
    """Poll every ``low``-``high`` seconds (uniformly jittered) until ``until`` seconds in."""

    until: float
    low: float
    high: float

    def __post_init__(self) -> None:
        if not 0 < self.low <= self.high:
            raise ValueError(f"poll interval needs 0 < low <= high, got {self.low}, {self.high}")


#: KIE's published polling advice (Get Task Details page).
DOCUMENTED_PHASES: tuple[PollPhase, ...] = (
    PollPhase(30.0, 2.0, 3.0),
    PollPhase(120.0, 5.0, 10.0),
    PollPhase(math.inf, 15.0, 30.0),
)

#: Quick polling for tests and the emulator.
FAST_PHASES: tuple[PollPhase, ...] = (
    PollPhase(1.0, 0.05, 0.1),
    PollPhase(5.0, 0.1, 0.25),
    PollPhase(math.inf, 0.25, 0.5),
)


@dataclass(frozen=True)
class PollSchedule:
    """When to poll a task and when to give up.

    Attributes:
        phases: the intervals by time since the wait started; the last phase never ends.
        deadline: seconds after which a wait raises :class:`TaskTimeoutError`.
        grace: seconds after a task's creation during which "not found" (404) or "record is
            null" (422) answers mean the record is not visible yet rather than an error.
        rand: a function returning a float in ``[0, 1)`` for the jitter.
    """

    phases: tuple[PollPhase, ...] = DOCUMENTED_PHASES
    deadline: float = DEFAULT_DEADLINE
    grace: float = 30.0
    rand: Callable[[], float] = field(default=random.random, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.phases:
            raise ValueError("a poll schedule needs at least one phase")
        if self.deadline <= 0:
            raise ValueError(f"deadline must be positive, got {self.deadline}")

    @classmethod
    def fast(cls, deadline: float = 120.0) -> PollSchedule:
        """Return a schedule polling every 0.05-0.5 s (tests and the emulator)."""
        return cls(phases=FAST_PHASES, deadline=deadline, grace=5.0)

    def interval(self, elapsed: float) -> float:
        """Return the jittered seconds to wait before the next poll, ``elapsed`` seconds in."""
        phase = next((p for p in self.phases if elapsed < p.until), self.phases[-1])
        return phase.low + (phase.high - phase.low) * self.rand()


def failure_error(
    status: TaskStatus, redact: Callable[[str], str] = lambda text: text
) -> TaskFailedError:
    """Return the :class:`TaskFailedError` carrying KIE's failure code and message.

    Args:
        status: the failed status.
        redact: applied to the message, which quotes the server.
    """
    reason = status.fail_message or f"state {status.raw_state or status.state.value}"
    code = f" (failCode {status.fail_code})" if status.fail_code else ""
    return TaskFailedError(
        redact(f"task failed: {reason}{code}"),
        task_id=status.task_id,
        fail_code=status.fail_code,
        status=status,
    )


class WaitTracker:
    """The state of one wait: elapsed time, the last status, and the stop rules.

    Args:
        schedule: the poll schedule.
        task_id: the task being waited for.
        clock: a monotonic clock in seconds.
        timeout: overrides ``schedule.deadline`` when given.
        created_at: when the task was created, for the not-visible-yet grace.
        now: the wall clock, compared with ``created_at``.
        redact: applied to error messages that quote the server.
    """

    def __init__(
        self,
        schedule: PollSchedule,
        task_id: str,
        *,
        clock: Callable[[], float],
        timeout: float | None = None,
        created_at: datetime | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        redact: Callable[[str], str] = lambda text: text,
    ) -> None:
        if timeout is not None and timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout}")
        self.schedule = schedule
        self.task_id = task_id
        self.timeout = schedule.deadline if timeout is None else timeout
        self.last: TaskStatus | None = None
        self.polls = 0
        self._clock = clock
        self._redact = redact
        self._start = clock()
        self._age_at_start = (
            (now() - created_at).total_seconds() if created_at is not None else math.inf
        )

    @property
    def elapsed(self) -> float:
        """Seconds since the wait started."""
        return self._clock() - self._start

    def observe(self, status: TaskStatus) -> float | None:
        """Read one status: None when it succeeded, else the seconds to sleep before the next poll.

        Raises:
            TaskFailedError: the task failed (KIE's failCode and failMsg included).
            TaskTimeoutError: the deadline has passed; carries this last status.
        """
        self.polls += 1
        self.last = status
        if status.succeeded:
            return None
        if status.failed:
            raise failure_error(status, self._redact)
        return self._next_delay(None)

    def observe_error(self, error: KieError) -> float:
        """Read a status query that failed: the seconds to sleep, or raise.

        Transient errors (``retryable``) and, within the grace period after creation, "not
        found yet" answers keep the wait going until the deadline; anything else is raised.

        Raises:
            KieError: ``error`` itself when it is final.
            TaskTimeoutError: the deadline has passed (chained to ``error``).
        """
        self.polls += 1
        young = self._age_at_start + self.elapsed < self.schedule.grace
        not_visible_yet = young and isinstance(error, NotFoundError | ApiValidationError)
        if not (error.retryable or not_visible_yet):
            raise error
        return self._next_delay(error)

    def _next_delay(self, error: KieError | None) -> float:
        elapsed = self.elapsed
        remaining = self.timeout - elapsed
        if remaining <= 0:
            last = self.last
            state = f"last state {last.raw_state or last.state.value}" if last else "no status yet"
            raise TaskTimeoutError(
                self._redact(f"task did not finish within {self.timeout:g} s ({state})"),
                task_id=self.task_id,
                status=last,
            ) from error
        return min(self.schedule.interval(elapsed), remaining)
