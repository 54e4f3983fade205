"""The normalized task status, the task handle, and the callback event every family produces."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class TaskState(StrEnum):
    """Where a task is, whatever its family calls it."""

    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def terminal(self) -> bool:
        """Whether the task will not change state any more."""
        return self in (TaskState.SUCCEEDED, TaskState.FAILED)


class TaskStatus(BaseModel):
    """One reading of a task's status, normalized from any KIE family's record or callback.

    ``raw_state`` keeps what KIE said (``generating``, ``successFlag=3``...); ``raw`` keeps the
    record itself for callers who need a field kie does not normalize.
    """

    model_config = ConfigDict(frozen=True)

    task_id: str
    state: TaskState
    raw_state: str = ""
    result_urls: tuple[str, ...] = ()
    origin_urls: tuple[str, ...] = ()
    thumbnail_urls: tuple[str, ...] = ()
    fail_code: str | None = None
    fail_message: str | None = None
    progress: int | None = None
    credits: float | None = None
    created_at: datetime | None = None
    completed_at: datetime | None = None
    expired: bool = False
    raw: dict[str, Any] = Field(default_factory=dict, repr=False)

    @property
    def done(self) -> bool:
        """Whether the task reached a terminal state."""
        return self.state.terminal

    @property
    def succeeded(self) -> bool:
        """Whether the task finished with a result."""
        return self.state is TaskState.SUCCEEDED

    @property
    def failed(self) -> bool:
        """Whether the task finished without a result."""
        return self.state is TaskState.FAILED


class TaskHandle(BaseModel):
    """Everything needed to follow a created task, in this process or another.

    It round-trips through JSON, so a wait can resume after a restart or from a callback.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    task_id: str
    model: str
    provider: str
    family: str
    kie_model: str | None = None
    variant: str | None = None
    estimated_credits: float | None = None
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


class CallbackEvent(BaseModel):
    """A callback body read by its family: whose task it is and what it claims."""

    model_config = ConfigDict(frozen=True)

    task_id: str
    family: str
    status: TaskStatus
    code: int | None = None
    message: str | None = None


def from_epoch_ms(value: Any) -> datetime | None:
    """Read a KIE timestamp: epoch milliseconds, epoch seconds, or a date-time string."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            seconds = value / 1000 if value > 10_000_000_000 else value
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        text = value.strip()
        if text.isdecimal():
            return from_epoch_ms(int(text)) if len(text) <= 20 else None
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None
