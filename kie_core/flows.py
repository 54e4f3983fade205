"""The client operations, written once as flows that both clients drive.

:class:`_ClientCore` holds the configuration and every operation (submit, resend, status,
wait, download...) as a *flow*: a generator that yields the I/O it needs as
:mod:`kie_core.actions` and receives the outcome. :class:`~kie_core.client.Client` and
:class:`~kie_core.client.AsyncClient` only perform those actions, with :mod:`httpx` sync or
async, so retries, rate limits, polling, journaling and the never-pay-twice rules are the same
in both. Nothing here is an API: use :mod:`kie_core.client`.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import httpx

from kie_core.actions import Flow, Local, Send, Sleep
from kie_core.calls import EndpointCall
from kie_core.errors import (
    AmbiguousCreateError,
    ApiError,
    ConfigurationError,
    DownloadError,
    InvalidRequestError,
    KieError,
    MalformedResponseError,
    RateLimitError,
)
from kie_core.families.base import TaskFamily, float_or_none
from kie_core.files import DownloadResult, fetch_flow
from kie_core.journal import Journal, JournalEntry, JournalState, fingerprint
from kie_core.models import ResolvedRequest
from kie_core.polling import PollSchedule, WaitTracker, failure_error
from kie_core.ratelimit import CallKind, RateLimiter, shared_limiter
from kie_core.registry import Registry, default_registry
from kie_core.request import VideoRequest, check_readable, is_remote
from kie_core.results import PreparedRequest, ProgressCallback, Video
from kie_core.retry import RetryPolicy, Verdict, classify, was_not_taken
from kie_core.status import TaskHandle, TaskStatus
from kie_core.transport import (
    CREDITS_PATH,
    DEFAULT_BASE_URL,
    DEFAULT_UPLOAD_BASE_URL,
    DOWNLOAD_URL_PATH,
    USER_AGENT,
    ApiKey,
    Endpoints,
    ambiguous_create_error,
    build_request,
    build_upload_request,
    clean_upload_path,
    make_timeout,
    read_response,
    transport_error,
    upload_call,
)

#: Environment variables the clients read.
API_KEY_ENV = "KIE_API_KEY"
BASE_URL_ENV = "KIE_BASE_URL"
UPLOAD_BASE_URL_ENV = "KIE_UPLOAD_BASE_URL"
JOURNAL_ENV = "KIE_JOURNAL"

#: Folder on the upload host that local inputs go to.
DEFAULT_UPLOAD_PATH = "kie/inputs"

_MEDIA_SUFFIXES = frozenset({".mp4", ".mov", ".webm", ".mkv", ".gif", ".png", ".jpg", ".jpeg"})
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")

#: A task: its handle, or its task id.
TaskRef = TaskHandle | str
#: Called with every status a wait reads.
StatusCallback = Callable[[TaskStatus], None]


class _CreateProgress:
    """Whether a create request may have reached the server (decides ambiguous vs rejected)."""

    def __init__(self) -> None:
        self.maybe_sent = False


@dataclass(frozen=True)
class _NewTask:
    """What a create call makes: the journal row's and the task handle's fields."""

    model: str
    provider: str
    family: TaskFamily
    kie_model: str | None
    variant: str | None
    estimated_credits: float | None

    def handle(self, task_id: str) -> TaskHandle:
        return TaskHandle(
            task_id=task_id,
            model=self.model,
            provider=self.provider,
            family=self.family.name,
            kie_model=self.kie_model,
            variant=self.variant,
            estimated_credits=self.estimated_credits,
        )


def _journaled_call(entry: JournalEntry) -> EndpointCall:
    """Return the create call a journal entry recorded (its endpoint and body)."""
    method, _, path = entry.endpoint.partition(" ")
    if method not in ("GET", "POST") or not path.startswith("/"):
        raise InvalidRequestError(
            f"journal entry #{entry.id} has no readable endpoint ({entry.endpoint!r})",
            field="entry_id",
            value=entry.id,
        )
    return EndpointCall(method="GET" if method == "GET" else "POST", path=path, body=entry.payload)


def _ambiguous_entry_error(entry: JournalEntry) -> AmbiguousCreateError:
    when = entry.created_at.isoformat(timespec="seconds")
    return AmbiguousCreateError(
        f"an identical request is already in the journal as {entry.state.value} (journal entry "
        f"#{entry.id}, {when}): it may have created a task and spent credits. Check it with "
        "`kie resume`, or pass again=True to send it anyway"
    )


def _with_entry(error: AmbiguousCreateError, entry_id: int) -> AmbiguousCreateError:
    return AmbiguousCreateError(f"{error.message} (journal entry #{entry_id})", code=error.code)


def _file_digest(location: str) -> str:
    digest = hashlib.sha256()
    with Path(location).expanduser().open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _result_filenames(task_id: str, urls: tuple[str, ...], filename: str | None) -> list[str]:
    if filename is not None and len(urls) == 1:
        return [filename]
    if filename is not None:
        given = PurePosixPath(filename)
        return [f"{given.stem}-{n}{given.suffix}" for n in range(1, len(urls) + 1)]
    base = _UNSAFE_NAME.sub("_", task_id).strip("._") or "result"
    names = []
    for n, url in enumerate(urls, start=1):
        suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
        suffix = suffix if suffix in _MEDIA_SUFFIXES else ".mp4"
        names.append(f"{base}{suffix}" if len(urls) == 1 else f"{base}-{n}{suffix}")
    return names


def _open_journal(journal: Journal | bool | None) -> tuple[Journal | None, bool]:
    """Return (journal, owned): None unless given, True, or ``KIE_JOURNAL`` is set."""
    if journal is False:
        return None, False
    if journal is True or (journal is None and os.environ.get(JOURNAL_ENV)):
        return Journal(), True
    if journal is None:
        return None, False
    return journal, False


# --- the shared implementation ------------------------------------------------------------


def default_upload_base_url(base_url: str) -> str:
    """Return the upload host to use when none is configured.

    KIE.ai's uploads live on their own host. A client pointed at another API base URL (the
    emulator, a proxy) keeps its uploads there too rather than sending files to the real
    upload host behind the user's back.
    """
    if base_url.rstrip("/") == DEFAULT_BASE_URL:
        return DEFAULT_UPLOAD_BASE_URL
    return base_url


class _ClientCore:
    """Configuration and every flow; the sync and async clients only drive the flows."""

    def __init__(
        self,
        api_key: str | None,
        *,
        base_url: str | None,
        upload_base_url: str | None,
        timeout: float | httpx.Timeout,
        registry: Registry | None,
        journal: Journal | bool | None,
        rate_limiter: RateLimiter | bool | None,
        retry: RetryPolicy | None,
        poll: PollSchedule | None,
        clock: Callable[[], float] | None,
    ) -> None:
        raw_key = api_key if api_key is not None else os.environ.get(API_KEY_ENV)
        self._key = ApiKey(raw_key) if raw_key and raw_key.strip() else None
        try:
            chosen_base = base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
            self._endpoints = Endpoints(
                chosen_base,
                upload_base_url
                or os.environ.get(UPLOAD_BASE_URL_ENV)
                or default_upload_base_url(chosen_base),
            )
            self._timeout = make_timeout(timeout)
        except ValueError as exc:
            raise ConfigurationError(str(exc)) from None
        self._registry = registry
        self._journal, self._owns_journal = _open_journal(journal)
        self._limiter_choice = rate_limiter
        self._retry = retry or RetryPolicy()
        self._poll = poll or PollSchedule()
        self._clock = clock or time.monotonic

    # --- configuration -------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The API base URL."""
        return self._endpoints.base_url

    @property
    def upload_base_url(self) -> str:
        """The upload host's base URL."""
        return self._endpoints.upload_base_url

    @property
    def journal(self) -> Journal | None:
        """The task journal in use, if any."""
        return self._journal

    @property
    def registry(self) -> Registry:
        """The model registry (the installed plugins unless one was given)."""
        if self._registry is None:
            self._registry = default_registry()
        return self._registry

    @property
    def has_api_key(self) -> bool:
        """Whether an API key is configured (the key itself is never exposed)."""
        return self._key is not None

    def _require_key(self) -> ApiKey:
        if self._key is None:
            raise ConfigurationError(
                f"no KIE.ai API key: pass api_key=... or set the {API_KEY_ENV} environment "
                "variable (get a key at https://kie.ai/api-key)"
            )
        return self._key

    def _limiter(self, key: ApiKey) -> RateLimiter | None:
        choice = self._limiter_choice
        if choice is False:
            return None
        if isinstance(choice, RateLimiter):
            return choice
        return shared_limiter(key)

    def _redact(self, text: str) -> str:
        return self._key.redact(text) if self._key is not None else text

    def __repr__(self) -> str:
        key = "set" if self._key is not None else "missing"
        journal = self._journal.path if self._journal is not None else None
        return (
            f"<{type(self).__name__} base_url={self.base_url!r} api_key={key} "
            f"journal={str(journal) if journal else journal!r}>"
        )

    # --- local steps (no I/O) ------------------------------------------------------------

    def resolve(self, request: VideoRequest) -> ResolvedRequest:
        """Check a request against its model and fill in the defaults; nothing is sent.

        Raises:
            InvalidRequestError: naming the field, the value and what the model accepts.
            UnknownModelError: no installed plugin provides ``request.model``.
        """
        return self.registry.get(request.model).resolve(request)

    def prepare(
        self, request: VideoRequest, *, labels: Mapping[str, str] | None = None
    ) -> PreparedRequest:
        """Resolve a request and build its create call; nothing is sent and no key is needed.

        Pass the result to :meth:`submit`: the request is then resolved and its call built
        only once.

        Args:
            request: the request.
            labels: how each media field is named in error messages (CLI flags...).

        Raises:
            InvalidRequestError: the request does not fit the model, or a local input file
                cannot be read.
        """
        return PreparedRequest.of(self.registry.get(request.model), request, labels=labels)

    def _family_named(self, name: str) -> TaskFamily:
        return self.registry.family(name)

    def _task_family(self, task: TaskRef, family: str | None) -> Flow[tuple[str, TaskFamily]]:
        if isinstance(task, TaskHandle):
            return task.task_id, self._family_named(family or task.family)
        if not isinstance(task, str) or not task.strip():
            raise InvalidRequestError(
                f"task must be a TaskHandle or a task id, got {task!r}", field="task", value=task
            )
        if family is None and self._journal is not None:
            entry: JournalEntry | None = yield Local(partial(self._journal.get, task))
            family = entry.family if entry is not None else None
        return task, self._family_named(family or "market")

    # --- flows ---------------------------------------------------------------------------

    def _exchange(
        self,
        call: EndpointCall,
        *,
        create: bool = False,
        task_id: str | None = None,
        progress: _CreateProgress | None = None,
        build: Callable[[ApiKey], httpx.Request] | None = None,
    ) -> Flow[Any]:
        """Send one call under the rate limit and the retry policy; return its envelope data."""
        key = self._require_key()
        limiter = self._limiter(key)
        kind = CallKind.CREATE if create else CallKind.QUERY
        attempt = 0
        while True:
            attempt += 1
            if limiter is not None:
                wait = limiter.reserve(kind)
                if wait > 0:
                    yield Sleep(wait)
            if build is not None:
                request = build(key)
            else:
                request = build_request(
                    call, endpoints=self._endpoints, api_key=key, timeout=self._timeout
                )
            if progress is not None:
                progress.maybe_sent = True
            reply = yield Send(request)
            failure: BaseException
            if isinstance(reply, httpx.Response):
                try:
                    return read_response(reply, path=call.path, task_id=task_id, redact=key.redact)
                except ApiError as error:
                    failure = error
            else:
                failure = reply
            if progress is not None and was_not_taken(failure):
                progress.maybe_sent = False
            step = self._retry.next_step(failure, attempt=attempt, create=create)
            if isinstance(failure, RateLimitError) and limiter is not None:
                limiter.pause(kind, step.delay if step.verdict is Verdict.RETRY else 0.0)
            if step.verdict is Verdict.RETRY:
                if step.delay > 0:
                    yield Sleep(step.delay)
                continue
            if step.verdict is Verdict.AMBIGUOUS:
                raise ambiguous_create_error(
                    failure, path=call.path, redact=key.redact
                ) from failure
            if isinstance(failure, KieError):
                raise failure
            raise transport_error(
                failure,
                path=call.path,
                task_id=task_id,
                retryable=classify(failure, create=False) is Verdict.RETRY,
                redact=key.redact,
            ) from failure

    def _call_flow(self, call: EndpointCall, create: bool) -> Flow[Any]:
        return (yield from self._exchange(call, create=create))

    def _credits_flow(self) -> Flow[float]:
        data = yield from self._exchange(EndpointCall(method="GET", path=CREDITS_PATH))
        credits = float_or_none(data)
        if credits is None:
            raise MalformedResponseError(
                f"{CREDITS_PATH}: the balance is not a number", path=CREDITS_PATH
            )
        return credits

    def _download_url_flow(self, url: str) -> Flow[str]:
        call = EndpointCall(method="POST", path=DOWNLOAD_URL_PATH, body={"url": url})
        data = yield from self._exchange(call)
        if not isinstance(data, str) or not is_remote(data):
            raise MalformedResponseError(
                f"{DOWNLOAD_URL_PATH}: the answer is not a URL", path=DOWNLOAD_URL_PATH
            )
        return data

    def _upload_flow(self, path: str | os.PathLike[str], upload_path: str) -> Flow[str]:
        source = Path(path).expanduser()
        check_readable(str(source), field="path", label="upload")
        folder = clean_upload_path(upload_path)
        call = upload_call(folder)
        with source.open("rb") as handle:

            def build(key: ApiKey) -> httpx.Request:
                handle.seek(0)
                return build_upload_request(
                    handle,
                    file_name=source.name,
                    upload_path=folder,
                    endpoints=self._endpoints,
                    api_key=key,
                    timeout=self._timeout,
                )

            data = yield from self._exchange(call, build=build)
        url = data.get("downloadUrl") if isinstance(data, dict) else None
        if not isinstance(url, str) or not is_remote(url):
            raise MalformedResponseError(
                f"{call.path}: the upload answer has no downloadUrl", path=call.path
            )
        return url

    def _upload_inputs_flow(self, local: list[str]) -> Flow[dict[str, str]]:
        """Upload each local file once; return where each went."""
        urls: dict[str, str] = {}
        for location in local:
            if location not in urls:
                urls[location] = yield from self._upload_flow(location, DEFAULT_UPLOAD_PATH)
        return urls

    def _submit_flow(
        self, request: VideoRequest | PreparedRequest, again: bool
    ) -> Flow[TaskHandle]:
        prepared = request if isinstance(request, PreparedRequest) else self.prepare(request)
        resolved, model = prepared.resolved, prepared.model
        resolved.warn()
        self._require_key()
        journal = self._journal
        identity: str | None = None
        local = prepared.local_files
        if journal is not None:
            # An uploaded file gets a new URL each time, so a local file stands in the
            # fingerprint by its content: re-running the same command is then recognised.
            named: dict[str, str] = {}
            for item in local:
                digest = yield Local(partial(_file_digest, item))
                named[item] = f"local-file:sha256:{digest}"
            identity = fingerprint(prepared.call_with(named), self.base_url)
            entry: JournalEntry | None = None
            if not again:
                entry = yield Local(partial(journal.find_active, identity, self.base_url))
            if entry is not None:
                if entry.state in (JournalState.SUBMITTING, JournalState.AMBIGUOUS):
                    raise _ambiguous_entry_error(entry)
                handle = entry.handle()
                if handle is not None:
                    return handle
        call = prepared.call
        if local:
            call = prepared.call_with((yield from self._upload_inputs_flow(local)))
        task = _NewTask(
            model=resolved.spec.name,
            provider=resolved.spec.provider,
            family=model.family,
            kie_model=resolved.mode.kie_model,
            variant=resolved.variant.name,
            estimated_credits=prepared.estimated_credits,
        )
        return (yield from self._create_flow(call, task, identity))

    def _resend_flow(self, entry_id: int) -> Flow[TaskHandle]:
        journal = self._journal
        if journal is None:
            raise ConfigurationError(
                "resend needs the journal that holds the entry: pass journal=... or set "
                f"{JOURNAL_ENV}"
            )
        entry: JournalEntry | None = yield Local(partial(journal.get_entry, entry_id))
        if entry is None:
            raise InvalidRequestError(
                f"journal entry #{entry_id} does not exist", field="entry_id", value=entry_id
            )
        if entry.state is not JournalState.AMBIGUOUS:
            raise InvalidRequestError(
                f"journal entry #{entry_id} is {entry.state.value}: only an ambiguous entry "
                "(sent, its answer lost) can be re-sent",
                field="entry_id",
                value=entry_id,
            )
        if entry.base_url.rstrip("/") != self.base_url.rstrip("/"):
            raise InvalidRequestError(
                f"journal entry #{entry_id} was sent to {entry.base_url}, not {self.base_url}: "
                "re-send it with a client of that base URL",
                field="entry_id",
                value=entry_id,
            )
        call = _journaled_call(entry)
        task = _NewTask(
            model=entry.model,
            provider=entry.provider,
            family=self._family_named(entry.family),
            kie_model=entry.kie_model,
            variant=entry.variant,
            estimated_credits=entry.estimated_credits,
        )
        self._require_key()
        if not (yield Local(partial(journal.mark_resent, entry.id))):
            raise InvalidRequestError(
                f"journal entry #{entry_id} is no longer ambiguous: another process re-sent "
                "or resolved it meanwhile, so it was not sent again",
                field="entry_id",
                value=entry_id,
            )
        return (yield from self._create_flow(call, task, entry.fingerprint))

    def _create_flow(
        self, call: EndpointCall, task: _NewTask, identity: str | None
    ) -> Flow[TaskHandle]:
        """Send a create call, journaled (when ``identity`` is known) before it is sent."""
        journal = self._journal
        entry_id: int | None = None
        if journal is not None and identity is not None:
            entry_id = yield Local(
                partial(
                    journal.begin,
                    fingerprint=identity,
                    model=task.model,
                    provider=task.provider,
                    family=task.family.name,
                    kie_model=task.kie_model,
                    endpoint=call.describe(),
                    payload=dict(call.body or {}),
                    base_url=self.base_url,
                    estimated_credits=task.estimated_credits,
                )
            )
        progress = _CreateProgress()
        try:
            data = yield from self._exchange(call, create=True, progress=progress)
            try:
                task_id = task.family.task_id_from_create(data)
            except MalformedResponseError as error:
                raise ambiguous_create_error(error, path=call.path, redact=self._redact) from error
        except AmbiguousCreateError as error:
            if journal is None or entry_id is None:
                raise
            yield Local(partial(journal.ambiguous, entry_id, str(error)))
            raise _with_entry(error, entry_id) from error
        except KieError as error:
            if journal is not None and entry_id is not None:
                yield Local(partial(journal.rejected, entry_id, str(error)))
            raise
        except BaseException:
            # Interrupted (or closed): recorded at once, as no further step may be taken.
            if journal is not None and entry_id is not None:
                if progress.maybe_sent:
                    journal.ambiguous(entry_id, "interrupted while waiting for the create answer")
                else:
                    journal.rejected(entry_id, "interrupted before the create request was sent")
            raise
        handle = task.handle(task_id)
        if journal is not None and entry_id is not None:
            yield Local(partial(journal.created, entry_id, handle))
        return handle

    def _status_once(self, task_id: str, family: TaskFamily) -> Flow[TaskStatus]:
        data = yield from self._exchange(family.status_call(task_id), task_id=task_id)
        status = family.parse_status(task_id, data)
        if self._journal is not None:
            yield Local(partial(self._journal.record_status, task_id, status))
        return status

    def _status_flow(self, task: TaskRef, family: str | None) -> Flow[TaskStatus]:
        task_id, task_family = yield from self._task_family(task, family)
        return (yield from self._status_once(task_id, task_family))

    def _wait_flow(
        self,
        task: TaskRef,
        timeout: float | None,
        on_update: StatusCallback | None,
        family: str | None,
    ) -> Flow[TaskStatus]:
        task_id, task_family = yield from self._task_family(task, family)
        tracker = WaitTracker(
            self._poll,
            task_id,
            clock=self._clock,
            timeout=timeout,
            created_at=task.created_at if isinstance(task, TaskHandle) else None,
            redact=self._redact,
        )
        while True:
            try:
                status = yield from self._status_once(task_id, task_family)
            except KieError as error:
                delay = tracker.observe_error(error)
            else:
                if on_update is not None:
                    on_update(status)
                next_delay = tracker.observe(status)
                if next_delay is None:
                    return status
                delay = next_delay
            yield Sleep(delay)

    def _generate_flow(
        self,
        request: VideoRequest | PreparedRequest,
        timeout: float | None,
        on_update: StatusCallback | None,
        again: bool,
    ) -> Flow[tuple[TaskHandle, TaskStatus]]:
        handle = yield from self._submit_flow(request, again)
        status = yield from self._wait_flow(handle, timeout, on_update, None)
        return handle, status

    def _download_flow(
        self,
        target: Video | TaskStatus | TaskHandle | str,
        dest_dir: str | os.PathLike[str],
        filename: str | None,
        on_progress: ProgressCallback | None,
    ) -> Flow[list[Path]]:
        if isinstance(target, Video):
            status = target.status
        elif isinstance(target, TaskStatus):
            status = target
        else:
            status = yield from self._status_flow(target, None)
        if status.failed:
            raise failure_error(status, self._redact)
        if not status.succeeded:
            raise DownloadError(
                f"the task is {status.raw_state or status.state.value}: nothing to download yet",
                task_id=status.task_id,
                retryable=True,
            )
        if not status.result_urls:
            raise DownloadError(
                "the task succeeded but reported no result file", task_id=status.task_id
            )
        directory = Path(dest_dir).expanduser()
        names = _result_filenames(status.task_id, status.result_urls, filename)
        results: list[DownloadResult] = []
        for url, name in zip(status.result_urls, names, strict=True):
            result = yield from fetch_flow(
                self._file_request,
                url,
                directory,
                filename=name,
                refresh=self._download_url_flow,
                on_progress=on_progress,
                retry=self._retry,
            )
            results.append(result)
        journal = self._journal
        if journal is not None:
            first = results[0]
            yield Local(
                partial(
                    journal.downloaded, status.task_id, str(first.path), first.sha256, first.size
                )
            )
        return [result.path for result in results]

    def _file_request(self, url: str, headers: dict[str, str]) -> httpx.Request:
        """Return the GET of a result file: the client's timeout, never the API key."""
        return httpx.Request(
            "GET",
            url,
            headers={"User-Agent": USER_AGENT, **headers},
            extensions={"timeout": self._timeout.as_dict()},
        )

    def _close_journal(self) -> None:
        if self._owns_journal and self._journal is not None:
            self._journal.close()
