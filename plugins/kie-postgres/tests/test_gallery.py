"""``kie gallery`` over the PostgreSQL journal: the grid, a filter and the totals, over HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kie_gallery.app import GalleryConfig, create_app
from kie_postgres.journal import PostgresJournal
from starlette.testclient import TestClient
from test_views import add

from kie_core.registry import default_registry
from kie_core.stores import open_journal_store

ORIGIN = "http://127.0.0.1"


def _card_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<article class="card[^"]*" id="card-(\d+)"', html)]


@pytest.fixture
def journal(database_url: str) -> Iterator[PostgresJournal]:
    """A PostgreSQL journal of four tasks: three kling (one failed), one veo."""
    store = open_journal_store(database_url)
    assert isinstance(store, PostgresJournal)
    add(store, 1, prompt="a red fox runs through fresh snow", credits=42.0)
    add(store, 2, model="veo-3.1-fast", prompt="a paper boat drifts", credits=60.0)
    add(store, 3, prompt="a lighthouse beam over a stormy sea", credits=84.0)
    add(store, 4, prompt="a glass city melts", credits=42.0, fail=True)
    store.record_actual("task-3", 80.0)
    store.downloaded("task-1", "/videos/task-1.mp4", "ab" * 32, 1234)
    yield store
    store.close()


@pytest.fixture
def http(journal: PostgresJournal, tmp_path: Path) -> Iterator[TestClient]:
    """The gallery of the PostgreSQL journal (showing only: no client)."""
    config = GalleryConfig(journal=journal, registry=default_registry(), output_dir=tmp_path)
    with TestClient(create_app(config), base_url=ORIGIN) as client:
        yield client


def test_the_grid_lists_every_task_newest_first(http: TestClient) -> None:
    page = http.get("/")
    assert page.status_code == 200
    assert _card_ids(page.text) == [4, 3, 2, 1]
    assert "a red fox runs through fresh snow" in page.text
    for model in ("kling-2.5-turbo", "veo-3.1-fast"):
        assert f'<option value="{model}">{model}</option>' in page.text
    # Estimates: every accepted task (the failed one too); spent: 42 + 60 + 80, failure refunded.
    assert "<strong>4</strong> tasks" in page.text
    assert "estimated <strong>228</strong> credits" in page.text
    assert "spent <strong>182</strong> credits" in page.text
    assert "1 of 4" in page.text


def test_a_filter_narrows_the_grid_and_its_totals(http: TestClient) -> None:
    kling = http.get("/?model=kling-2.5-turbo").text
    assert _card_ids(kling) == [4, 3, 1]
    assert "<strong>3</strong> tasks match" in kling
    assert "estimated <strong>168</strong> credits" in kling
    assert "spent <strong>122</strong> credits" in kling
    fox = http.get("/?q=FOX").text
    assert _card_ids(fox) == [1]
    assert "<strong>1</strong> task match" in fox
    failed = http.get("/?state=failed&model=kling-2.5-turbo").text
    assert _card_ids(failed) == [4]
    assert "spent <strong>0</strong> credits" in failed


def test_a_task_page_reads_its_entry(http: TestClient) -> None:
    page = http.get("/tasks/3")
    assert page.status_code == 200
    assert "a lighthouse beam over a stormy sea" in page.text
    assert http.get("/tasks/99").status_code == 404


def test_kie_gallery_serves_the_database_journal_and_hides_the_password(
    journal: PostgresJournal, database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from kie_core.cli.app import app
    from kie_core.cli.extensions import register_command_plugins

    found: list[list[int]] = []

    def run(served: Any, **options: Any) -> None:
        # What uvicorn would serve, asked while the command runs (its journal is open).
        with TestClient(served, base_url=ORIGIN) as client:
            found.append(_card_ids(client.get("/?q=paper").text))

    monkeypatch.setattr(uvicorn, "run", run)
    monkeypatch.setenv("KIE_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.delenv("KIE_API_KEY", raising=False)
    monkeypatch.delenv("KIE_DATABASE_URL", raising=False)
    register_command_plugins(app)
    # The throw-away cluster trusts loopback, so the password is accepted and ignored.
    with_password = database_url.replace("@", ":s3cret@", 1)
    result = CliRunner().invoke(app, ["--database-url", with_password, "gallery"])
    assert result.exit_code == 0, result.output
    assert f"kie gallery of the journal {database_url} at http://127.0.0.1:8765/" in result.output
    assert "s3cret" not in result.output
    assert found == [[2]]
