"""The webhook receiver: check a KIE callback, answer at once, confirm it, then record it.

KIE POSTs a task's final record to its ``callBackUrl``. A callback may repeat, must be answered
within 15 seconds, and, when the account has a ``webhookHmacKey``, is signed::

    X-Webhook-Timestamp: <unix seconds>
    X-Webhook-Signature: base64(HMAC-SHA256(key, taskId + "." + timestamp))

The signature covers only the task id, not the body, so a callback is never taken at its word:
its claim (succeeded, failed) is confirmed through the family's status endpoint before the
journal is updated, and the status endpoint's reading is what gets recorded.

The work is split so the answer never waits on the network:

1. :meth:`CallbackProcessor.accept` (fast, local): size limit, JSON, task id, signature and
   timestamp window, parsing with the task's family, and de-duplication by (task id, state).
2. The ASGI app (:mod:`kie_core.callbacks_app`, with the ``kie-core[server]`` extra) answers
   200 right after ``accept`` and runs :meth:`CallbackProcessor.confirm` in a background
   task: the status call, then
   :meth:`Journal.record_status <kie_core.journal.Journal.record_status>`.

This module is the pure part (no web framework): verification, parsing, de-duplication and
confirmation. ``create_callback_app`` and ``serve_callbacks`` are importable from here too.

The HMAC key and the API key never appear in a log line, an error or a repr.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import inspect
import json
import logging
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from kie_core.errors import (
    ApiValidationError,
    CallbackError,
    KieError,
    MalformedResponseError,
    NotFoundError,
)
from kie_core.families.base import TaskFamily
from kie_core.retry import RetryPolicy
from kie_core.status import CallbackEvent, TaskState, TaskStatus

if TYPE_CHECKING:
    from kie_core.registry import Registry
    from kie_core.stores import JournalStore

logger = logging.getLogger(__name__)

#: Header carrying the base64 HMAC-SHA256 signature.
SIGNATURE_HEADER = "X-Webhook-Signature"

#: Header carrying the Unix time (seconds) the signature was made.
TIMESTAMP_HEADER = "X-Webhook-Timestamp"

#: Environment variable holding the ``webhookHmacKey`` from the KIE console.
HMAC_KEY_ENV = "KIE_WEBHOOK_HMAC_KEY"

#: How far (seconds) a signature timestamp may be from the receiver's clock, either way.
DEFAULT_TOLERANCE = 300.0

#: The largest callback body accepted; KIE's are a few kilobytes.
MAX_BODY_BYTES = 1 << 20

#: How many (task id, state) pairs are remembered for de-duplication.
DEFAULT_REMEMBER = 10_000

#: The backoff ceiling of a confirmation's status call, in seconds (KIE waits for no one).
CONFIRM_MAX_DELAY = 5.0

#: The longest ``Retry-After`` a confirmation waits out, in seconds.
CONFIRM_MAX_RETRY_AFTER = 30.0

_TIMESTAMP = re.compile(r"^\s*\d{1,12}\s*$")


class StatusSource(Protocol):
    """Anything that reads a task's status: :class:`kie_core.client.Client` or ``AsyncClient``.

    ``status`` may be a plain or an ``async`` method; a plain one runs in a worker thread.
    """

    def status(
        self, task: str, /, *, family: str | None = ...
    ) -> TaskStatus | Awaitable[TaskStatus]:
        """Return the task's status as the family's status endpoint reports it."""
        ...


# --- signatures -----------------------------------------------------------------------------


def _key_bytes(key: str | bytes) -> bytes:
    return key if isinstance(key, bytes) else key.encode("utf-8")


def sign_callback(key: str | bytes, task_id: str, timestamp: int | str) -> str:
    """Return the ``X-Webhook-Signature`` KIE would send: base64 HMAC-SHA256 of ``id.ts``."""
    message = f"{task_id}.{timestamp}".encode()
    return base64.b64encode(hmac.new(_key_bytes(key), message, hashlib.sha256).digest()).decode()


def verify_signature(
    key: str | bytes,
    task_id: str,
    timestamp: str | None,
    signature: str | None,
    *,
    now: float | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> int:
    """Check a callback signature and its timestamp window.

    Args:
        key: the ``webhookHmacKey``.
        task_id: the task id read from the callback body.
        timestamp: the ``X-Webhook-Timestamp`` header (Unix seconds).
        signature: the ``X-Webhook-Signature`` header.
        now: the receiver's Unix time (default: now).
        tolerance: seconds the timestamp may be off, in the past or the future.

    Returns:
        The timestamp.

    Raises:
        CallbackError: code 401 when the headers are missing, 403 when the timestamp is out of
            the window or the signature does not match.
    """
    if not timestamp or not signature:
        raise CallbackError(
            f"unsigned callback refused: {TIMESTAMP_HEADER} and {SIGNATURE_HEADER} are required",
            code=401,
            task_id=task_id,
        )
    if not _TIMESTAMP.match(timestamp):
        raise CallbackError(
            f"{TIMESTAMP_HEADER} must be Unix seconds, got {timestamp[:40]!r}",
            code=403,
            task_id=task_id,
        )
    stamp = int(timestamp)
    current = time.time() if now is None else now
    if current - stamp > tolerance:
        raise CallbackError(
            f"callback signature is too old ({int(current - stamp)} s; at most {int(tolerance)} s)",
            code=403,
            task_id=task_id,
        )
    if stamp - current > tolerance:
        raise CallbackError(
            f"callback timestamp is {int(stamp - current)} s in the future "
            f"(at most {int(tolerance)} s)",
            code=403,
            task_id=task_id,
        )
    expected = sign_callback(key, task_id, stamp).encode("ascii")
    given = signature.strip().encode("utf-8", "replace")
    if not hmac.compare_digest(expected, given):
        raise CallbackError("callback signature does not match", code=403, task_id=task_id)
    return stamp


def callback_task_id(body: Any) -> str:
    """Return the task id of a callback body, wherever its family puts it.

    Market, Veo and Luma use ``data.taskId``; Runway (and one Aleph and 4K variant)
    ``data.task_id``; Aleph's guide page puts ``taskId`` at the top level.

    Raises:
        CallbackError: code 400 when the body is not an object or carries no task id.
    """
    if not isinstance(body, Mapping):
        raise CallbackError(f"callback body is not a JSON object: {type(body).__name__}", code=400)
    data = body.get("data")
    places: list[Any] = []
    if isinstance(data, Mapping):
        places += [data.get("taskId"), data.get("task_id")]
    places += [body.get("taskId"), body.get("task_id")]
    for value in places:
        if isinstance(value, str) and value.strip() and len(value) <= 256:
            return value
    raise CallbackError(
        "callback body has no task id (looked at data.taskId, data.task_id, taskId)", code=400
    )


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    for key, found in headers.items():
        if key.lower() == lowered:
            return found
    return None


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallbackReceipt:
    """A callback that passed the local checks and is acknowledged.

    Attributes:
        task_id: the (signed, when a key is set) task id.
        event: the body as read by the first family that could read it.
        families: the families able to read it, most likely first (the journal's first).
        signed: whether the signature was checked.
        duplicate: whether the same (task id, state) was already taken; nothing more is done.
    """

    task_id: str
    event: CallbackEvent
    families: tuple[TaskFamily, ...]
    signed: bool
    duplicate: bool

    @property
    def claimed(self) -> TaskState:
        """The state the callback claims."""
        return self.event.status.state


@dataclass(frozen=True)
class CallbackOutcome:
    """What the confirmation of a callback found.

    Attributes:
        task_id: the task.
        family: the family whose status endpoint answered, or the callback's family.
        claimed: the state the callback claimed.
        status: the status endpoint's reading, or None when it could not be read.
        recorded: whether the reading went to the journal.
        error: why the status could not be read.
    """

    task_id: str
    family: str
    claimed: TaskState
    status: TaskStatus | None
    recorded: bool = False
    error: str | None = None

    @property
    def confirmed(self) -> bool:
        """Whether the status endpoint agrees with the callback's claim."""
        return self.status is not None and self.status.state is self.claimed


OutcomeHook = Callable[[CallbackOutcome], Awaitable[None] | None]


@dataclass
class _Seen:
    """(task id, state) pairs taken, oldest first, bounded."""

    limit: int
    items: OrderedDict[tuple[str, str], None] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, key: tuple[str, str]) -> bool:
        """Remember ``key``; return False when it was already there."""
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return False
            self.items[key] = None
            while len(self.items) > self.limit:
                self.items.popitem(last=False)
            return True

    def forget(self, key: tuple[str, str]) -> None:
        with self.lock:
            self.items.pop(key, None)


