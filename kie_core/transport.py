"""Sans-IO transport rules shared by the sync and async clients.

Nothing here sends a request. This module builds :class:`httpx.Request` objects from
:class:`~kie_core.calls.EndpointCall` descriptions (bearer auth, an honest User-Agent, the
timeouts) and reads KIE.ai's ``{code, msg, data}`` envelope from an answer, even one that came
with HTTP 200, turning every non-success answer into a typed :mod:`kie_core.errors` class chosen by
the envelope ``code`` and the HTTP status only, never by message text.

The API key travels inside an :class:`ApiKey`, whose ``repr`` and ``str`` never show it; every
message built from server text goes through a redaction function before it becomes an error.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

from kie_core import __version__
from kie_core.calls import EndpointCall
from kie_core.errors import (
    AmbiguousCreateError,
    AmbiguousServerError,
    ApiError,
    KieError,
    MalformedResponseError,
    ServerError,
    TaskNotFoundError,
    TransportError,
    error_for_code,
)
from kie_core.families.base import int_or_none, text_or_none
from kie_core.retry import parse_retry_after

#: Browser-like (some CDNs refuse bare library agents) but honest about what is calling.
USER_AGENT = f"Mozilla/5.0 (compatible; kie/{__version__}; +https://pypi.org/project/kie-core/)"

#: The generation and query API.
DEFAULT_BASE_URL = "https://api.kie.ai"
#: The file-upload host (a different host from the API).
DEFAULT_UPLOAD_BASE_URL = "https://kieai.redpandaai.co"

#: ``GET``: the account's remaining credits (``data`` is a number).
CREDITS_PATH = "/api/v1/chat/credit"
#: ``POST {"url": ...}``: a fresh 20-minute link to a result file (``data`` is a string).
DOWNLOAD_URL_PATH = "/api/v1/common/download-url"
#: ``POST`` multipart on the upload host: ``file``, ``uploadPath``, ``fileName``.
UPLOAD_STREAM_PATH = "/api/file-stream-upload"

#: Seconds allowed to open a connection, whatever the read timeout.
CONNECT_TIMEOUT = 10.0
#: Seconds allowed between bytes of an answer by default.
READ_TIMEOUT = 30.0

#: Longest server message kept in an error.
_MAX_MESSAGE = 500


def is_header_safe(value: str) -> bool:
    """Return whether a key can go in an ``Authorization`` header: visible ASCII, no spaces."""
    return all("!" <= char <= "~" for char in value)


class ApiKey:
    """A KIE.ai API key that never shows itself.

    ``repr``, ``str`` and formatting print ``ApiKey(***)``; only :meth:`reveal` returns the
    value, and the transport calls it at the one place the header is built.

    Args:
        value: the key; surrounding whitespace is removed.

    Raises:
        ValueError: when the key is empty or holds characters a header cannot carry (the
            message never quotes the key).
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        cleaned = value.strip()
        if not cleaned:
            raise ValueError("the API key is empty")
        if not is_header_safe(cleaned):
            # The value is never quoted: it may be a real key with a stray character.
            raise ValueError(
                "the API key holds characters an HTTP header cannot carry (a line break, a "
                "space, a control or non-ASCII character); check it for a stray newline or a "
                "pasted quote"
            )
        self._value = cleaned

    def reveal(self) -> str:
        """Return the key itself (only for the Authorization header)."""
        return self._value

    def digest(self) -> str:
        """Return a short, stable, non-reversible identifier of the key (for shared limiters)."""
        return hashlib.sha256(self._value.encode()).hexdigest()[:24]

    def redact(self, text: str) -> str:
        """Return ``text`` with any occurrence of the key replaced by ``***``."""
        return text.replace(self._value, "***") if self._value in text else text

    def __repr__(self) -> str:
        return "ApiKey(***)"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __reduce__(self) -> Any:
        raise TypeError("an ApiKey cannot be pickled")


def no_redaction(text: str) -> str:
    """Return ``text`` unchanged (the redaction used when no key is known)."""
    return text


def make_timeout(timeout: float | httpx.Timeout | None = READ_TIMEOUT) -> httpx.Timeout:
    """Return the client timeouts: connect 10 s, and ``timeout`` seconds for the rest.

    An :class:`httpx.Timeout` is used as given; ``None`` means the defaults.
    """
    if isinstance(timeout, httpx.Timeout):
        return timeout
    seconds = READ_TIMEOUT if timeout is None else float(timeout)
    if seconds <= 0:
        raise ValueError(f"timeout must be positive, got {timeout!r}")
    return httpx.Timeout(seconds, connect=min(CONNECT_TIMEOUT, seconds))


