"""Delivery of completion callbacks, signed and retried, from background asyncio tasks."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import httpx

from kie_emulator.envelope import dumps
from kie_emulator.state import Emulator
from kie_emulator.tasks import CallbackRecord, Task

PayloadBuilder = Callable[[Emulator, Task], dict[str, Any]]
"""Builds the callback body of a task of one family."""

log = logging.getLogger(__name__)


def sign(key: str, task_id: str, timestamp: int) -> str:
    """Return ``base64(HMAC-SHA256(key, taskId + "." + timestamp))``."""
    message = f"{task_id}.{timestamp}".encode()
    digest = hmac.new(key.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class CallbackSender:
    """POSTs each finished task's callback body to its ``callBackUrl``.

    A delivery is retried ``callback_retries`` times after a failure (a transport error, a
    timeout or a non-2xx answer), ``callback_retry_delay`` seconds apart. Every attempt is
    recorded on the task.
    """

    def __init__(self, emulator: Emulator, builders: Mapping[str, PayloadBuilder]) -> None:
        self.emulator = emulator
        self.builders = dict(builders)
        self._client: httpx.AsyncClient | None = None
        self._pending: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Open the HTTP client."""
        self._client = httpx.AsyncClient(follow_redirects=False)

    async def stop(self) -> None:
        """Cancel deliveries in flight and close the HTTP client."""
        for pending in list(self._pending):
            pending.cancel()
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def dispatch(self, tasks: Iterable[Task]) -> None:
        """Start delivering the callback of each task in the background."""
        for task in tasks:
            job = asyncio.create_task(self.deliver(task))
            self._pending.add(job)
            job.add_done_callback(self._pending.discard)

    def body_for(self, task: Task) -> dict[str, Any]:
        """Return the callback body of ``task``."""
        return self.builders[task.family](self.emulator, task)

    async def deliver(self, task: Task) -> None:
        """Deliver one task's callback, retrying on failure."""
        if self._client is None or not task.callback_url:
            return
        em = self.emulator
        payload = dumps(self.body_for(task))
        attempts = 1 + em.config.callback_retries
        for attempt in range(1, attempts + 1):
            if not em.owns(task):
                return  # the emulator was reset: this task no longer exists
            cfg = em.config
            headers = {"Content-Type": "application/json"}
            if cfg.webhook_hmac_key:
                # Real time, not the emulated clock: receivers compare it with their own clock.
                timestamp = int(time.time())
                headers["X-Webhook-Timestamp"] = str(timestamp)
                headers["X-Webhook-Signature"] = sign(cfg.webhook_hmac_key, task.task_id, timestamp)
            status: int | None = None
            error: str | None = None
            try:
                response = await self._client.post(
                    task.callback_url,
                    content=payload,
                    headers=headers,
                    timeout=cfg.callback_timeout,
                )
                status = response.status_code
            except httpx.HTTPError as exc:
                error = f"{exc.__class__.__name__}: {exc}"
            record = CallbackRecord(attempt, em.clock.now_ms(), status, error)
            em.record_callback(task, record, final=record.ok or attempt == attempts)
            if record.ok:
                return
            log.info(
                "callback of task %s failed (attempt %d): %s",
                task.task_id,
                attempt,
                error or status,
            )
            if attempt < attempts:
                await asyncio.sleep(cfg.callback_retry_delay)


async def tick_forever(emulator: Emulator, sender: CallbackSender) -> None:
    """Finish due tasks and dispatch their callbacks, even when nobody polls."""
    while True:
        try:
            sender.dispatch(emulator.tick())
        except Exception:
            log.exception("emulator tick failed")
        await asyncio.sleep(emulator.config.tick_interval)
