"""Processes: timing commands with their own resource usage, memory and CPU of this process.

Peak memory is read from ``/proc/self/status`` (``VmHWM``), falling back to ``ru_maxrss``; a
child's usage comes from :func:`os.wait4`, so it is the child's alone.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_STATUS = Path("/proc/self/status")

#: The repository root, put on the workers' PYTHONPATH so ``bench`` imports there too.
REPO_ROOT = Path(__file__).resolve().parent.parent


def _status_kib(field: str, status: str | None = None) -> int | None:
    text = status
    if text is None:
        try:
            text = _STATUS.read_text()
        except OSError:
            return None
    for line in text.splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return None


def peak_rss_kib(status: str | None = None) -> int:
    """Return this process's peak resident memory in KiB (``VmHWM``)."""
    value = _status_kib("VmHWM", status)
    if value is not None:
        return value
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def rss_kib(status: str | None = None) -> int:
    """Return this process's resident memory now, in KiB (``VmRSS``; the peak elsewhere)."""
    value = _status_kib("VmRSS", status)
    return value if value is not None else peak_rss_kib(status)


def cpu_seconds() -> float:
    """Return the user + system CPU seconds this process has used."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class Timed:
    """One finished command: wall seconds, its CPU seconds and peak memory, its exit code.

    ``peak_rss_kib`` is sampled from ``/proc/<pid>/status`` while the command runs, when asked
    for: the ``ru_maxrss`` that :func:`os.wait4` reports for a child includes the memory of the
    Python process it was forked from, so it says nothing about a small program such as curl.
    It is None when not sampled or where ``/proc`` is not available.
    """

    wall: float
    cpu: float
    peak_rss_kib: int | None
    returncode: int


#: Seconds between two samples of a running command's peak memory.
SAMPLE_INTERVAL = 0.005


def run_timed(
    command: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    stdout: Path | None = None,
    cwd: Path | None = None,
    sample_memory: bool = False,
) -> Timed:
    """Run ``command`` to its end and measure it alone.

    Args:
        command: the program and its arguments.
        env: the environment (default: this one).
        stdout: a file that receives the output (default: discarded).
        cwd: the working directory.
        sample_memory: sample the command's peak memory while it runs (the wall time is then
            only accurate to ``SAMPLE_INTERVAL``).
    """
    sink = stdout.open("wb") if stdout is not None else subprocess.DEVNULL
    peak: int | None = None
    try:
        start = time.perf_counter()
        process = subprocess.Popen(
            list(command), stdout=sink, stderr=subprocess.DEVNULL, env=env, cwd=cwd
        )
        status_file = Path(f"/proc/{process.pid}/status")
        while True:
            pid, status, usage = os.wait4(process.pid, 0 if not sample_memory else os.WNOHANG)
            if pid:
                break
            try:
                sampled = _status_kib("VmHWM", status_file.read_text())
            except OSError:
                sampled = None
            if sampled is not None:
                peak = max(peak or 0, sampled)
            time.sleep(SAMPLE_INTERVAL)
        wall = time.perf_counter() - start
    finally:
        if stdout is not None and not isinstance(sink, int):
            sink.close()
    process.returncode = os.waitstatus_to_exitcode(status)
    return Timed(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_rss_kib=peak,
        returncode=process.returncode,
    )


#: Where workers cache their bytecode (the benchmark's own folder, not the installed packages).
PYCACHE = Path(tempfile.gettempdir()) / f"kie-bench-pycache-{os.getuid()}"


def worker_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return the environment of a worker: this one, ``bench`` importable, no KIE settings.

    Workers cache their bytecode in :data:`PYCACHE` even where ``PYTHONDONTWRITEBYTECODE`` is
    set, so each of the many worker starts does not compile every module again.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIE_")}
    path = env.get("PYTHONPATH", "")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), path) if p)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    env.update(extra or {})
    return env


class WorkerError(RuntimeError):
    """A worker process failed or answered something that is not a JSON object."""


def run_worker(module: str, payload: Mapping[str, Any], *, timeout: float) -> dict[str, Any]:
    """Run ``python -m module`` with ``payload`` as JSON on stdin; return its JSON answer.

    The worker prints its answer as one JSON object on the last line of its output.

    Raises:
        WorkerError: the worker failed, timed out or answered no JSON object.
    """
    try:
        done = subprocess.run(
            [sys.executable, "-m", module],
            input=json.dumps(dict(payload)),
            capture_output=True,
            text=True,
            env=worker_env(),
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise WorkerError(f"{module} did not finish within {timeout:g} s") from exc
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = done.stderr.strip()[-2000:]
        raise WorkerError(f"{module} failed with exit code {done.returncode}: {tail}")
    try:
        answer = json.loads(lines[-1])
    except ValueError as exc:
        raise WorkerError(f"{module} answered no JSON: {lines[-1][:200]!r}") from exc
    if not isinstance(answer, dict):
        raise WorkerError(f"{module} answered a JSON {type(answer).__name__}, not an object")
    return answer


def read_payload() -> dict[str, Any]:
    """Read the JSON object a worker was given on stdin."""
    payload = json.loads(sys.stdin.read() or "{}")
    if not isinstance(payload, dict):
        raise SystemExit("the worker expects a JSON object on stdin")
    return payload


def answer(result: Mapping[str, Any]) -> None:
    """Print a worker's answer as one JSON line."""
    print(json.dumps(dict(result)), flush=True)
