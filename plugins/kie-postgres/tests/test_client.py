from __future__ import annotations

import json
import multiprocessing
from pathlib import Path
from typing import Any

import pytest
from kie_postgres.journal import PostgresJournal
from kie_postgres.pool import close_pools
from kie_postgres.ratelimit import PostgresRateLimiter
from typer.testing import CliRunner

from kie_core.client import Client
from kie_core.errors import ConfigurationError
from kie_core.journal import Journal, JournalState
from kie_core.request import VideoRequest

REQUEST = VideoRequest(model="kling-2.5-turbo", prompt="a red fox in the snow", duration=5)


def test_a_postgres_url_selects_both_stores(database_url: str, kie_emulator: Any) -> None:
    with Client(
        kie_emulator.api_key, base_url=kie_emulator.base_url, database_url=database_url
    ) as kie:
        assert isinstance(kie.journal, PostgresJournal)
        assert isinstance(kie._limiter(kie._require_key()), PostgresRateLimiter)


def test_without_a_url_the_embedded_stores_stay(
    kie_emulator: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("KIE_DATABASE_URL", raising=False)
    with Client(kie_emulator.api_key, base_url=kie_emulator.base_url, journal=True) as kie:
        assert isinstance(kie.journal, Journal)


def test_the_environment_variable_selects_postgres(
    database_url: str, kie_emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIE_DATABASE_URL", database_url)
    with Client(kie_emulator.api_key, base_url=kie_emulator.base_url) as kie:
        assert isinstance(kie.journal, PostgresJournal)


def test_a_url_of_another_database_is_one_clear_error(kie_emulator: Any) -> None:
    with pytest.raises(ConfigurationError, match="must be a PostgreSQL URL") as caught:
        Client(kie_emulator.api_key, database_url="mysql://root:hunter2@db/kie")
    assert "hunter2" not in str(caught.value)


def test_generate_twice_pays_once(database_url: str, kie_emulator: Any, tmp_path: Path) -> None:
    with Client(
        kie_emulator.api_key, base_url=kie_emulator.base_url, database_url=database_url
    ) as kie:
        video = kie.generate(REQUEST)
        path = video.download(tmp_path)
        again = kie.generate(REQUEST)
        assert again.task_id == video.task_id
        entry = kie.journal.get(video.task_id) if kie.journal else None
    assert entry is not None and entry.state is JournalState.DOWNLOADED
    assert entry.output_path == str(path)
    assert len(kie_emulator.tasks) == 1
    assert len([e for e in kie_emulator.ledger if e.kind == "charge"]) == 1


def test_the_cli_reads_the_shared_journal(
    database_url: str, kie_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kie_core.cli.app import app
    from kie_core.cli.extensions import register_command_plugins

    register_command_plugins(app)
    monkeypatch.setenv("KIE_API_KEY", kie_emulator.api_key)
    monkeypatch.setenv("KIE_CONFIG", str(tmp_path / "none.toml"))
    base = ["--base-url", kie_emulator.base_url, "--database-url", database_url]
    runner = CliRunner()
    made = runner.invoke(
        app,
        [*base, "--poll-interval", "0.1", "generate", "kling-2.5-turbo", "a fox", "--duration",
         "5", "-o", str(tmp_path), "--yes", "--quiet"],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    listed = runner.invoke(app, [*base, "tasks", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert [row["state"] for row in rows] == ["downloaded"]
    spend = runner.invoke(app, [*base, "spend", "--json"])
    assert spend.exit_code == 0, spend.output
    assert "kling-2.5-turbo" in spend.stdout
    resumed = runner.invoke(app, [*base, "resume", "-o", str(tmp_path)])
    assert resumed.exit_code == 0, resumed.output
    assert not (tmp_path / "journal.sqlite3").exists()


def _submit_same(url: str, base_url: str, key: str, barrier: Any, out: Any) -> None:
    try:
        with Client(key, base_url=base_url, database_url=url, rate_limiter=False) as kie:
            barrier.wait(timeout=120)
            out.put(kie.submit(REQUEST).task_id)
    except Exception as exc:
        out.put(f"error: {type(exc).__name__}: {exc}")
    finally:
        close_pools()


@pytest.mark.slow
def test_fifty_processes_sending_one_request_create_one_task(
    database_url: str, kie_emulator: Any
) -> None:
    Client(kie_emulator.api_key, database_url=database_url).close()  # migrate once, up front
    close_pools()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(50)
    out = context.Queue()
    processes = [
        context.Process(
            target=_submit_same,
            args=(database_url, kie_emulator.base_url, kie_emulator.api_key, barrier, out),
        )
        for _ in range(50)
    ]
    for process in processes:
        process.start()
    task_ids = [out.get(timeout=180) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    assert len(set(task_ids)) == 1, set(task_ids)
    assert not task_ids[0].startswith("error")
    assert len(kie_emulator.tasks) == 1
    assert len([e for e in kie_emulator.ledger if e.kind == "charge"]) == 1
