"""Who may use the gallery: loopback by default, a token elsewhere, no cross-site POSTs.

- :func:`check_bind` refuses a non-loopback interface unless it is asked for, and then an
  access token is required.
- :class:`AccessTokenMiddleware` lets a request in only with the token (``?token=`` once, then
  a same-site cookie, or an ``Authorization: Bearer`` header).
- :class:`CsrfGuard` checks every state-changing POST: the form's CSRF token must be this
  server's, and the ``Origin`` (or ``Referer``) must be the gallery itself.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

#: The cookie that carries the access token after the first visit.
TOKEN_COOKIE = "kie_gallery_token"

#: The form field that carries the CSRF token.
CSRF_FIELD = "csrf_token"


class GallerySecurityError(ValueError):
    """The gallery was asked to listen somewhere it must not."""


def is_loopback(host: str) -> bool:
    """Return whether ``host`` names a loopback interface (``127.0.0.1``, ``::1``, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, *, allow_remote: bool, token: str | None) -> str | None:
    """Return the access token the server requires (None on loopback).

    Raises:
        GallerySecurityError: a non-loopback ``host`` without ``allow_remote``, or a token
            shorter than 16 characters.
    """
    if is_loopback(host):
        return None
    if not allow_remote:
        raise GallerySecurityError(
            f"--host {host!r} is not a loopback interface; the gallery shows your prompts and "
            "can spend credits, so it listens on 127.0.0.1 unless --allow-remote is given "
            "(then every request needs an access token)"
        )
    if token is None:
        return secrets.token_urlsafe(24)
    if len(token) < 16:
        raise GallerySecurityError(
            f"--token must be at least 16 characters, got {len(token)}; "
            "leave it out to get a random one"
        )
    return token


class AccessTokenMiddleware:
    """Let a request through only when it carries the access token."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the token of every HTTP request; turn the ``?token=`` form into a cookie."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        given = request.query_params.get("token")
        if given is not None and self._matches(given):
            url = URL(scope=scope).remove_query_params("token")
            response: Response = RedirectResponse(str(url), status_code=303)
            response.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict")
            await response(scope, receive, send)
            return
        auth = request.headers.get("authorization", "")
        bearer = auth[7:] if auth.lower().startswith("bearer ") else None
        cookie = request.cookies.get(TOKEN_COOKIE)
        if any(value is not None and self._matches(value) for value in (bearer, cookie)):
            await self.app(scope, receive, send)
            return
        denied = PlainTextResponse(
            "this gallery needs its access token: open the address `kie gallery` printed "
            "(it ends in ?token=...)",
            status_code=401,
        )
        await denied(scope, receive, send)

    def _matches(self, value: str) -> bool:
        return hmac.compare_digest(value.encode(), self.token.encode())


@dataclass
class CsrfGuard:
    """The CSRF token of this server run, and the checks of a state-changing request.

    Attributes:
        token: the token every form of this run carries.
    """

    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    def problem(self, request: Request, form_token: object) -> str | None:
        """Return why a POST must be refused, or None when it comes from the gallery itself."""
        if request.headers.get("sec-fetch-site") == "cross-site":
            return "a cross-site request was refused"
        origin = request.headers.get("origin") or _origin_of(request.headers.get("referer"))
        if origin is not None and origin != _own_origin(request):
            return f"a request from origin {origin!r} was refused"
        if not isinstance(form_token, str) or not hmac.compare_digest(
            form_token.encode(), self.token.encode()
        ):
            return "the form's CSRF token is missing or stale: reload the page and try again"
        return None


def _origin_of(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def _own_origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
