"""Emulated tasks and how their state follows from elapsed time."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

WAITING_END = 0.15
"""Fraction of a task's duration spent waiting."""

QUEUING_END = 0.35
"""Fraction of a task's duration after which the task is generating."""


class Phase(enum.Enum):
    """Where a task is in its life; every family maps these onto its own status shape."""

    WAITING = "waiting"
    QUEUING = "queuing"
    GENERATING = "generating"
    SUCCESS = "success"
    FAIL = "fail"

    @property
    def terminal(self) -> bool:
        """Whether the phase is final."""
        return self in (Phase.SUCCESS, Phase.FAIL)


@dataclass(frozen=True)
class Failure:
    """How a task fails when the ``task-fail`` fault hit it."""

    code: int
    message: str


@dataclass
class CallbackRecord:
    """One attempt to deliver a callback."""

    attempt: int
    time_ms: int
    status: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        """Whether the receiver accepted the callback."""
        return self.status is not None and 200 <= self.status < 300

    def to_dict(self) -> dict[str, Any]:
        """Return the attempt as a JSON-ready mapping."""
        return {
            "attempt": self.attempt,
            "time": self.time_ms,
            "status": self.status,
            "error": self.error,
            "ok": self.ok,
        }


@dataclass
class Task:
    """One emulated task of any family.

    Attributes:
        task_id: the 32-hex id handed to the client.
        family: ``market``, ``veo``, ``runway``, ``aleph`` or ``luma``.
        kind: ``generate``, ``extend``, ``1080p`` or ``4k``.
        model: the model id (Market) or product label used in the ledger.
        body: the request body exactly as received.
        params: the normalized parameters echoed in ``param``/``paramJson``.
        created_at: emulated Unix time of creation, in seconds.
        duration: seconds from creation to the terminal state.
        price: credits charged at creation.
        api_key: the key that created the task.
        base_url: base of the links issued for this task.
        callback_url: where the completion callback goes, if anywhere.
        parent_id: the task this one extends or upgrades.
        index: the video index of an upgrade.
        failure: set when the task is doomed to fail.
        links_expired: set when the ``expired-link`` fault hit the task.
        finished: whether the terminal state has been processed (refund, links, callback).
        refunded: whether the charge was given back.
        files: link tokens by role (``video``, ``origin``, ``full``, ``image``, ``watermark``).
        seed: the seed reported for Veo results.
        callbacks: every callback delivery attempt.
        callback_failed: whether every attempt failed (Luma reports it as ``successFlag`` 4).
        upgrades: ids of the 1080p/4K upgrade tasks of a Veo video, by ``"<kind>:<index>"``.
        create_key: the (model, payload) key counted in the emulator's create counts.
        meta: family-specific facts that are not echoed (aspect ratio, quality, video id...).
    """

    task_id: str
    family: str
    kind: str
    model: str
    body: dict[str, Any]
    params: dict[str, Any]
    created_at: float
    duration: float
    price: float
    api_key: str
    base_url: str
    callback_url: str | None = None
    parent_id: str | None = None
    index: int = 0
    failure: Failure | None = None
    links_expired: bool = False
    finished: bool = False
    refunded: bool = False
    files: dict[str, str] = field(default_factory=dict)
    seed: int | None = None
    callbacks: list[CallbackRecord] = field(default_factory=list)
    callback_failed: bool = False
    upgrades: dict[str, str] = field(default_factory=dict)
    create_key: tuple[str, str] = ("", "")
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def due_at(self) -> float:
        """Emulated Unix time at which the task reaches its terminal state."""
        return self.created_at + self.duration

    def phase(self, now: float) -> Phase:
        """Return the task's phase at emulated time ``now``."""
        if now >= self.due_at:
            return Phase.FAIL if self.failure is not None else Phase.SUCCESS
        fraction = (now - self.created_at) / self.duration if self.duration > 0 else 1.0
        if fraction < WAITING_END:
            return Phase.WAITING
        if fraction < QUEUING_END:
            return Phase.QUEUING
        return Phase.GENERATING

    def progress(self, now: float) -> int:
        """Return a 0-100 progress figure (Sora reports it)."""
        phase = self.phase(now)
        if phase is Phase.SUCCESS:
            return 100
        if phase is Phase.FAIL or self.duration <= 0:
            return 0
        fraction = (now - self.created_at) / self.duration
        if fraction < QUEUING_END:
            return 0
        return min(99, int((fraction - QUEUING_END) / (1 - QUEUING_END) * 100))

    def phase_started_at(self, now: float) -> float:
        """Return when the current phase began (drives ``updateTime``)."""
        phase = self.phase(now)
        if phase.terminal:
            return self.due_at
        if phase is Phase.GENERATING:
            return self.created_at + self.duration * QUEUING_END
        if phase is Phase.QUEUING:
            return self.created_at + self.duration * WAITING_END
        return self.created_at

    def summary(self, now: float) -> dict[str, Any]:
        """Return a JSON-ready overview for the control API."""
        return {
            "taskId": self.task_id,
            "family": self.family,
            "kind": self.kind,
            "model": self.model,
            "phase": self.phase(now).value,
            "createdAt": int(self.created_at * 1000),
            "dueAt": int(self.due_at * 1000),
            "price": self.price,
            "refunded": self.refunded,
            "failure": None
            if self.failure is None
            else {"code": self.failure.code, "message": self.failure.message},
            "linksExpired": self.links_expired,
            "parentId": self.parent_id,
            "callbackUrl": self.callback_url,
            "callbacks": [c.to_dict() for c in self.callbacks],
            "callbackFailed": self.callback_failed,
            "upgrades": dict(self.upgrades),
            "body": self.body,
        }
