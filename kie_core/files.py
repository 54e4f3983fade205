"""Streaming, resumable, verified downloads of result files.

A result file is streamed in chunks (constant memory whatever its size) into
``<dest_dir>/.<filename>.part``. When the connection drops, the next attempt asks only for the
missing bytes (``Range: bytes=N-``, with ``If-Range`` and the ETag when the host gave a strong
one). The length is checked against ``Content-Length`` / the ``Content-Range`` total, the ETag
must stay the same across resumes, and only a complete file is renamed (atomically, with
:func:`os.replace`) to its final name: a short or mixed file never lands there. An expired link
(HTTP 403, 404 or 410 from the file host) is replaced through ``refresh`` (KIE's
``download-url``) and the download goes on.

**The HTTP client given to these functions must not carry the API key.** Result files live on
file hosts, not on the API host. As a second line of defence every request is built without
client-level auth and with any ``Authorization`` header removed, so the key is never sent to a
file host even if the API client is passed by mistake.

A download is a flow like every other client operation (:func:`fetch_flow`, see
:mod:`kie_core.actions`): it yields the file requests, the waits between attempts and the
blocking disk steps, and refreshes an expired link by running the client's own
``download-url`` flow inside it. The clients drive it under their retry policy;
:func:`download_file` and :func:`adownload_file` drive it on their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import os
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from functools import partial
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

import httpx

from kie_core.actions import Fetch, Flow, Local, Sleep, arun, run
from kie_core.errors import DownloadError, DownloadInProgressError, InvalidRequestError, KieError
from kie_core.retry import RetryPolicy, parse_retry_after

try:  # POSIX: an advisory lock keeps two downloads from writing one part file.
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: File-host answers meaning the link expired or is gone: ask for a fresh link.
EXPIRED_STATUSES = frozenset({403, 404, 410})

#: The longest wait a ``Retry-After`` header can impose, in seconds.
MAX_RETRY_AFTER = 120.0

#: Default chunk size of the stream, in bytes.
DEFAULT_CHUNK_SIZE = 1 << 20

_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.IGNORECASE)
_UNSATISFIED_RANGE = re.compile(r"^\s*bytes\s+\*/(\d+)\s*$", re.IGNORECASE)
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_NAME = 200

ProgressCallback = Callable[[int, int | None], None]


@dataclass(frozen=True)
class DownloadResult:
    """A file downloaded completely and verified.

    Attributes:
        path: where the file now is (its final name).
        size: its size in bytes.
        sha256: its SHA-256, hex.
        resumed_from: bytes already present when the last attempt started (0 = fresh).
        attempts: how many attempts it took (1 = no retry).
        refreshed: whether an expired link was replaced by a fresh one.
    """

    path: Path
    size: int
    sha256: str
    resumed_from: int
    attempts: int
    refreshed: bool


#: The retry policy of :func:`download_file` when none is given: 5 attempts, full-jitter
#: backoff from 0.5 s up to 30 s, a ``Retry-After`` of at most 120 s honoured.
DEFAULT_RETRY = RetryPolicy(max_attempts=5, max_delay=30.0, max_retry_after=MAX_RETRY_AFTER)

#: A full-jitter exponential delay before retry number ``attempt`` (1-based): the default
#: policy's backoff.
default_backoff = DEFAULT_RETRY.backoff


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file, hex (read in 1 MiB blocks)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(DEFAULT_CHUNK_SIZE), b""):
            digest.update(block)
    return digest.hexdigest()


def filename_from_url(url: str) -> str:
    """Return a safe file name from the last path segment of a URL (``download`` if none)."""
    segment = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    name = _UNSAFE_NAME.sub("_", segment).strip("._")[:_MAX_NAME]
    return name or "download"


def public_url(url: str) -> str:
    """Return a URL without its query and fragment, for messages (signed links hide tokens)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.netloc else parts.path


# --- the transfer state machine -------------------------------------------------------------


