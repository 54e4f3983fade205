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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import httpx

from kie_core.actions import Fetch, Flow, Send, Sleep
from kie_core.calls import EndpointCall
from kie_core.errors import (
    AmbiguousCreateError,
    ApiError,
    ConfigurationError,
    DownloadError,
    DownloadInProgressError,
    InvalidRequestError,
    KieError,
    MalformedResponseError,
    RateLimitError,
)
from kie_core.families.base import TaskFamily, float_or_none
from kie_core.files import DownloadResult
from kie_core.journal import (
    STALE_SUBMITTING,
    Journal,
    JournalEntry,
    JournalState,
    check_daily_budget,
    fingerprint,
)
from kie_core.models import ResolvedRequest, VideoModel
from kie_core.polling import PollSchedule, WaitTracker, failure_error
from kie_core.ratelimit import CallKind, shared_limiter
from kie_core.registry import Registry, default_registry
from kie_core.request import VideoRequest, is_remote
from kie_core.results import PreparedRequest, ProgressCallback, Video
from kie_core.retry import RetryPolicy, Verdict, classify, was_not_taken
from kie_core.status import TaskHandle, TaskStatus
from kie_core.stores import (
    JournalStore,
    RateLimitStore,
    configured_database_url,
    open_journal_store,
    open_rate_limit_store,
)
from kie_core.transport import (
    CREDITS_PATH,
    DEFAULT_BASE_URL,
    DEFAULT_UPLOAD_BASE_URL,
    DOWNLOAD_URL_PATH,
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

#: Seconds a send may start after its rate-limit slot; later, the slot is given up for a new one.
LATE_SLOT_TOLERANCE = 0.1
#: Slots taken at most for one send when the process keeps waking up late (then it sends).
LATE_SLOT_ATTEMPTS = 3

#: Folder on the upload host that local inputs go to.
DEFAULT_UPLOAD_PATH = "kie/inputs"

_MEDIA_SUFFIXES = frozenset({".mp4", ".mov", ".webm", ".mkv", ".gif", ".png", ".jpg", ".jpeg"})
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")

#: A task: its handle, or its task id.
TaskRef = TaskHandle | str
#: Called with every status a wait reads.
StatusCallback = Callable[[TaskStatus], None]
#: Called with every failed status query of a wait that goes on (the wait reports it as it goes).
ErrorCallback = Callable[[KieError], None]

#: How long a download waits for another process writing the same file, in seconds.
DOWNLOAD_BUSY_WAIT = 1800.0


def check_timeout(timeout: float | None) -> None:
    """Refuse a wait timeout that is not a positive number of seconds, before anything is sent.

    Raises:
        InvalidRequestError: naming the value and what is accepted.
    """
    if timeout is None:
        return
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not 0 < timeout < float("inf")
    ):
        raise InvalidRequestError(
            f"timeout {timeout!r} is not accepted: give a positive number of seconds",
            field="timeout",
            value=timeout,
        )


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


#: The phrase of an error message telling how to send a request anyway; the CLI shows its own.
AGAIN_HINT = "pass again=True to send it anyway"

#: How often a request identical to one being sent by another process re-reads the journal.
FOLLOW_POLL_SECONDS = 0.1


def _ambiguous_entry_error(entry: JournalEntry) -> AmbiguousCreateError:
    when = entry.created_at.isoformat(timespec="seconds")
    return AmbiguousCreateError(
        f"an identical request is already in the journal as {entry.state.value} (journal entry "
        f"#{entry.id}, {when}): it may have created a task and spent credits. Check it with "
        f"`kie resume`, or {AGAIN_HINT}"
    )


def _with_entry(error: AmbiguousCreateError, entry_id: int) -> AmbiguousCreateError:
    return AmbiguousCreateError(f"{error.message} (journal entry #{entry_id})", code=error.code)


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _replace_media(request: VideoRequest, mapping: dict[str, str]) -> VideoRequest:
    update: dict[str, Any] = {}
    for name, value in request.media_inputs().items():
        if isinstance(value, tuple):
            update[name] = tuple(mapping.get(item, item) for item in value)
        else:
            update[name] = mapping.get(value, value)
    return request.model_copy(update=update)


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