@dataclass(frozen=True)
class Endpoints:
    """Where calls go: the API base URL and the upload base URL (no trailing slash)."""

    base_url: str = DEFAULT_BASE_URL
    upload_base_url: str = DEFAULT_UPLOAD_BASE_URL

    def __post_init__(self) -> None:
        for name in ("base_url", "upload_base_url"):
            value: str = getattr(self, name)
            if not value.startswith(("http://", "https://")):
                raise ValueError(f"{name} must be an http(s) URL, got {value!r}")
            object.__setattr__(self, name, value.rstrip("/"))

    def url(self, call: EndpointCall) -> str:
        """Return the absolute URL of a call (without its query string)."""
        base = self.upload_base_url if call.host == "upload" else self.base_url
        return base + call.path


def base_headers(api_key: ApiKey) -> dict[str, str]:
    """Return the headers every API call carries: auth, User-Agent and JSON accept."""
    return {
        "Authorization": f"Bearer {api_key.reveal()}",
        "User-Agent": USER_AGENT,
        "Accept": "application/json",
    }


def build_request(
    call: EndpointCall, *, endpoints: Endpoints, api_key: ApiKey, timeout: httpx.Timeout
) -> httpx.Request:
    """Build the HTTP request of an endpoint call (JSON body for a POST, query for a GET)."""
    return httpx.Request(
        call.method,
        endpoints.url(call),
        params=call.params or None,
        json=call.body if call.method == "POST" else None,
        headers=base_headers(api_key),
        extensions={"timeout": timeout.as_dict()},
    )


def upload_call(upload_path: str) -> EndpointCall:
    """Return the description of a stream upload (the file itself is attached separately)."""
    return EndpointCall(
        method="POST", path=UPLOAD_STREAM_PATH, body={"uploadPath": upload_path}, host="upload"
    )


def build_upload_request(
    file: IO[bytes],
    *,
    file_name: str,
    upload_path: str,
    endpoints: Endpoints,
    api_key: ApiKey,
    timeout: httpx.Timeout,
) -> httpx.Request:
    """Build the multipart ``file-stream-upload`` request for an open binary file."""
    mime = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
    return httpx.Request(
        "POST",
        endpoints.upload_base_url + UPLOAD_STREAM_PATH,
        data={"uploadPath": upload_path, "fileName": file_name},
        files={"file": (file_name, file, mime)},
        headers=base_headers(api_key),
        extensions={"timeout": timeout.as_dict()},
    )


def clean_upload_path(upload_path: str) -> str:
    """Return an upload folder without leading or trailing slashes, as the host requires.

    Raises:
        ValueError: when nothing is left.
    """
    cleaned = upload_path.strip().strip("/")
    if not cleaned:
        raise ValueError(f"upload_path must name a folder, got {upload_path!r}")
    return cleaned


def upload_file_name(path: Path) -> str:
    """Return the file name sent with an upload (the local name)."""
    return path.name


def _decode_json(content: bytes) -> tuple[bool, Any]:
    if not content.strip():
        return False, None
    try:
        return True, json.loads(content)
    except (ValueError, RecursionError):
        return False, None


def _message(value: Any) -> str | None:
    text = text_or_none(value)
    if text is None:
        return None
    text = " ".join(text.split())
    return text[:_MAX_MESSAGE] + ("…" if len(text) > _MAX_MESSAGE else "")


#: KIE's answer for a status query about a task it does not know: ``{"code":422,"msg":...}``.
UNKNOWN_TASK_CODE = 422
UNKNOWN_TASK_MSG = "recordinfo is null"


