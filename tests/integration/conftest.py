"""Fixtures shared by the client's integration tests."""

from __future__ import annotations

import pytest

from .client_fakes import FakeKie, FakeTime


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the developer's KIE_* settings out of every test."""
    for name in ("KIE_API_KEY", "KIE_BASE_URL", "KIE_UPLOAD_BASE_URL", "KIE_JOURNAL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def kie() -> FakeKie:
    """A scripted fake KIE.ai behind an httpx mock transport."""
    return FakeKie()


@pytest.fixture
def clock() -> FakeTime:
    """A clock that only moves when the client sleeps."""
    return FakeTime()
