"""Choosing the journal and rate-limit stores by database URL."""

from __future__ import annotations

import pytest

from kie_core import stores
from kie_core.errors import ConfigurationError
from kie_core.journal import Journal
from kie_core.ratelimit import RateLimiter


def test_the_embedded_stores_implement_the_interfaces() -> None:
    with Journal(":memory:") as journal:
        assert isinstance(journal, stores.JournalStore)
    assert isinstance(RateLimiter(), stores.RateLimitStore)


def test_the_url_comes_from_the_argument_then_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(stores.DATABASE_URL_ENV, raising=False)
    assert stores.configured_database_url(None) is None
    monkeypatch.setenv(stores.DATABASE_URL_ENV, " postgresql://env/db ")
    assert stores.configured_database_url(None) == "postgresql://env/db"
    assert stores.configured_database_url("postgres://arg/db") == "postgres://arg/db"


@pytest.mark.parametrize("url", ["sqlite:///x.db", "mysql://u:hunter2@h/db", "just-a-path"])
def test_only_postgres_urls_are_accepted(url: str) -> None:
    with pytest.raises(ConfigurationError, match="must be a PostgreSQL URL") as caught:
        stores.open_journal_store(url)
    assert "hunter2" not in str(caught.value)


def test_a_missing_kie_postgres_is_one_line_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(stores, "POSTGRES_STORES_MODULE", "kie_postgres_not_installed.stores")
    with pytest.raises(ConfigurationError) as caught:
        stores.open_journal_store("postgresql://db/kie")
    message = str(caught.value)
    assert "pip install kie-postgres" in message and "\n" not in message