def read_envelope(
    status_code: int,
    content: bytes,
    headers: Mapping[str, str] | None = None,
    *,
    path: str,
    task_id: str | None = None,
    redact: Callable[[str], str] = no_redaction,
) -> Any:
    """Return the ``data`` of a KIE answer, or raise the typed error it stands for.

    The envelope decides first: ``code == 200`` (and no ``"success": false`` from the upload
    host) is success, any other code picks the error class through
    :func:`kie_core.errors.error_for_code`, HTTP 200 or not. Without a readable envelope the HTTP
    status decides, and a 2xx answer without one is a :class:`MalformedResponseError`. ``msg``
    may also be spelled ``message``.

    Args:
        status_code: the HTTP status.
        content: the raw body.
        headers: the response headers (``Retry-After`` is read from them).
        path: the request path, kept in errors.
        task_id: the task the call concerns, kept in errors.
        redact: applied to every message taken from the server.

    Raises:
        ApiError: a subclass chosen by the envelope code or the HTTP status.
    """
    retry_after = parse_retry_after((headers or {}).get("retry-after"))
    is_json, body = _decode_json(content)
    http_ok = 200 <= status_code < 300

    def fail(code: int, msg: str | None, *, cls: type[ApiError] | None = None) -> ApiError:
        error_cls = cls or error_for_code(code)
        text = redact(msg) if msg else f"HTTP {status_code}"
        return error_cls(
            f"{path}: {text}",
            code=code,
            task_id=task_id,
            http_status=status_code,
            path=path,
            retry_after=retry_after,
        )

    if not is_json or not isinstance(body, Mapping):
        if http_ok:
            what = "a non-JSON body" if not is_json else f"a JSON {type(body).__name__}"
            raise fail(
                status_code, f"answer has {what}, not an envelope", cls=MalformedResponseError
            )
        raise fail(status_code, None)

    code = int_or_none(body.get("code"))
    msg = _message(body.get("msg"))
    if msg is None:
        msg = _message(body.get("message"))
    success = body.get("success")

    if code == UNKNOWN_TASK_CODE and msg is not None and msg.strip().lower() == UNKNOWN_TASK_MSG:
        raise fail(
            code,
            "no such task: KIE has no record of it (recordInfo is null): a mistyped id, a task "
            "of another account or family, or one older than the 14-day retention",
            cls=TaskNotFoundError,
        )
    if code is not None and code != 200:
        raise fail(code, msg)
    if not http_ok:
        raise fail(status_code, msg)
    if code is None and success is not True:
        raise fail(status_code, "answer has no envelope code", cls=MalformedResponseError)
    if success is False:
        raise fail(
            code or status_code,
            f"answer says success=false with code 200: {msg or 'no message'}",
            cls=MalformedResponseError,
        )
    return body.get("data")


def read_response(
    response: httpx.Response,
    *,
    path: str,
    task_id: str | None = None,
    redact: Callable[[str], str] = no_redaction,
) -> Any:
    """Return the envelope ``data`` of a response whose body has been read (see read_envelope)."""
    return read_envelope(
        response.status_code,
        response.content,
        response.headers,
        path=path,
        task_id=task_id,
        redact=redact,
    )


def describe_transport_failure(exc: BaseException) -> str:
    """Return a short description of a network failure (its class and httpx's message)."""
    detail = str(exc).strip()
    name = type(exc).__name__
    return f"{name}: {detail}" if detail else name


def transport_error(
    exc: BaseException,
    *,
    path: str,
    task_id: str | None = None,
    retryable: bool = True,
    redact: Callable[[str], str] = no_redaction,
) -> TransportError:
    """Return the :class:`TransportError` that reports a failed exchange on ``path``."""
    return TransportError(
        redact(f"{path}: request failed ({describe_transport_failure(exc)})"),
        task_id=task_id,
        retryable=retryable,
    )


def ambiguous_create_error(
    cause: BaseException,
    *,
    path: str,
    redact: Callable[[str], str] = no_redaction,
) -> AmbiguousCreateError:
    """Return the error for a create request whose outcome is unknown.

    The request left this machine and no usable answer came back (a timeout or broken
    connection after sending, a server error, an unreadable answer). The task may exist and may
    have been charged, so it is reported instead of being sent again.
    """
    code: int | None = None
    if isinstance(cause, ServerError):
        return AmbiguousServerError(
            redact(
                f"{path}: the create request got a server error that does not tell whether the "
                f"task was created ({cause}); the task may exist and may have been charged, so "
                "it was not sent again"
            ),
            code=cause.code,
            http_status=cause.http_status,
            path=cause.path,
        )
    if isinstance(cause, MalformedResponseError):
        what = f"its answer could not be read: {cause}"
    elif isinstance(cause, KieError):
        code = cause.code
        what = f"the server error does not tell whether the task was created: {cause}"
    else:
        what = f"its answer was lost: {describe_transport_failure(cause)}"
    return AmbiguousCreateError(
        redact(
            f"{path}: the create request was sent and may have been taken ({what}); the task "
            "may exist and may have been charged, so it was not sent again"
        ),
        code=code,
    )
