from __future__ import annotations

import pytest

from kie_core import Client


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KIE_BASE_URL", "KIE_UPLOAD_BASE_URL", "KIE_JOURNAL"):
        monkeypatch.delenv(name, raising=False)


def test_real_api_uses_kies_upload_host() -> None:
    with Client("k", journal=False) as client:
        assert client.base_url == "https://api.kie.ai"
        assert client.upload_base_url == "https://kieai.redpandaai.co"


def test_another_api_base_keeps_uploads_there(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIE_BASE_URL", "http://127.0.0.1:8787")
    with Client("k", journal=False) as client:
        assert client.upload_base_url == "http://127.0.0.1:8787"
    with Client("k", base_url="http://localhost:9000", journal=False) as client:
        assert client.upload_base_url == "http://localhost:9000"


def test_explicit_upload_host_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIE_UPLOAD_BASE_URL", "http://uploads.local")
    with Client("k", base_url="http://localhost:9000", journal=False) as client:
        assert client.upload_base_url == "http://uploads.local"
    with Client("k", upload_base_url="http://other", journal=False) as client:
        assert client.upload_base_url == "http://other"