class _Retry(Exception):
    """An attempt failed in a way another attempt may fix."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class _Answer(Enum):
    STREAM = "stream"
    COMPLETE = "complete"
    EXPIRED = "expired"


class _Transfer:
    """The part file and what is known about the remote file, across attempts."""

    def __init__(self, final: Path, on_progress: ProgressCallback | None, chunk_size: int) -> None:
        self.final = final
        self.chunk_size = chunk_size
        self.last = _Answer.STREAM
        self.part = final.with_name(f".{final.name}.part")
        self.on_progress = on_progress
        self.handle: BinaryIO | None = None
        self.owned = False
        self.size = 0
        self.hasher = hashlib.sha256()
        self.total: int | None = None
        self.etag: str | None = None
        self.response_end: int | None = None
        self.decoded_body = False
        self.clean_end = False
        self.resumed_from = 0

    # file --------------------------------------------------------------------------------

    def open(self) -> None:
        self.final.parent.mkdir(parents=True, exist_ok=True)
        handle = self.part.open("a+b")
        if fcntl is not None:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                # The lock holds only while this is still the part file: another download
                # may have renamed it to the final name between our open and our lock.
                current = _same_file(handle, self.part)
            except OSError:
                current = False
            if not current:
                handle.close()
                raise DownloadInProgressError(
                    f"another download is writing {self.part} right now", retryable=True
                ) from None
        self.handle = handle
        self.owned = True
        self.size = handle.seek(0, os.SEEK_END)
        if self.size:
            # A part left by an earlier run: hash it so the final digest covers every byte.
            handle.seek(0)
            for block in iter(lambda: handle.read(DEFAULT_CHUNK_SIZE), b""):
                self.hasher.update(block)

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None
        if self.owned and self.size == 0:
            with contextlib.suppress(OSError):
                self.part.unlink()

    def reset(self) -> None:
        """Throw away what was downloaded and what was believed about the remote file."""
        assert self.handle is not None
        self.handle.truncate(0)
        self.size = 0
        self.hasher = hashlib.sha256()
        self.total = None
        self.etag = None

    # requests ----------------------------------------------------------------------------

    def start_attempt(self) -> None:
        self.resumed_from = self.size

    def request_headers(self) -> dict[str, str]:
        headers = {"Accept-Encoding": "identity"}
        if self.size > 0:
            headers["Range"] = f"bytes={self.size}-"
            if self.etag and not self.etag.startswith("W/"):
                headers["If-Range"] = self.etag
        return headers

    def answer(self, response: httpx.Response) -> _Answer:
        """Read the status and headers of an answer and prepare the part file for its body."""
        status = response.status_code
        self.response_end = None
        self.decoded_body = False
        self.clean_end = False
        if status in EXPIRED_STATUSES:
            return _Answer.EXPIRED
        if status == 416:
            return self._unsatisfiable(response)
        if status in (408, 425, 429) or status >= 500:
            raise _Retry(
                f"the file host answered HTTP {status}",
                parse_retry_after(response.headers.get("Retry-After")),
            )
        if status == 206:
            self._partial(response)
        elif status == 200:
            self._whole(response)
        else:
            raise DownloadError(
                f"the file host answered HTTP {status}", code=status, retryable=False
            )
        return _Answer.STREAM

    def _whole(self, response: httpx.Response) -> None:
        if self.size:
            # The host ignored the range (or the file changed): start over with this body.
            self.reset()
        self.etag = response.headers.get("ETag")
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            # Ranges would count encoded bytes; such a body is read whole and not resumed.
            self.decoded_body = True
            return
        self.total = _content_length(response)
        self.response_end = self.total

    def _partial(self, response: httpx.Response) -> None:
        match = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
        if match is None:
            self.reset()
            raise _Retry("the file host answered 206 without a readable Content-Range")
        first, last, total_text = int(match[1]), int(match[2]), match[3]
        total = None if total_text == "*" else int(total_text)
        etag = response.headers.get("ETag")
        if first != self.size or last < first:
            self.reset()
            raise _Retry(f"the file host sent bytes {first}-{last}, not from byte {self.size}")
        if etag and self.etag and etag != self.etag:
            self.reset()
            raise _Retry("the file changed on the host (its ETag differs); starting over")
        if total is not None and self.total is not None and total != self.total:
            self.reset()
            raise _Retry(f"the file's length changed from {self.total} to {total}; starting over")
        length = _content_length(response)
        if length is not None and length != last - first + 1:
            raise _Retry("the file host's Content-Length does not match its Content-Range")
        self.etag = self.etag or etag
        self.total = total if total is not None else self.total
        self.response_end = last + 1

    def _unsatisfiable(self, response: httpx.Response) -> _Answer:
        match = _UNSATISFIED_RANGE.match(response.headers.get("Content-Range", ""))
        total = int(match[1]) if match else None
        if (
            total is not None
            and self.size == total
            and self.size > 0
            and (self.total is None or self.total == total)
        ):
            self.total = total
            return _Answer.COMPLETE
        self.reset()
        raise _Retry("the file host refused the range (HTTP 416); starting over")

    # the sink a Fetch streams into (see kie_core.actions.Sink) -------------------------------

    def head(self, response: httpx.Response) -> bool:
        self.last = self.answer(response)
        return self.last is _Answer.STREAM

    def decoded(self, response: httpx.Response) -> bool:
        # A body already read into memory (transports that are not streams) has no raw form.
        return self.decoded_body or response.is_stream_consumed

    def write(self, piece: bytes) -> None:
        # Pieces come as the network delivers them (not re-buffered up to chunk_size), so a
        # drop loses no byte already received: the resume asks for exactly what is missing.
        for chunk in _split(piece, self.chunk_size):
            self._write(chunk)

    def end(self) -> None:
        self.end_of_body()

    # body --------------------------------------------------------------------------------

    def _write(self, chunk: bytes) -> None:
        assert self.handle is not None
        if self.response_end is not None and self.size + len(chunk) > self.response_end:
            expected = self.response_end
            self.reset()
            raise _Retry(f"the file host sent more than the {expected} bytes it announced")
        self.handle.write(chunk)
        self.hasher.update(chunk)
        self.size += len(chunk)
        if self.on_progress is not None:
            self.on_progress(self.size, self.total)

    def end_of_body(self) -> None:
        if self.response_end is not None and self.size < self.response_end:
            raise _Retry(f"the connection closed after {self.size} of {self.response_end} bytes")
        self.clean_end = True

    @property
    def complete(self) -> bool:
        if self.total is not None:
            return self.size == self.total
        # No length was announced: a body that ended cleanly is all there is.
        return self.clean_end

    def finish(self, attempts: int, refreshed: bool) -> DownloadResult:
        assert self.handle is not None
        self.handle.flush()
        os.fsync(self.handle.fileno())
        # Renamed while still locked, so no other download can take the part in between.
        self.part.replace(self.final)  # os.replace: atomic on one file system
        self.handle.close()
        self.handle = None
        _sync_directory(self.final.parent)
        return DownloadResult(
            path=self.final,
            size=self.size,
            sha256=self.hasher.hexdigest(),
            resumed_from=self.resumed_from,
            attempts=attempts,
            refreshed=refreshed,
        )


def _same_file(handle: BinaryIO, path: Path) -> bool:
    """Return whether an open file is (still) the file at ``path``."""
    try:
        return os.path.samestat(os.fstat(handle.fileno()), path.stat())
    except FileNotFoundError:
        return False


def _split(piece: bytes, chunk_size: int) -> Iterator[bytes]:
    if len(piece) <= chunk_size:
        yield piece
        return
    view = memoryview(piece)
    for start in range(0, len(piece), chunk_size):
        yield bytes(view[start : start + chunk_size])


def _content_length(response: httpx.Response) -> int | None:
    text = response.headers.get("Content-Length", "").strip()
    return int(text) if text.isdigit() else None


def _sync_directory(directory: Path) -> None:
    # Make the rename itself durable where the platform allows it.
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _target(url: str, dest_dir: str | os.PathLike[str], filename: str | None) -> Path:
    if filename is None:
        name = filename_from_url(url)
    else:
        if (
            not isinstance(filename, str)
            or not filename.strip()
            or filename in (".", "..")
            or any(sep in filename for sep in ("/", "\\", "\x00"))
        ):
            raise InvalidRequestError(
                f"filename must be a plain file name without directories, got {filename!r}",
                field="filename",
                value=filename,
            )
        name = filename
    directory = Path(dest_dir).expanduser()
    if directory.exists() and not directory.is_dir():
        raise InvalidRequestError(
            f"dest_dir {str(directory)!r} exists and is not a directory",
            field="dest_dir",
            value=str(directory),
        )
    return directory / name


def _check_limits(max_attempts: int, chunk_size: int) -> None:
    if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
        raise InvalidRequestError(
            f"max_attempts must be a positive integer, got {max_attempts!r}",
            field="max_attempts",
            value=max_attempts,
        )
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise InvalidRequestError(
            f"chunk_size must be a positive integer, got {chunk_size!r}",
            field="chunk_size",
            value=chunk_size,
        )


def _expired_error(url: str, status: int) -> DownloadError:
    return DownloadError(
        f"the file host refused {public_url(url)} with HTTP {status}: the link expired or the "
        "file is gone, and no refresh was possible",
        code=status,
        retryable=False,
    )


def _refresh_failed(url: str, exc: KieError) -> _Retry | DownloadError:
    message = f"could not get a fresh link for {public_url(url)}: {exc}"
    if exc.retryable:
        return _Retry(message)
    return DownloadError(message, code=exc.code, task_id=exc.task_id, retryable=False)


def _gave_up(url: str, attempts: int, failure: _Retry | None) -> DownloadError:
    reason = failure.reason if failure is not None else "unknown reason"
    return DownloadError(
        f"downloading {public_url(url)} failed after {attempts} attempt(s): {reason}",
        retryable=True,
    )


def _network_failure(exc: httpx.RequestError) -> _Retry:
    return _Retry(f"network error: {type(exc).__name__}")


# --- the flow -------------------------------------------------------------------------------

#: Builds the GET of a file URL with the given headers (never with the API key).
FileRequest = Callable[[str, dict[str, str]], httpx.Request]

#: Returns a fresh link for a result file URL, as a flow (the client's ``download-url`` call).
Refresh = Callable[[str], Flow[str]]


def fetch_flow(
    file_request: FileRequest,
    url: str,
    dest_dir: str | os.PathLike[str],
    *,
    filename: str | None = None,
    refresh: Refresh | None = None,
    on_progress: ProgressCallback | None = None,
    retry: RetryPolicy = DEFAULT_RETRY,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> Flow[DownloadResult]:
    """Download a result file into ``dest_dir`` as a flow: resumed, verified, renamed.

    Every attempt streams into the part file (:class:`~kie_core.actions.Fetch`); an attempt
    that fails in a way another may fix is followed by the policy's wait
    (:meth:`RetryPolicy.delay_for <kie_core.retry.RetryPolicy.delay_for>`, a ``Retry-After``
    from the host wins; one longer than the policy's maximum ends the retries). A link the
    host calls expired is replaced once per attempt through ``refresh``: in a client that is
    its ``download-url`` call, made under the rate limiter like every API call. The file GETs
    themselves go to the file host, which KIE's API limits do not cover, so they take no slot.

    Args:
        file_request: builds each GET (see :data:`FileRequest`).
        url: the file's URL.
        dest_dir: the folder to save into (created if missing).
        filename: the final file name; default: the URL's last path segment, sanitized.
        refresh: the flow that returns a fresh link for ``url``; None: an expired link fails.
        on_progress: called after every chunk with (bytes done, total or None).
        retry: how many attempts, and the wait between them.
        chunk_size: the most bytes written (and reported) at once.

    Raises:
        DownloadError: the file could not be downloaded completely; any partial data stays in
            ``.<filename>.part`` for a later call to resume.
        InvalidRequestError: a bad ``filename``, ``dest_dir`` or ``chunk_size``.
    """
    _check_limits(retry.max_attempts, chunk_size)
    transfer = _Transfer(_target(url, dest_dir, filename), on_progress, chunk_size)
    yield Local(transfer.open)
    current = url
    refreshed = False
    failure: _Retry | None = None
    attempt = 0
    try:
        for attempt in range(1, retry.max_attempts + 1):
            transfer.start_attempt()
            refreshed_now = False
            try:
                while True:
                    request = file_request(current, transfer.request_headers())
                    response = yield Fetch(request, transfer)
                    if transfer.last is not _Answer.EXPIRED:
                        break
                    if refresh is None:
                        raise _expired_error(current, response.status_code)
                    if refreshed_now:
                        raise _Retry(
                            f"the fresh link was refused too (HTTP {response.status_code})"
                        )
                    try:
                        current = yield from refresh(url)
                    except KieError as exc:
                        raise _refresh_failed(url, exc) from exc
                    refreshed = refreshed_now = True
                if transfer.complete:
                    done: DownloadResult = yield Local(partial(transfer.finish, attempt, refreshed))
                    return done
                failure = _Retry(f"only {transfer.size} of {transfer.total} bytes arrived")
            except _Retry as exc:
                failure = exc
            except httpx.RequestError as exc:
                failure = _network_failure(exc)
            if attempt < retry.max_attempts:
                delay = retry.delay_for(failure, attempt)
                if delay is None:
                    break
                yield Sleep(delay)
        raise _gave_up(url, attempt, failure)
    finally:
        transfer.close()


def _policy(max_attempts: int, backoff: Callable[[int], float] | None) -> RetryPolicy:
    _check_limits(max_attempts, DEFAULT_CHUNK_SIZE)
    return dataclasses.replace(DEFAULT_RETRY, max_attempts=max_attempts, schedule=backoff)


def _file_request(http: httpx.Client | httpx.AsyncClient) -> FileRequest:
    def build(url: str, headers: dict[str, str]) -> httpx.Request:
        request = http.build_request("GET", url, headers=headers)
        # Never send the API key to a file host, even if an API client was passed by mistake.
        request.headers.pop("Authorization", None)
        return request

    return build


# --- standalone drivers ---------------------------------------------------------------------


def download_file(
    http: httpx.Client,
    url: str,
    dest_dir: str | Path,
    *,
    filename: str | None = None,
    refresh: Callable[[str], str] | None = None,
    on_progress: ProgressCallback | None = None,
    max_attempts: int = 5,
    backoff: Callable[[int], float] | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> DownloadResult:
    """Download a result file into ``dest_dir``, resuming and verifying it.

    Args:
        http: an HTTP client **without** the API key (see the module docstring).
        url: the file's URL.
        dest_dir: the folder to save into (created if missing).
        filename: the final file name; default: the URL's last path segment, sanitized.
        refresh: given the original URL when the host says it expired (HTTP 403/404/410),
            returns a fresh link (``client.download_url``); called at most once per attempt.
        on_progress: called after every chunk with (bytes done, total or None).
        max_attempts: how many attempts (each with at most one link refresh) before giving up.
        backoff: delay in seconds before attempt ``n + 1`` given ``n``; default full-jitter
            exponential. A ``Retry-After`` from the host wins (one over 120 s ends the retries).
        chunk_size: the most bytes written (and reported) at once. The body is streamed as
            the network delivers it, so memory stays bounded whatever the file size.

    Returns:
        The verified file.

    Raises:
        DownloadError: the file could not be downloaded completely; any partial data stays in
            ``.<filename>.part`` for a later call to resume.
        InvalidRequestError: a bad ``filename``, ``dest_dir``, ``max_attempts`` or
            ``chunk_size``.
    """
    flow = fetch_flow(
        _file_request(http),
        url,
        dest_dir,
        filename=filename,
        refresh=_plain_refresh(refresh),
        on_progress=on_progress,
        retry=_policy(max_attempts, backoff),
        chunk_size=chunk_size,
    )
    return run(flow, http, time.sleep)


async def adownload_file(
    http: httpx.AsyncClient,
    url: str,
    dest_dir: str | Path,
    *,
    filename: str | None = None,
    refresh: Callable[[str], Awaitable[str]] | None = None,
    on_progress: ProgressCallback | None = None,
    max_attempts: int = 5,
    backoff: Callable[[int], float] | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> DownloadResult:
    """Download a result file into ``dest_dir`` with an async client; see :func:`download_file`.

    ``refresh`` is awaited. File writes are short and done inline; hashing an existing part
    file and the final flush to disk run in a worker thread.
    """
    flow = fetch_flow(
        _file_request(http),
        url,
        dest_dir,
        filename=filename,
        refresh=_awaited_refresh(refresh, asyncio.get_running_loop()),
        on_progress=on_progress,
        retry=_policy(max_attempts, backoff),
        chunk_size=chunk_size,
    )
    return await arun(flow, http, asyncio.sleep)


def _plain_refresh(refresh: Callable[[str], str] | None) -> Refresh | None:
    if refresh is None:
        return None

    def flow(url: str) -> Flow[str]:
        fresh: str = yield Local(lambda: refresh(url))
        return fresh

    return flow


def _awaited_refresh(
    refresh: Callable[[str], Awaitable[str]] | None, loop: asyncio.AbstractEventLoop
) -> Refresh | None:
    if refresh is None:
        return None

    async def fresh_link(url: str) -> str:
        return await refresh(url)

    def flow(url: str) -> Flow[str]:
        # The Local step runs in a worker thread, which hands the coroutine to the loop.
        fresh: str = yield Local(
            lambda: asyncio.run_coroutine_threadsafe(fresh_link(url), loop).result()
        )
        return fresh

    return flow
