"""An emulator in a separate process, and the control calls the benchmarks make to it."""

from __future__ import annotations

import json
import subprocess
import sys
from types import TracebackType
from typing import Any

import httpx

from bench.procs import worker_env

#: The key every benchmark emulator accepts (not a secret: the emulator is local).
BENCH_API_KEY = "bench-key-not-secret"

#: Credits enough for any run (the emulator charges KIE's prices).
BENCH_CREDITS = 1e12


class EmulatorProcess:
    """Runs ``python -m bench.emulator_main`` with a configuration; a context manager.

    Args:
        settings: :class:`~kie_emulator.config.EmulatorConfig` fields; the API key and
            a large balance are added unless given.
    """

    def __init__(self, **settings: Any) -> None:
        self.settings = {"api_key": BENCH_API_KEY, "credits": BENCH_CREDITS, **settings}
        self.base_url = ""
        self._process: subprocess.Popen[str] | None = None

    @property
    def api_key(self) -> str:
        """The key the emulator accepts."""
        return str(self.settings["api_key"])

    @property
    def pid(self) -> int:
        """The emulator's process id."""
        if self._process is None:
            raise RuntimeError("the emulator process is not running")
        return self._process.pid

    def start(self) -> EmulatorProcess:
        """Start the process and wait until it listens.

        Raises:
            RuntimeError: the process exited or printed no address.
        """
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.emulator_main", json.dumps(self.settings)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=worker_env(),
        )
        self._process = process
        assert process.stdout is not None
        line = process.stdout.readline()
        try:
            self.base_url = json.loads(line)["base_url"]
        except (ValueError, KeyError, TypeError) as exc:
            self.stop()
            raise RuntimeError(f"the emulator process did not start (it printed {line!r})") from exc
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Close the process's stdin (it then stops) and wait; terminate it if it hangs."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.terminate()
            process.wait(timeout)
        if process.stdout is not None:
            process.stdout.close()

    def control(self, method: str, path: str, body: Any = None) -> Any:
        """Call the ``/_emulator`` control API and return its JSON answer."""
        with httpx.Client(base_url=self.base_url, timeout=120.0) as http:
            response = http.request(method, f"/_emulator/{path}", json=body)
            response.raise_for_status()
            return response.json()

    def state(self) -> dict[str, Any]:
        """Return the emulator's state (ledger, tasks, configuration)."""
        answer = self.control("GET", "state")
        assert isinstance(answer, dict)
        return answer

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