# --- the processor --------------------------------------------------------------------------


class CallbackProcessor:
    """Verifies, parses, de-duplicates, confirms and records KIE callbacks.

    Args:
        client: reads task status (a :class:`~kie_core.client.Client` or ``AsyncClient``).
        registry: where task families come from (default: the installed plugins).
        journal: where confirmed readings are recorded (None: not recorded).
        hmac_key: the ``webhookHmacKey``; default ``$KIE_WEBHOOK_HMAC_KEY``. When set, every
            callback must be signed; when empty, callbacks are accepted unsigned (and still
            confirmed through the status endpoint).
        tolerance: seconds a signature timestamp may be off, either way.
        clock: the receiver's Unix time.
        on_outcome: called (or awaited) with every confirmation's outcome.
        confirm_attempts: status calls tried when they fail with a retryable error.
        confirm_backoff: delay before retry ``n + 1`` of a status call; default full-jitter
            backoff up to 5 s (a ``Retry-After`` wins; one over 30 s ends the retries).
        max_body_bytes: larger bodies are refused (413).
        remember: how many (task id, state) pairs are kept for de-duplication.
    """

    def __init__(
        self,
        client: StatusSource,
        *,
        registry: Registry | None = None,
        journal: JournalStore | None = None,
        hmac_key: str | bytes | None = None,
        tolerance: float = DEFAULT_TOLERANCE,
        clock: Callable[[], float] = time.time,
        on_outcome: OutcomeHook | None = None,
        confirm_attempts: int = 3,
        confirm_backoff: Callable[[int], float] | None = None,
        max_body_bytes: int = MAX_BODY_BYTES,
        remember: int = DEFAULT_REMEMBER,
    ) -> None:
        if registry is None:
            from kie_core.registry import default_registry

            registry = default_registry()
        key = hmac_key if hmac_key is not None else os.environ.get(HMAC_KEY_ENV, "")
        self._key: bytes | None = _key_bytes(key) if key else None
        self.client = client
        self.registry = registry
        self.journal = journal
        self.tolerance = tolerance
        self.clock = clock
        self.on_outcome = on_outcome
        self.confirm_attempts = max(1, confirm_attempts)
        self.confirm_backoff = confirm_backoff
        self._retry = RetryPolicy(
            max_attempts=self.confirm_attempts,
            max_delay=CONFIRM_MAX_DELAY,
            max_retry_after=CONFIRM_MAX_RETRY_AFTER,
            schedule=confirm_backoff,
        )
        self.max_body_bytes = max_body_bytes
        self._seen = _Seen(remember)
        self._pending: set[asyncio.Task[CallbackOutcome]] = set()

    def __repr__(self) -> str:
        return (
            f"CallbackProcessor(signed={self.signed}, journal={self.journal!r}, "
            f"tolerance={self.tolerance})"
        )

    @property
    def signed(self) -> bool:
        """Whether callbacks must carry a valid signature."""
        return self._key is not None

    # --- step 1: local checks ----------------------------------------------------------------

    def accept(self, headers: Mapping[str, str], body: bytes) -> CallbackReceipt:
        """Check a callback request without any network call.

        Args:
            headers: the request headers (any letter case).
            body: the raw request body.

        Returns:
            The receipt; ``duplicate`` is True when the same (task id, state) was taken before.

        Raises:
            CallbackError: with ``code`` the HTTP status to answer: 413 too large, 400 not a
                readable callback, 401 unsigned while a key is set, 403 bad or stale signature.
        """
        if len(body) > self.max_body_bytes:
            raise CallbackError(
                f"callback body of {len(body)} bytes is larger than {self.max_body_bytes}",
                code=413,
            )
        try:
            decoded = json.loads(body)
        except (ValueError, RecursionError):
            raise CallbackError("callback body is not valid JSON", code=400) from None
        task_id = callback_task_id(decoded)
        if self._key is not None:
            verify_signature(
                self._key,
                task_id,
                _header(headers, TIMESTAMP_HEADER),
                _header(headers, SIGNATURE_HEADER),
                now=self.clock(),
                tolerance=self.tolerance,
            )
        families, event = self._parse(task_id, decoded)
        taken = self._seen.add((task_id, event.status.state.value))
        duplicate = not taken or self._already_recorded(task_id, event.status.state)
        logger.info(
            "callback for task %s (%s) claims %s%s",
            task_id,
            event.family,
            event.status.state.value,
            " - duplicate, ignored" if duplicate else "",
        )
        return CallbackReceipt(
            task_id=task_id,
            event=event,
            families=families,
            signed=self._key is not None,
            duplicate=duplicate,
        )

    def _candidate_families(self, task_id: str) -> list[TaskFamily]:
        known = self.registry.families()
        ordered: list[TaskFamily] = []
        if self.journal is not None:
            entry = self.journal.get(task_id)
            if entry is not None and entry.family in known:
                ordered.append(known[entry.family])
        ordered += [family for name, family in sorted(known.items()) if family not in ordered]
        return ordered

    def _parse(self, task_id: str, body: Any) -> tuple[tuple[TaskFamily, ...], CallbackEvent]:
        readers: list[TaskFamily] = []
        first: CallbackEvent | None = None
        problems: list[str] = []
        for family in self._candidate_families(task_id):
            try:
                event = family.parse_callback(body)
            except MalformedResponseError as exc:
                problems.append(f"{family.name}: {exc.message}")
                continue
            except Exception as exc:  # a plugin's parser must not take the receiver down
                problems.append(f"{family.name}: {type(exc).__name__}")
                continue
            if not isinstance(event, CallbackEvent) or event.task_id != task_id:
                problems.append(f"{family.name}: read another task id")
                continue
            readers.append(family)
            first = first or event
        if first is None:
            detail = "; ".join(problems[:6]) or "no task family is installed"
            raise CallbackError(
                f"no installed task family can read this callback ({detail})",
                code=400,
                task_id=task_id,
            )
        return tuple(readers), first

    def _already_recorded(self, task_id: str, claimed: TaskState) -> bool:
        if self.journal is None or not claimed.terminal:
            return False
        from kie_core.journal import JournalState

        entry = self.journal.get(task_id)
        if entry is None:
            return False
        if claimed is TaskState.SUCCEEDED:
            return entry.state in (JournalState.SUCCEEDED, JournalState.DOWNLOADED)
        return entry.state is JournalState.FAILED

    # --- step 2: confirmation ----------------------------------------------------------------

    async def confirm(self, receipt: CallbackReceipt) -> CallbackOutcome:
        """Read the task's status from its status endpoint and record that reading.

        The journal gets the status endpoint's reading, never the callback's claim. When the
        reading does not confirm the claim (or cannot be had), the (task id, state) pair is
        forgotten so a repeated callback is checked again.
        """
        key = (receipt.task_id, receipt.claimed.value)
        outcome = await self._confirm(receipt)
        if not outcome.confirmed:
            self._seen.forget(key)
            logger.warning(
                "callback for task %s claimed %s; status endpoint says %s",
                receipt.task_id,
                receipt.claimed.value,
                outcome.status.state.value if outcome.status else f"nothing ({outcome.error})",
            )
        if self.on_outcome is not None:
            try:
                result = self.on_outcome(outcome)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                logger.exception("on_outcome hook failed for task %s", receipt.task_id)
        return outcome

    async def _confirm(self, receipt: CallbackReceipt) -> CallbackOutcome:
        error = "no family to ask"
        for family in receipt.families:
            try:
                status = await self._read_status(receipt.task_id, family.name)
            except (NotFoundError, ApiValidationError) as exc:
                # Maybe another family's task (several can read the same body shape).
                error = _describe(exc)
                continue
            except KieError as exc:
                error = _describe(exc)
                break
            recorded = False
            if self.journal is not None:
                journal = self.journal
                await asyncio.to_thread(journal.record_status, receipt.task_id, status)
                recorded = True
            return CallbackOutcome(
                task_id=receipt.task_id,
                family=family.name,
                claimed=receipt.claimed,
                status=status,
                recorded=recorded,
            )
        return CallbackOutcome(
            task_id=receipt.task_id,
            family=receipt.event.family,
            claimed=receipt.claimed,
            status=None,
            error=error,
        )

    async def _read_status(self, task_id: str, family: str) -> TaskStatus:
        for attempt in range(1, self.confirm_attempts + 1):
            try:
                method = self.client.status
                if inspect.iscoroutinefunction(method):
                    result: Any = await method(task_id, family=family)
                else:
                    result = await asyncio.to_thread(method, task_id, family=family)
                    if inspect.isawaitable(result):
                        result = await result
            except KieError as exc:
                delay = self._retry.delay_for(exc, attempt)
                if not exc.retryable or attempt == self.confirm_attempts or delay is None:
                    raise
                await asyncio.sleep(delay)
                continue
            if not isinstance(result, TaskStatus):
                raise MalformedResponseError(
                    f"status() returned {type(result).__name__}, not a TaskStatus",
                    task_id=task_id,
                )
            return result
        raise AssertionError("unreachable")  # pragma: no cover

    # --- both steps ----------------------------------------------------------------------

    async def process(self, headers: Mapping[str, str], body: bytes) -> CallbackOutcome | None:
        """Accept and confirm a callback in one go (None for a duplicate)."""
        receipt = self.accept(headers, body)
        if receipt.duplicate:
            return None
        return await self.confirm(receipt)

    def confirm_in_background(self, receipt: CallbackReceipt) -> asyncio.Task[CallbackOutcome]:
        """Start :meth:`confirm` as a background task of the running loop and keep track of it."""
        job = asyncio.get_running_loop().create_task(self._guarded(receipt))
        self._pending.add(job)
        job.add_done_callback(self._pending.discard)
        return job

    async def _guarded(self, receipt: CallbackReceipt) -> CallbackOutcome:
        try:
            return await self.confirm(receipt)
        except Exception as exc:
            self._seen.forget((receipt.task_id, receipt.claimed.value))
            logger.exception("confirming the callback of task %s failed", receipt.task_id)
            return CallbackOutcome(
                task_id=receipt.task_id,
                family=receipt.event.family,
                claimed=receipt.claimed,
                status=None,
                error=type(exc).__name__,
            )

    @property
    def pending(self) -> int:
        """How many confirmations are running in the background."""
        return len(self._pending)

    async def drain(self, timeout: float | None = None) -> list[CallbackOutcome]:
        """Wait for the background confirmations started so far and return their outcomes."""
        jobs = list(self._pending)
        if not jobs:
            return []
        done, _ = await asyncio.wait(jobs, timeout=timeout)
        return [job.result() for job in jobs if job in done and not job.cancelled()]


def _describe(exc: KieError) -> str:
    return f"{type(exc).__name__}: {exc}"


def __getattr__(name: str) -> Any:
    # The ASGI app lives in kie_core.callbacks_app (it needs the `server` extra); its names
    # stay importable from here without loading a web framework for the pure parts.
    if name in ("create_callback_app", "serve_callbacks"):
        from kie_core import callbacks_app

        return getattr(callbacks_app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
