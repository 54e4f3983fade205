"""The emulator's state: account, tasks, links, faults, limits; and its Python API."""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from collections.abc import Iterable
from typing import Any

from kie_emulator.clock import Clock
from kie_emulator.config import RUNTIME_FIELDS, TASK_FAULT_KINDS, EmulatorConfig, FaultRule
from kie_emulator.faults import FaultEngine
from kie_emulator.files import DOWNLOAD_URL_TTL, UPLOAD_TTL, FileEntry, FileStore
from kie_emulator.ledger import Ledger, LedgerEntry
from kie_emulator.media import Content, result_video, thumbnail_jpg, thumbnail_png
from kie_emulator.ratelimit import SlidingWindowLimiter
from kie_emulator.tasks import CallbackRecord, Failure, Phase, Task


def canonical_json(payload: Any) -> str:
    """Return a stable JSON text for ``payload`` (sorted keys, compact)."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _result_roles(task: Task) -> list[str]:
    """Return the kinds of link a successful task publishes."""
    if task.family == "market":
        return ["video", "watermark"] if task.model.startswith("sora-") else ["video"]
    if task.family == "veo":
        if task.kind == "4k":
            return ["video", "image"]
        if task.kind == "1080p":
            return ["video"]
        roles = ["video"]
        if task.meta.get("aspectRatio", "16:9") != "16:9":
            roles.append("origin")
        if task.kind == "extend":
            roles.append("full")
        return roles
    if task.family in {"runway", "aleph"}:
        return ["video", "image"]
    return ["video"]


_ROLE_SUFFIX = {
    "video": "",
    "watermark": "_watermarked",
    "origin": "_origin",
    "full": "_full",
}


class Emulator:
    """Everything one emulated KIE account holds, shared by the app and the Python API.

    All methods are thread-safe: the server runs in its own thread while tests call the
    Python API from theirs.
    """

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self._config = config if config is not None else EmulatorConfig()
        self._check_result_bytes(self._config)
        self.lock = threading.RLock()
        self.clock = Clock()
        self.files = FileStore()
        self.create_limiter = SlidingWindowLimiter()
        self.query_limiter = SlidingWindowLimiter()
        self.fault_engine = FaultEngine(self._config.faults, self._config.seed)
        self._ledger = Ledger(self._config.credits)
        self._tasks: dict[str, Task] = {}
        self._unfinished: dict[str, Task] = {}
        self._create_counts: Counter[tuple[str, str]] = Counter()
        self._outbox: list[Task] = []
        self._rng = random.Random(self._id_seed(self._config.seed))

    @staticmethod
    def _id_seed(seed: int | None) -> int | None:
        return None if seed is None else seed * 7919 + 17

    @staticmethod
    def _check_result_bytes(config: EmulatorConfig) -> None:
        result_video(config.result_bytes)

    # --- configuration -------------------------------------------------------------------

    @property
    def config(self) -> EmulatorConfig:
        """The configuration in force."""
        return self._config

    def configure(self, **changes: Any) -> EmulatorConfig:
        """Change configuration fields while running.

        ``faults`` replaces the active rules; ``credits`` also sets the balance.

        Raises:
            ValueError: an unknown or read-only field, or an invalid value.
        """
        unknown = set(changes) - RUNTIME_FIELDS
        if unknown:
            raise ValueError(f"cannot change {', '.join(sorted(unknown))} at run time")
        new = self._config.replace(**changes)
        self._check_result_bytes(new)
        with self.lock:
            self._config = new
            if "faults" in changes:
                self.fault_engine.replace(new.faults)
            if "credits" in changes:
                self._ledger.set_balance(new.credits, self.clock.now_ms(), "configure")
        return new

    def reset(self, config: EmulatorConfig | None = None) -> None:
        """Forget every task, link, charge and counter; restore credits, faults and clock.

        Args:
            config: a new configuration to adopt; by default the current one is kept.
        """
        if config is not None:
            self._check_result_bytes(config)
        with self.lock:
            if config is not None:
                self._config = config
            cfg = self._config
            self.clock.reset()
            self.files.clear()
            self.create_limiter.reset()
            self.query_limiter.reset()
            self.fault_engine.reset(cfg.faults, cfg.seed)
            self._ledger.reset(cfg.credits)
            self._tasks.clear()
            self._unfinished.clear()
            self._create_counts.clear()
            self._outbox.clear()
            self._rng = random.Random(self._id_seed(cfg.seed))

    def advance(self, seconds: float) -> None:
        """Move the emulated clock forward (tasks progress, links and windows expire)."""
        self.clock.advance(seconds)

    # --- account -------------------------------------------------------------------------

    @property
    def credits(self) -> float:
        """The current balance."""
        with self.lock:
            return self._ledger.balance

    @credits.setter
    def credits(self, value: float) -> None:
        self.set_credits(value)

    def set_credits(self, value: float) -> LedgerEntry:
        """Set the balance, recording a ``set`` entry in the ledger."""
        if value < 0:
            raise ValueError("credits cannot be negative")
        with self.lock:
            return self._ledger.set_balance(value, self.clock.now_ms(), "set through the API")

    @property
    def ledger(self) -> list[LedgerEntry]:
        """Every charge, refund and balance change, oldest first."""
        with self.lock:
            return self._ledger.entries

    def authorize(self, token: str | None) -> bool:
        """Tell whether a Bearer token is accepted."""
        if not token:
            return False
        expected = self._config.api_key
        return expected is None or token == expected

    # --- faults --------------------------------------------------------------------------

    @property
    def faults(self) -> list[FaultRule]:
        """The active fault rules."""
        return [a.rule for a in self.fault_engine.rules]

    def set_fault(
        self,
        kind: str,
        probability: float = 1.0,
        times: int | None = None,
        paths: Iterable[str] | None = None,
    ) -> FaultRule:
        """Add a fault rule and return it."""
        rule = FaultRule(
            kind=kind,  # type: ignore[arg-type]
            probability=probability,
            times=times,
            paths=tuple(paths) if paths is not None else None,
        )
        self.fault_engine.add(rule)
        return rule

    def add_faults(self, rules: Iterable[FaultRule], replace: bool = False) -> None:
        """Add rules, or replace every rule when ``replace`` is true."""
        if replace:
            self.fault_engine.replace(rules)
        else:
            for rule in rules:
                self.fault_engine.add(rule)

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        self.fault_engine.clear()

    # --- tasks ---------------------------------------------------------------------------

    @property
    def tasks(self) -> dict[str, Task]:
        """Every task by id (a copy of the mapping; the tasks themselves are live)."""
        with self.lock:
            return dict(self._tasks)

    def get_task(self, task_id: str, family: str | None = None) -> Task | None:
        """Return a task, optionally only if it belongs to ``family``; progress is refreshed."""
        with self.lock:
            task = self._tasks.get(task_id)
            if task is None or (family is not None and task.family != family):
                return None
            self.refresh(task)
            return task

    @property
    def create_counts(self) -> dict[tuple[str, str], int]:
        """How many tasks were created per (model, canonical JSON of the request body)."""
        with self.lock:
            return dict(self._create_counts)

    def create_count(self, model: str, payload: Any = None) -> int:
        """Return how many tasks were created for ``model`` (and exactly ``payload``, if given)."""
        with self.lock:
            if payload is None:
                return sum(n for (m, _), n in self._create_counts.items() if m == model)
            return self._create_counts[(model, canonical_json(payload))]

    def new_id(self) -> str:
        """Return a fresh 32-character lowercase hex id."""
        with self.lock:
            return f"{self._rng.getrandbits(128):032x}"

    def random_int(self, low: int, high: int) -> int:
        """Return a random integer between ``low`` and ``high`` inclusive."""
        with self.lock:
            return self._rng.randint(low, high)

    def create_task(
        self,
        *,
        family: str,
        kind: str,
        model: str,
        body: dict[str, Any],
        params: dict[str, Any],
        price: float,
        api_key: str,
        base_url: str,
        path: str,
        failure: Failure,
        callback_url: str | None = None,
        parent_id: str | None = None,
        index: int = 0,
        seed: int | None = None,
        meta: dict[str, Any] | None = None,
    ) -> Task:
        """Charge ``price`` and register a new task.

        Task faults (``task-fail``, ``expired-link``) are drawn here against ``path``.

        Raises:
            InsufficientCredits: the balance does not cover ``price``; nothing was created.
        """
        with self.lock:
            now = self.clock.now()
            task_id = self.new_id()
            self._ledger.charge(price, int(now * 1000), task_id, model, f"{family} {kind}")
            fired = self.fault_engine.draw_all(TASK_FAULT_KINDS, path)
            key = (model, canonical_json(body))
            task = Task(
                task_id=task_id,
                family=family,
                kind=kind,
                model=model,
                body=body,
                params=params,
                created_at=now,
                duration=self._config.task_seconds,
                price=price,
                api_key=api_key,
                base_url=base_url,
                callback_url=callback_url or None,
                parent_id=parent_id,
                index=index,
                failure=failure if "task-fail" in fired else None,
                links_expired="expired-link" in fired,
                seed=seed,
                create_key=key,
                meta=dict(meta or {}),
            )
            self._tasks[task_id] = task
            self._unfinished[task_id] = task
            self._create_counts[key] += 1
            self.refresh(task)
            return task

    def refresh(self, task: Task) -> Phase:
        """Bring a task up to date: once due, refund or publish links and queue its callback."""
        with self.lock:
            phase = task.phase(self.clock.now())
            if phase.terminal and not task.finished:
                self._finish(task, phase)
            return phase

    def _finish(self, task: Task, phase: Phase) -> None:
        task.finished = True
        self._unfinished.pop(task.task_id, None)
        if phase is Phase.FAIL:
            if task.price and not task.refunded:
                self._ledger.refund(
                    task.price, int(task.due_at * 1000), task.task_id, task.model, "task failed"
                )
                task.refunded = True
        else:
            self._publish(task)
        if task.callback_url:
            self._outbox.append(task)

    def _publish(self, task: Task) -> None:
        expires_at = task.due_at + self._config.link_ttl
        if task.links_expired:
            expires_at = min(expires_at, self.clock.now() - 1.0)
        for role in _result_roles(task):
            content: Content
            if role == "image":
                content = thumbnail_jpg() if task.kind == "4k" else thumbnail_png()
                name = f"{task.task_id}.{'jpg' if task.kind == '4k' else 'png'}"
            else:
                content = result_video(self._config.result_bytes)
                name = f"{task.task_id}{_ROLE_SUFFIX[role]}.mp4"
            entry = self._new_entry(name, content, expires_at, task.task_id, "result")
            task.files[role] = entry.token

    def _new_entry(
        self, name: str, content: Content, expires_at: float, task_id: str | None, origin: str
    ) -> FileEntry:
        return self.files.add(FileEntry(self.new_id(), name, content, expires_at, task_id, origin))

    def link(self, task: Task, role: str) -> str | None:
        """Return the URL of one of a finished task's files, or ``None`` if it has none."""
        token = task.files.get(role)
        if token is None:
            return None
        entry = self.files.get(token)
        return None if entry is None else entry.url(task.base_url)

    def tick(self) -> list[Task]:
        """Finish every due task and return the tasks whose callback should now be sent."""
        with self.lock:
            for task in list(self._unfinished.values()):
                self.refresh(task)
            outbox, self._outbox = self._outbox, []
            return outbox

    def owns(self, task: Task) -> bool:
        """Tell whether ``task`` is still one of this emulator's tasks (not dropped by a reset)."""
        with self.lock:
            return self._tasks.get(task.task_id) is task

    def record_callback(self, task: Task, record: CallbackRecord, final: bool) -> None:
        """Note a callback attempt; ``final`` marks the last attempt of a failed delivery."""
        with self.lock:
            task.callbacks.append(record)
            if final and not record.ok:
                task.callback_failed = True

    # --- links ---------------------------------------------------------------------------

    def issue_download_link(self, entry: FileEntry, base_url: str, path: str) -> FileEntry:
        """Issue a fresh 20-minute link to the file behind ``entry``."""
        with self.lock:
            now = self.clock.now()
            expires_at = now + DOWNLOAD_URL_TTL
            if self.fault_engine.draw(("expired-link",), path) is not None:
                expires_at = now - 1.0
            return self._new_entry(
                entry.name, entry.content, expires_at, entry.task_id, "download-url"
            )

    def add_upload(self, name: str, content: Content) -> FileEntry:
        """Store an uploaded file for three days and return its link entry."""
        with self.lock:
            return self._new_entry(name, content, self.clock.now() + UPLOAD_TTL, None, "upload")

    # --- inspection ----------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Return a JSON-ready view of the whole state (served by ``GET /_emulator/state``)."""
        with self.lock:
            now = self.clock.now()
            for task in list(self._unfinished.values()):
                self.refresh(task)
            moves: Counter[tuple[str | None, str]] = Counter(
                (e.task_id, e.kind) for e in self._ledger.entries
            )
            tasks = []
            for task in self._tasks.values():
                summary = task.summary(now)
                summary["creates"] = self._create_counts[task.create_key]
                summary["charges"] = moves[(task.task_id, "charge")]
                summary["refunds"] = moves[(task.task_id, "refund")]
                tasks.append(summary)
            return {
                "credits": self._ledger.balance,
                "ledger": [e.to_dict() for e in self._ledger.entries],
                "tasks": tasks,
                "createCounts": [
                    {"model": m, "payload": json.loads(p), "count": n}
                    for (m, p), n in self._create_counts.items()
                ],
                "faults": [a.to_dict() for a in self.fault_engine.rules],
                "clockOffset": self.clock.offset,
                "now": int(now * 1000),
                "config": self._config.to_dict(),
            }