def _open_journal(
    journal: JournalStore | bool | None, database_url: str | None = None
) -> tuple[JournalStore | None, bool]:
    """Return (journal, owned): None unless given, True, a database URL or ``KIE_JOURNAL``."""
    if journal is False:
        return None, False
    if database_url is not None and (journal is None or journal is True):
        return open_journal_store(database_url), True
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
        journal: JournalStore | bool | None,
        rate_limiter: RateLimitStore | bool | None,
        retry: RetryPolicy | None,
        poll: PollSchedule | None,
        clock: Callable[[], float] | None,
        database_url: str | None = None,
        daily_budget: float | None = None,
    ) -> None:
        if daily_budget is not None and (
            isinstance(daily_budget, bool)
            or not isinstance(daily_budget, int | float)
            or not daily_budget >= 0
        ):
            raise ConfigurationError(
                f"daily_budget must be a number of credits >= 0, got {daily_budget!r}"
            )
        self._daily_budget = float(daily_budget) if daily_budget is not None else None
        raw_key = api_key if api_key is not None else os.environ.get(API_KEY_ENV)
        try:
            self._key = ApiKey(raw_key) if raw_key and raw_key.strip() else None
        except ValueError as exc:
            raise ConfigurationError(str(exc)) from None
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
        self._database_url = configured_database_url(database_url)
        self._journal, self._owns_journal = _open_journal(journal, self._database_url)
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
    def journal(self) -> JournalStore | None:
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

    def _limiter(self, key: ApiKey) -> RateLimitStore | None:
        choice = self._limiter_choice
        if choice is False:
            return None
        if choice is not None and choice is not True:
            return choice
        if self._database_url is not None:
            return open_rate_limit_store(self._database_url, key)
        return shared_limiter(key)

    def _redact(self, text: str) -> str:
        return self._key.redact(text) if self._key is not None else text

    def __repr__(self) -> str:
        key = "set" if self._key is not None else "missing"
        journal = getattr(self._journal, "path", None) if self._journal is not None else None
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

    def prepare(self, request: VideoRequest) -> PreparedRequest:
        """Resolve a request and build its create call; nothing is sent and no key is needed.

        Raises:
            InvalidRequestError: the request does not fit the model, or a local input file
                does not exist.
        """
        model = self.registry.get(request.model)
        resolved = model.resolve(request)
        self._check_local_files(resolved.request)
        return PreparedRequest(
            resolved=resolved,
            call=model.build_call(resolved),
            model=model,
            estimated_credits=resolved.estimate_credits(),
        )

    @staticmethod
    def _check_local_files(request: VideoRequest) -> None:
        for name, value in request.media_inputs().items():
            for item in value if isinstance(value, tuple) else (value,):
                if is_remote(item) and not urlsplit(item).hostname:
                    raise InvalidRequestError(
                        f"{name} {item!r} is not a usable URL: it has no host name "
                        "(for example https://example.com/frame.png)",
                        field=name,
                        value=item,
                    )
                if not is_remote(item) and not Path(item).expanduser().is_file():
                    raise InvalidRequestError(
                        f"{name} {item!r} is neither an http(s) URL nor an existing file",
                        field=name,
                        value=item,
                    )

    def _family_named(self, name: str) -> TaskFamily:
        return self.registry.family(name)

    def _task_family(self, task: TaskRef, family: str | None) -> tuple[str, TaskFamily]:
        if isinstance(task, TaskHandle):
            return task.task_id, self._family_named(family or task.family)
        if not isinstance(task, str) or not task.strip():
            raise InvalidRequestError(
                f"task must be a TaskHandle or a task id, got {task!r}", field="task", value=task
            )
        if family is None and self._journal is not None:
            entry = self._journal.get(task)
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
        reserved: bool = False,
    ) -> Flow[Any]:
        """Send one call under the rate limit and the retry policy; return its envelope data.

        ``reserved``: the caller already waited for the first attempt's rate-limit slot.
        """
        key = self._require_key()
        limiter = self._limiter(key)
        kind = CallKind.CREATE if create else CallKind.QUERY
        attempt = 0
        while True:
            attempt += 1
            if limiter is not None and not (reserved and attempt == 1):
                yield from self._wait_for_slot(limiter, kind)
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

    def _wait_for_slot(self, limiter: RateLimitStore, kind: CallKind) -> Flow[None]:
        """Wait for a rate-limit slot; take a new one when this process woke up too late.

        A send much later than its slot (a stalled process, a busy machine) would land in the
        server's window together with the slots after it; such a slot is given up instead.
        """
        for _ in range(LATE_SLOT_ATTEMPTS):
            wait = limiter.reserve(kind)
            if wait <= 0:
                return
            due = self._clock() + wait
            yield Sleep(wait)
            if self._clock() - due <= LATE_SLOT_TOLERANCE:
                return

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
        if not source.is_file():
            raise InvalidRequestError(
                f"cannot upload {str(source)!r}: no such file", field="path", value=str(source)
            )
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

    def _upload_inputs_flow(self, request: VideoRequest) -> Flow[VideoRequest]:
        mapping: dict[str, str] = {}
        for location in request.local_files():
            if location not in mapping:
                mapping[location] = yield from self._upload_flow(location, DEFAULT_UPLOAD_PATH)
        return _replace_media(request, mapping) if mapping else request

    def _identity_call(self, model: VideoModel, resolved: ResolvedRequest) -> EndpointCall:
        """Return the create call with local files named by content, for the fingerprint.

        An uploaded file gets a new URL each time, so the fingerprint of a request with local
        inputs uses their SHA-256 instead; re-running the same command is then recognised.
        """
        local = resolved.request.local_files()
        if not local:
            return model.build_call(resolved)
        mapping = {
            item: f"local-file:sha256:{_file_digest(Path(item).expanduser())}" for item in local
        }
        request = _replace_media(resolved.request, mapping)
        return model.build_call(resolved.model_copy(update={"request": request}))

    def _submit_flow(
        self, request: VideoRequest, again: bool, output_dir: str | None = None
    ) -> Flow[TaskHandle]:
        prepared = self.prepare(request)
        resolved, model = prepared.resolved, prepared.model
        resolved.warn()
        self._require_key()
        journal = self._journal
        identity: str | None = None
        if journal is None and self._daily_budget is not None:
            raise ConfigurationError(
                "a daily budget is counted from the journal: pass journal=... (or True) too"
            )
        if journal is not None:
            identity = fingerprint(self._identity_call(model, resolved), self.base_url)
            # A first look before uploading anything: the claim below decides for good.
            entry = None if again else journal.find_existing(identity, self.base_url)
            if entry is not None:
                handle = yield from self._follow(journal, entry)
                if handle is not None:
                    return handle
            if self._daily_budget is not None:
                check_daily_budget(
                    self._daily_budget, journal.spent_today(), prepared.estimated_credits
                )
        uploaded = yield from self._upload_inputs_flow(resolved.request)
        if uploaded is not resolved.request:
            resolved = resolved.model_copy(update={"request": uploaded})
        task = _NewTask(
            model=resolved.spec.name,
            provider=self.registry.provider_of(model),
            family=model.family,
            kie_model=resolved.mode.kie_model,
            variant=resolved.variant.name,
            estimated_credits=prepared.estimated_credits,
        )
        call = model.build_call(resolved)
        return (
            yield from self._create_flow(call, task, identity, again=again, output_dir=output_dir)
        )

    def find_identical(self, request: VideoRequest) -> JournalEntry | None:
        """Return the journaled identical request a submit would follow, or None.

        Nothing is sent: this reads the journal only (local files are hashed). A request that
        would be followed costs nothing, so callers skip balance and budget checks for it.
        """
        if self._journal is None:
            return None
        prepared = self.prepare(request)
        identity = fingerprint(
            self._identity_call(prepared.model, prepared.resolved), self.base_url
        )
        entry = self._journal.find_existing(identity, self.base_url)
        if entry is None or entry.state in (JournalState.REJECTED, JournalState.FAILED):
            return None
        return entry

    def check_daily_budget(self, estimate: float | None) -> None:
        """Refuse now, before anything is sent, a create the daily budget does not allow.

        The claim checks again in its transaction; this is for callers that want to refuse
        before other work (a balance query, uploads).

        Raises:
            BudgetExceededError: naming the budget and what is left today.
        """
        if self._daily_budget is not None and self._journal is not None:
            check_daily_budget(self._daily_budget, self._journal.spent_today(), estimate)

    def _follow(self, journal: JournalStore, entry: JournalEntry) -> Flow[TaskHandle | None]:
        """Follow an identical journaled request; None when it was refused (claim anew).

        An entry another process is sending right now (SUBMITTING, not stale) is waited for
        until it has a task id, so identical concurrent requests end up on one task.
        """
        current: JournalEntry | None = entry
        age = (datetime.now(UTC) - entry.created_at).total_seconds()
        deadline = self._clock() + STALE_SUBMITTING.total_seconds() - age
        while (
            current is not None
            and current.state is JournalState.SUBMITTING
            and self._clock() < deadline
        ):
            yield Sleep(FOLLOW_POLL_SECONDS)
            current = journal.get_entry(current.id)
        if current is None or current.state is JournalState.REJECTED:
            return None
        handle = current.handle()
        if handle is None or current.state is JournalState.AMBIGUOUS:
            raise _ambiguous_entry_error(current)
        return handle

    def _resend_flow(self, entry_id: int) -> Flow[TaskHandle]:
        journal = self._journal
        if journal is None:
            raise ConfigurationError(
                "resend needs the journal that holds the entry: pass journal=... or set "
                f"{JOURNAL_ENV}"
            )
        entry = journal.get_entry(entry_id)
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
        if not journal.mark_resent(entry.id):
            raise InvalidRequestError(
                f"journal entry #{entry_id} is no longer ambiguous: another process re-sent "
                "or resolved it meanwhile, so it was not sent again",
                field="entry_id",
                value=entry_id,
            )
        return (
            yield from self._create_flow(
                call, task, entry.fingerprint, again=True, output_dir=entry.output_dir
            )
        )

    def _create_flow(
        self,
        call: EndpointCall,
        task: _NewTask,
        identity: str | None,
        *,
        again: bool = False,
        output_dir: str | None = None,
    ) -> Flow[TaskHandle]:
        """Send a create call, journaled (when ``identity`` is known) before it is sent.

        The journal claim checks for an identical request and inserts this one in one
        transaction: when another process holds an identical request, it is followed instead.
        """
        journal = self._journal
        entry_id: int | None = None
        reserved = False
        if journal is not None and identity is not None:
            # Wait for the create slot BEFORE journaling: a process killed while it waits then
            # leaves no SUBMITTING entry behind, and a journaled entry is sent at once.
            limiter = self._limiter(self._require_key())
            if limiter is not None:
                yield from self._wait_for_slot(limiter, CallKind.CREATE)
                reserved = True
        while journal is not None and identity is not None and entry_id is None:
            entry, created = journal.claim(
                fingerprint=identity,
                model=task.model,
                provider=task.provider,
                family=task.family.name,
                kie_model=task.kie_model,
                endpoint=call.describe(),
                payload=dict(call.body or {}),
                base_url=self.base_url,
                estimated_credits=task.estimated_credits,
                output_dir=output_dir,
                again=again,
                daily_budget=self._daily_budget,
            )
            if created:
                entry_id = entry.id
                break
            handle = yield from self._follow(journal, entry)
            if handle is not None:
                return handle
        progress = _CreateProgress()
        try:
            data = yield from self._exchange(
                call, create=True, progress=progress, reserved=reserved
            )
            try:
                task_id = task.family.task_id_from_create(data)
            except MalformedResponseError as error:
                raise ambiguous_create_error(error, path=call.path, redact=self._redact) from error
        except AmbiguousCreateError as error:
            if journal is None or entry_id is None:
                raise
            journal.ambiguous(entry_id, str(error))
            raise _with_entry(error, entry_id) from error
        except KieError as error:
            if journal is not None and entry_id is not None:
                journal.rejected(entry_id, str(error))
            raise
        except BaseException:
            if journal is not None and entry_id is not None:
                if progress.maybe_sent:
                    journal.ambiguous(entry_id, "interrupted while waiting for the create answer")
                else:
                    journal.rejected(entry_id, "interrupted before the create request was sent")
            raise
        handle = task.handle(task_id)
        if journal is not None and entry_id is not None:
            journal.created(entry_id, handle)
        return handle

    def _status_once(self, task_id: str, family: TaskFamily) -> Flow[TaskStatus]:
        data = yield from self._exchange(family.status_call(task_id), task_id=task_id)
        status = family.parse_status(task_id, data)
        if self._journal is not None:
            self._journal.record_status(task_id, status)
        return status

    def _status_flow(self, task: TaskRef, family: str | None) -> Flow[TaskStatus]:
        task_id, task_family = self._task_family(task, family)
        return (yield from self._status_once(task_id, task_family))

    def _wait_flow(
        self,
        task: TaskRef,
        timeout: float | None,
        on_update: StatusCallback | None,
        family: str | None,
        on_error: ErrorCallback | None = None,
    ) -> Flow[TaskStatus]:
        check_timeout(timeout)
        task_id, task_family = self._task_family(task, family)
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
                if on_error is not None:
                    on_error(error)
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
        request: VideoRequest,
        timeout: float | None,
        on_update: StatusCallback | None,
        again: bool,
        *,
        output_dir: str | None = None,
        on_error: ErrorCallback | None = None,
    ) -> Flow[tuple[TaskHandle, TaskStatus]]:
        check_timeout(timeout)
        handle = yield from self._submit_flow(request, again, output_dir)
        status = yield from self._wait_flow(handle, timeout, on_update, None, on_error)
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
        saved = self._already_downloaded(status, directory, filename)
        if saved is not None:
            return [saved]
        names = _result_filenames(status.task_id, status.result_urls, filename)
        results: list[DownloadResult] = []
        for url, name in zip(status.result_urls, names, strict=True):
            busy_until = self._clock() + DOWNLOAD_BUSY_WAIT
            while True:
                try:
                    result = yield Fetch(url, directory, name, on_progress)
                except DownloadInProgressError:
                    # Another process writes this file: wait for it, then use its result.
                    if self._clock() >= busy_until:
                        raise
                    yield Sleep(FOLLOW_POLL_SECONDS * 2)
                    saved = self._already_downloaded(status, directory, filename)
                    if saved is not None:
                        return [saved]
                    continue
                break
            results.append(result)
        if self._journal is not None:
            first = results[0]
            self._journal.downloaded(status.task_id, str(first.path), first.sha256, first.size)
        return [result.path for result in results]

    def _already_downloaded(
        self, status: TaskStatus, directory: Path, filename: str | None
    ) -> Path | None:
        """Return the journaled file of this task when it is in ``directory`` and intact."""
        if self._journal is None or len(status.result_urls) != 1:
            return None
        entry = self._journal.get(status.task_id)
        if entry is None or entry.state is not JournalState.DOWNLOADED or not entry.output_path:
            return None
        saved = Path(entry.output_path)
        try:
            same_place = saved.parent.resolve() == directory.resolve()
            intact = saved.is_file() and saved.stat().st_size == entry.size
        except OSError:
            return None
        if not same_place or not intact or (filename is not None and saved.name != filename):
            return None
        return saved if _file_digest(saved) == entry.sha256 else None

    def _close_journal(self) -> None:
        if self._owns_journal and self._journal is not None:
            self._journal.close()
