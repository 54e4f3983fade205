"""What every flow shares: the client's configuration and one exchange with KIE.

:class:`FlowBase` holds the key, the endpoints, the journal, the limiter and the retry policy,
checks requests locally (:meth:`FlowBase.prepare`), and sends one call under the rate limit and
the retry policy (:meth:`FlowBase._exchange`); the operations are in the sibling modules.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import httpx

from kie_core.actions import Flow, Local, Send, Sleep
from kie_core.calls import EndpointCall
from kie_core.errors import (
    ApiError,
    ConfigurationError,
    InvalidRequestError,
    KieError,
    MalformedResponseError,
    RateLimitError,
)
from kie_core.families.base import TaskFamily, float_or_none
from kie_core.journal import Journal, JournalEntry
from kie_core.models import ResolvedRequest
from kie_core.polling import PollSchedule
from kie_core.ratelimit import CallKind, shared_limiter
from kie_core.registry import Registry, default_registry
from kie_core.request import VideoRequest
from kie_core.results import PreparedRequest
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
    ApiKey,
    Endpoints,
    ambiguous_create_error,
    build_request,
    make_timeout,
    read_response,
    transport_error,
)

#: Environment variables the clients read.
API_KEY_ENV = "KIE_API_KEY"
BASE_URL_ENV = "KIE_BASE_URL"
UPLOAD_BASE_URL_ENV = "KIE_UPLOAD_BASE_URL"
JOURNAL_ENV = "KIE_JOURNAL"

#: Folder on the upload host that local inputs go to.
DEFAULT_UPLOAD_PATH = "kie/inputs"

#: Seconds a send may start after its rate-limit slot; later, the slot is given up for a new one.
LATE_SLOT_TOLERANCE = 0.1
#: Slots taken at most for one send when the process keeps waking up late (then it sends).
LATE_SLOT_ATTEMPTS = 3


class _CreateProgress:
    """Where a create stands: its journal row, and whether it may have reached the server.

    ``maybe_sent`` decides ambiguous vs rejected when the create fails or is interrupted.
    """

    def __init__(self) -> None:
        self.entry_id: int | None = None
        self.maybe_sent = False


#: A task: its handle, or its task id.
TaskRef = TaskHandle | str
#: Called with every status a wait reads.
StatusCallback = Callable[[TaskStatus], None]
#: Called with every failed status query of a wait that goes on (the wait reports it as it goes).
ErrorCallback = Callable[[KieError], None]


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


class FlowBase:
    """Configuration, local checks and the one exchange every operation is made of."""

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

    def _close_journal(self) -> None:
        if self._owns_journal and self._journal is not None:
            self._journal.close()
