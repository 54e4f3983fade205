"""Loopback by default; elsewhere only when asked, and then with a token. The command hook."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from kie_gallery.app import GalleryConfig, create_app
from kie_gallery.security import TOKEN_COOKIE, GallerySecurityError, check_bind, is_loopback
from kie_gallery.serve import gallery_url
from starlette.testclient import TestClient
from typer.testing import CliRunner

from kie_core.cli.extensions import register_command_plugins
from kie_core.journal import Journal
from kie_core.registry import default_registry

TOKEN = "a-long-enough-access-token"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2", "[::1]"])
def test_loopback_needs_no_token(host: str) -> None:
    assert is_loopback(host)
    assert check_bind(host, allow_remote=False, token=None) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "example.com"])
def test_another_interface_is_refused_unless_asked(host: str) -> None:
    with pytest.raises(GallerySecurityError, match="--allow-remote"):
        check_bind(host, allow_remote=False, token=None)
    generated = check_bind(host, allow_remote=True, token=None)
    assert generated is not None and len(generated) >= 16
    assert check_bind(host, allow_remote=True, token=TOKEN) == TOKEN


def test_a_short_token_is_refused() -> None:
    with pytest.raises(GallerySecurityError, match="at least 16 characters, got 5"):
        check_bind("0.0.0.0", allow_remote=True, token="short")


@pytest.fixture
def remote(tmp_path: Path) -> TestClient:
    config = GalleryConfig(
        journal=Journal(tmp_path / "j.sqlite3"), registry=default_registry(), access_token=TOKEN
    )
    return TestClient(create_app(config), base_url="http://192.168.1.20:8765")


def test_a_remote_gallery_needs_its_token(remote: TestClient) -> None:
    refused = remote.get("/")
    assert refused.status_code == 401
    assert "access token" in refused.text
    assert remote.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert remote.get("/", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert remote.get("/media/1", params={"token": "wrong"}).status_code == 401


def test_the_token_link_sets_a_cookie_and_drops_the_token_from_the_address(
    remote: TestClient,
) -> None:
    entered = remote.get("/?token=" + TOKEN + "&state=failed", follow_redirects=False)
    assert entered.status_code == 303
    assert entered.headers["location"] == "http://192.168.1.20:8765/?state=failed"
    cookie = entered.headers["set-cookie"]
    assert cookie.startswith(f"{TOKEN_COOKIE}={TOKEN}") and "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert remote.get("/").status_code == 200  # the client kept the cookie


@given(st.text(min_size=1, max_size=40))
def test_no_other_token_gets_in(guess: str) -> None:
    from kie_gallery.security import AccessTokenMiddleware

    middleware = AccessTokenMiddleware(app=lambda *a: None, token=TOKEN)  # type: ignore[arg-type]
    assert middleware._matches(guess) is (guess == TOKEN)


def test_the_address_printed_carries_the_token() -> None:
    assert gallery_url("127.0.0.1", 8765, None) == "http://127.0.0.1:8765/"
    assert gallery_url("::", 80, "t") == "http://[::]:80/?token=t"


def _cli() -> typer.Typer:
    from kie_core.cli.app import app

    register_command_plugins(app)
    return app


def test_kie_gallery_is_added_through_the_command_hook() -> None:
    result = CliRunner().invoke(_cli(), ["--help"])
    assert result.exit_code == 0
    assert "gallery" in result.stdout


def test_kie_gallery_refuses_a_public_interface(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        _cli(),
        ["--journal", str(tmp_path / "j.sqlite3"), "gallery", "--host", "0.0.0.0"],
        env={"KIE_API_KEY": ""},
    )
    assert result.exit_code == 2
    assert "--allow-remote" in result.output
