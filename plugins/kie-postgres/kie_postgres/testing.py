"""Helpers to run kie workers against an emulator: for tests and benchmarks.

:class:`CountingApp` wraps the emulator's ASGI app and counts answers by status and file
downloads by path; :class:`WorkerProcess` runs ``kie worker`` in a child process;
:func:`max_in_window` checks the ledger against a sliding-window limit.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: The path prefix of result files on the emulator.
FILES_PREFIX = "/files/"


class CountingApp:
    """An ASGI wrapper counting HTTP answers by status code, file GETs and 429s by path."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.statuses: Counter[int] = Counter()
        self.file_gets: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()
        self._lock = threading.Lock()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Serve through the wrapped app, counting the answer."""
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))

        async def counting_send(message: Any) -> None:
            if message.get("type") == "http.response.start":
                with self._lock:
                    self.statuses[int(message["status"])] += 1
                    if int(message["status"]) == 429:
                        self.refused[path] += 1
                    if scope.get("method") == "GET" and path.startswith(FILES_PREFIX):
                        self.file_gets[path] += 1
            await send(message)

        await self.app(scope, receive, counting_send)


def max_in_window(times: Sequence[float], window: float) -> int:
    """Return the most events found in any half-open window of ``window`` seconds."""
    ordered = sorted(times)
    most, start = 0, 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= window:
            start += 1
        most = max(most, end - start + 1)
    return most


class WorkerProcess:
    """``kie worker`` in a child process (its own process group, so it can be killed whole).

    Args:
        database_url: the PostgreSQL database.
        base_url: the emulator's base URL (API and uploads).
        api_key: the key the emulator accepts.
        output_dir: where results go.
        concurrency: jobs at once.
        poll_interval: a fixed poll interval (None: KIE's recommended schedule).
        extra: further ``kie worker`` options.
        log: a file for the worker's output (None: discarded).
    """

    def __init__(
        self,
        *,
        database_url: str,
        base_url: str,
        api_key: str,
        output_dir: Path,
        concurrency: int = 20,
        poll_interval: float | None = 1.0,
        extra: Sequence[str] = ("--heartbeat", "1", "--stalled-after", "4"),
        log: Path | None = None,
    ) -> None:
        poll = ["--poll-interval", str(poll_interval)] if poll_interval is not None else []
        self.command = [
            sys.executable, "-m", "kie_core.cli",
            "--base-url", base_url, "--upload-base-url", base_url,
            "--database-url", database_url, *poll, "--quiet",
            "worker", "--concurrency", str(concurrency), "--output", str(output_dir), *extra,
        ]  # fmt: skip
        self.env = {**os.environ, "KIE_API_KEY": api_key, "KIE_CONFIG": os.devnull}
        self.env.pop("KIE_DATABASE_URL", None)
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        """Start the worker."""
        out = self.log.open("ab") if self.log is not None else subprocess.DEVNULL
        self.process = subprocess.Popen(
            self.command, env=self.env, stdout=out, stderr=out, start_new_session=True
        )
        return self

    @property
    def pid(self) -> int:
        """The worker's process id."""
        if self.process is None:
            raise RuntimeError("the worker is not running")
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL the worker (a machine lost mid-run)."""
        os.killpg(self.pid, signal.SIGKILL)
        assert self.process is not None
        self.process.wait(timeout=30)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the worker (SIGTERM, then SIGKILL when it lingers)."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=timeout)
