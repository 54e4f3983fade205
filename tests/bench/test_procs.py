"""Process helpers: memory read from /proc, commands measured alone, JSON workers."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from bench import procs
from bench.machine import cpu_model, describe
from bench.procs import WorkerError, peak_rss_kib, rss_kib, run_timed, run_worker

STATUS = """Name:\tpython
VmPeak:\t  300000 kB
VmHWM:\t   51234 kB
VmRSS:\t   40000 kB
Threads:\t1
"""


def test_memory_figures_come_from_the_status_file() -> None:
    assert peak_rss_kib(STATUS) == 51234
    assert rss_kib(STATUS) == 40000


def test_this_process_reports_its_memory() -> None:
    assert peak_rss_kib() >= rss_kib() > 0


def test_a_command_is_measured_and_its_output_kept(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    timed = run_timed([sys.executable, "-c", "print('hello')"], stdout=out)
    assert timed.returncode == 0
    assert timed.wall > 0
    assert timed.cpu >= 0
    assert timed.peak_rss_kib is None
    assert out.read_text().strip() == "hello"


def test_a_sampled_command_reports_its_own_peak_memory() -> None:
    code = "import time; data = bytearray(64 << 20); time.sleep(0.3)"
    timed = run_timed([sys.executable, "-c", code], sample_memory=True)
    assert timed.returncode == 0
    assert timed.peak_rss_kib is not None
    assert timed.peak_rss_kib > 64 * 1024


def test_a_failing_command_reports_its_exit_code() -> None:
    assert run_timed([sys.executable, "-c", "raise SystemExit(3)"]).returncode == 3


def test_workers_see_bench_and_no_kie_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIE_API_KEY", "secret-not-for-workers")
    env = procs.worker_env({"EXTRA": "1"})
    assert "KIE_API_KEY" not in env
    assert env["PYTHONPATH"].split(":")[0] == str(procs.REPO_ROOT)
    assert env["EXTRA"] == "1"
    assert env["PYTHONPYCACHEPREFIX"] == str(procs.PYCACHE)
    assert "PYTHONDONTWRITEBYTECODE" not in env


def test_a_failing_worker_raises_with_its_error() -> None:
    with pytest.raises(WorkerError, match=r"exit code 1.*No module named"):
        run_worker("bench.no_such_worker", {}, timeout=60)


def test_a_worker_must_answer_a_json_object() -> None:
    # json.tool echoes the payload indented: its last line is "}", not a JSON object.
    with pytest.raises(WorkerError, match="answered no JSON"):
        run_worker("json.tool", {"a": 1}, timeout=60)


def test_payload_in_answer_out(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"tasks": 3}'))
    assert procs.read_payload() == {"tasks": 3}
    procs.answer({"ok": True})
    assert json.loads(capsys.readouterr().out) == {"ok": True}


def test_a_payload_must_be_an_object(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("[1, 2]"))
    with pytest.raises(SystemExit, match="JSON object"):
        procs.read_payload()


def test_cpu_model_from_cpuinfo() -> None:
    text = "processor\t: 0\nvendor_id\t: Test\nmodel name\t: Test CPU @ 3.00GHz\n"
    assert cpu_model(text) == "Test CPU @ 3.00GHz"


def test_the_machine_description() -> None:
    machine = describe()
    assert machine["cores"] >= 1
    assert machine["python"].count(".") == 2
    assert machine["cpu_model"]
