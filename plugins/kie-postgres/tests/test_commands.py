"""``kie queue batch`` and ``kie worker`` through the command hook."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from kie_core.cli.app import app
from kie_core.cli.extensions import register_command_plugins


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    register_command_plugins(app)
    monkeypatch.setenv("KIE_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("KIE_API_KEY", "kie-commands-test-key")
    monkeypatch.delenv("KIE_DATABASE_URL", raising=False)
    return CliRunner()


def batch_file(tmp_path: Path, *rows: dict[str, object]) -> Path:
    path = tmp_path / "batch.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def queued(url: str) -> list[dict[str, object]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT args FROM procrastinate_jobs WHERE task_name = 'kie.generate' ORDER BY id"
        ).fetchall()
    return [row[0] for row in rows]


def test_queue_batch_enqueues_one_job_per_line(
    runner: CliRunner, database_url: str, tmp_path: Path
) -> None:
    path = batch_file(
        tmp_path,
        {"model": "kling-2.5-turbo", "prompt": "a fox", "duration": 5},
        {"model": "kling-2.5-turbo", "prompt": "a cat", "duration": 10},
    )
    result = runner.invoke(
        app,
        ["--database-url", database_url, "queue", "batch", str(path), "-o", "out", "--json"],
    )
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["jobs"]) == 2
    args = queued(database_url)
    assert [a["request"]["prompt"] for a in args] == ["a fox", "a cat"]  # type: ignore[index]
    assert {a["output_dir"] for a in args} == {"out"}  # type: ignore[index]


def test_a_bad_line_enqueues_nothing(runner: CliRunner, database_url: str, tmp_path: Path) -> None:
    path = batch_file(
        tmp_path,
        {"model": "kling-2.5-turbo", "prompt": "a fox", "duration": 5},
        {"model": "kling-2.5-turbo", "prompt": "a cat", "duration": 7},
    )
    result = runner.invoke(app, ["--database-url", database_url, "queue", "batch", str(path)])
    assert result.exit_code == 2
    assert "line 2" in result.output and "duration" in result.output
    with psycopg.connect(database_url) as conn:
        exists = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
    assert exists == (None,) or queued(database_url) == []


def test_the_queue_needs_a_database(runner: CliRunner, tmp_path: Path) -> None:
    path = batch_file(tmp_path, {"model": "kling-2.5-turbo", "prompt": "a fox", "duration": 5})
    for command in (["queue", "batch", str(path)], ["worker"]):
        result = runner.invoke(app, command)
        assert result.exit_code != 0
        assert "KIE_DATABASE_URL" in result.output
