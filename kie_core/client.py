"""The kie clients: :class:`Client` (blocking) and :class:`AsyncClient` (asyncio).

Both run the same code. Every operation (submit, resend, status, wait, download...) is
written once, in :mod:`kie_core.flows`, as a *flow*: a generator that yields the I/O it needs
(sleep, send one HTTP request, fetch one result file) and receives the outcome. The two
clients here only differ in the small driver that performs those actions
(:mod:`kie_core.actions`), with :mod:`httpx` sync or async. So retries, rate limits, polling,
journaling and the never-pay-twice rules are the same in both.

Example:
    >>> from kie_core import Client, VideoRequest
    >>> with Client() as kie:  # doctest: +SKIP
    ...     video = kie.generate(VideoRequest(model="kling-2.5-turbo", prompt="a fox"))
    ...     video.download("out/")
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar, cast

import httpx

from kie_core.actions import Flow, arun, run
from kie_core.calls import EndpointCall
from kie_core.errors import InvalidRequestError, KieError
from kie_core.flows import (
    DEFAULT_UPLOAD_PATH,
    ErrorCallback,
    StatusCallback,
    TaskRef,
    _ClientCore,
)
from kie_core.polling import PollSchedule
from kie_core.ratelimit import RateLimiter, RateLimits
from kie_core.registry import Registry
from kie_core.request import VideoRequest
from kie_core.results import PreparedRequest, ProgressCallback, Video
from kie_core.retry import RetryPolicy
from kie_core.status import TaskHandle, TaskStatus
from kie_core.stores import JournalStore, RateLimitStore
from kie_core.transport import USER_AGENT

__all__ = [
    "AsyncClient",
    "Client",
    "PollSchedule",
    "PreparedRequest",
    "RateLimiter",
    "RateLimits",
    "RetryPolicy",
    "Video",
]

T = TypeVar("T")

#: Tasks a batch runs at once by default: KIE runs 100+ tasks per account concurrently, and
#: with minute-long generations fewer in flight would leave most of the create budget unused.
DEFAULT_CONCURRENCY = 100


def _check_concurrency(concurrency: int) -> None:
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise InvalidRequestError(
            f"concurrency must be a positive integer, got {concurrency!r}",
            field="concurrency",
            value=concurrency,
        )


def _folder(output_dir: str | os.PathLike[str] | None) -> str | None:
    if output_dir is None:
        return None
    return str(Path(output_dir).expanduser().absolute())


# --- the blocking client ------------------------------------------------------------------


class Client(_ClientCore):
    """The blocking KIE.ai client.

    Args:
        api_key: the KIE.ai API key; default ``$KIE_API_KEY``. Only calls that reach KIE need
            it: :meth:`resolve` and :meth:`prepare` (``--dry-run``) work without one.
        base_url: the API base URL; default ``$KIE_BASE_URL`` or ``https://api.kie.ai``.
        upload_base_url: the upload host; default ``$KIE_UPLOAD_BASE_URL`` or
            ``https://kieai.redpandaai.co``.
        timeout: seconds to wait for an answer (connecting is capped at 10 s), or an
            :class:`httpx.Timeout`.
        registry: the models to use; default: the installed plugins.
        journal: a journal store (:class:`~kie_core.journal.Journal`, or the PostgreSQL one);
            ``True`` opens the default one; ``None`` (default) opens the default one only when
            ``$KIE_JOURNAL`` or a database URL is set; ``False`` never.
        rate_limiter: a rate limit store (:class:`RateLimiter`, or the PostgreSQL one);
            default: the one shared by every client of this API key in the process (in the
            database, with a database URL); ``False`` disables client-side rate limiting.
        retry: the :class:`RetryPolicy`.
        poll: the :class:`PollSchedule` of :meth:`wait` (``PollSchedule.fast()`` for the
            emulator).
        transport: an :mod:`httpx` transport (``httpx.MockTransport`` in tests).
        clock: a monotonic clock in seconds, for wait deadlines (tests inject a fake one).
        sleep: the sleep function (tests inject a fake one).
        database_url: a ``postgresql://`` URL (default ``$KIE_DATABASE_URL``): the journal and
            the rate limits then live in that database (needs ``kie-postgres``), shared by
            every process of every machine using it. Unset: the embedded SQLite journal and
            the in-process limiter.
        daily_budget: refuse a create that would take today's spend (UTC day, counted from
            the journal across every process) over this many credits
            (:class:`~kie_core.errors.BudgetExceededError`); needs a journal.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        upload_base_url: str | None = None,
        timeout: float | httpx.Timeout = 30.0,
        registry: Registry | None = None,
        journal: JournalStore | bool | None = None,
        rate_limiter: RateLimitStore | bool | None = None,
        retry: RetryPolicy | None = None,
        poll: PollSchedule | None = None,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
        database_url: str | None = None,
        daily_budget: float | None = None,
    ) -> None:
        super().__init__(
            api_key,
            base_url=base_url,
            upload_base_url=upload_base_url,
            timeout=timeout,
            registry=registry,
            journal=journal,
            rate_limiter=rate_limiter,
            retry=retry,
            poll=poll,
            clock=clock,
            database_url=database_url,
            daily_budget=daily_budget,
        )
        self._sleep = sleep or time.sleep
        self._http = httpx.Client(
            transport=transport, timeout=self._timeout, headers={"User-Agent": USER_AGENT}
        )

    # --- the driver ----------------------------------------------------------------------

    def _run(self, flow: Flow[T]) -> T:
        return run(flow, self._http, self._sleep)

    # --- the API -------------------------------------------------------------------------

    def submit(
        self,
        request: VideoRequest | PreparedRequest,
        *,
        again: bool = False,
        output_dir: str | os.PathLike[str] | None = None,
    ) -> TaskHandle:
        """Validate a request, upload its local files, journal it and create the task.

        ``request`` may be what :meth:`prepare` returned (shown to a user, checked against a
        budget...): it is then sent as it is, not resolved nor built again.

        An identical request already created, running, succeeded or downloaded within KIE's
        14-day retention (per the journal) is followed instead of being paid for twice, unless
        ``again`` is true. ``output_dir`` is journaled as the folder the result is meant for
        (``kie resume`` downloads there).

        Raises:
            InvalidRequestError: rejected locally; nothing was sent.
            AmbiguousCreateError: the create was sent and its answer lost (the task may exist),
                or the journal holds an identical request in that state.
            ApiError: KIE refused the request (nothing was created).
        """
        return self._run(self._submit_flow(request, again, _folder(output_dir)))

    def resend(self, entry_id: int) -> TaskHandle:
        """Send the create call of an ambiguous journal entry again, as a new create.

        For a request whose answer was lost (the journal entry is AMBIGUOUS) that you checked
        was not created, e.g. in the KIE console: KIE has no idempotency key, so if the first
        send did create a task, this pays twice. The old entry is closed with a note (state
        REJECTED); the new send is journaled like :meth:`submit` journals, in an entry of its
        own written before it is sent.

        Args:
            entry_id: the journal entry's id (``kie tasks`` shows it).

        Raises:
            ConfigurationError: this client has no journal.
            InvalidRequestError: no such entry, the entry is not AMBIGUOUS, or it was sent to
                another base URL; nothing was sent.
            AmbiguousCreateError: the answer of the new send was lost too.
            ApiError: KIE refused the request (nothing was created).
        """
        return self._run(self._resend_flow(entry_id))

    def status(self, task: TaskRef, *, family: str | None = None) -> TaskStatus:
        """Read a task's status once.

        Args:
            task: a handle, or a task id (its family then comes from ``family``, the journal,
                or defaults to ``market``).
            family: the task family, overriding the handle's or the journal's.
        """
        return self._run(self._status_flow(task, family))

    def wait(
        self,
        task: TaskRef,
        *,
        timeout: float | None = None,
        on_update: StatusCallback | None = None,
        family: str | None = None,
        on_error: ErrorCallback | None = None,
    ) -> TaskStatus:
        """Poll a task until it finishes, following the poll schedule.

        Args:
            task: a handle or a task id.
            timeout: seconds before giving up (default: the schedule's deadline, 15 min); a
                positive number.
            on_update: called with every status read.
            family: see :meth:`status`.
            on_error: called with every failed status query the wait survives (a transient
                error, or "not visible yet" right after creation), so a wait whose queries
                keep failing can say so as it goes.

        Raises:
            TaskFailedError: the task failed (KIE's failCode and failMsg included).
            TaskTimeoutError: the deadline passed; the task may still finish.
        """
        return self._run(self._wait_flow(task, timeout, on_update, family, on_error))

    def generate(
        self,
        request: VideoRequest | PreparedRequest,
        *,
        timeout: float | None = None,
        on_update: StatusCallback | None = None,
        again: bool = False,
        output_dir: str | os.PathLike[str] | None = None,
        on_error: ErrorCallback | None = None,
    ) -> Video:
        """Submit a request and wait for its video (see :meth:`submit` and :meth:`wait`)."""
        flow = self._generate_flow(
            request,
            timeout,
            on_update,
            again,
            output_dir=_folder(output_dir),
            on_error=on_error,
        )
        handle, status = self._run(flow)
        return Video(handle, status, self)

    def generate_many(
        self,
        requests: Iterable[VideoRequest],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        timeout: float | None = None,
        again: bool = False,
        on_done: Callable[[int, Video | KieError], None] | None = None,
    ) -> list[Video | KieError]:
        """Generate several videos at once, in worker threads, under the shared rate limits.

        Returns:
            One entry per request, in order: the :class:`Video`, or the :class:`KieError`
            that stopped it.
        """
        _check_concurrency(concurrency)
        items = list(requests)
        lock = threading.Lock()

        def one(index: int, request: VideoRequest) -> Video | KieError:
            outcome: Video | KieError
            try:
                outcome = self.generate(request, timeout=timeout, again=again)
            except KieError as error:
                outcome = error
            if on_done is not None:
                with lock:
                    on_done(index, outcome)
            return outcome

        with ThreadPoolExecutor(max_workers=min(concurrency, max(1, len(items)))) as pool:
            return list(pool.map(one, range(len(items)), items))

    def download(
        self,
        target: Video | TaskStatus | TaskHandle | str,
        dest_dir: str | os.PathLike[str] = ".",
        *,
        filename: str | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> Path:
        """Download every result file of a task; return the path of the first (main) one.

        Files are named ``<task_id>.mp4`` (``<task_id>-<n>.mp4`` when there are several)
        unless ``filename`` is given. Expired links are refreshed through
        :meth:`download_url`.
        """
        return self.download_all(target, dest_dir, filename=filename, on_progress=on_progress)[0]

    def download_all(
        self,
        target: Video | TaskStatus | TaskHandle | str,
        dest_dir: str | os.PathLike[str] = ".",
        *,
        filename: str | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> list[Path]:
        """Download every result file of a task; return their paths in order."""
        return self._run(self._download_flow(target, dest_dir, filename, on_progress))

    def credits(self) -> float:
        """Return the account's remaining credits."""
        return self._run(self._credits_flow())

    def download_url(self, url: str) -> str:
        """Return a fresh 20-minute link to a KIE result file."""
        return self._run(self._download_url_flow(url))

    def upload(
        self, path: str | os.PathLike[str], *, upload_path: str = DEFAULT_UPLOAD_PATH
    ) -> str:
        """Upload a local file to KIE's upload host and return its URL (kept 3 days)."""
        return self._run(self._upload_flow(path, upload_path))

    def call(self, call: EndpointCall, *, create: bool = False) -> Any:
        """Send any endpoint call and return its envelope ``data``.

        With ``create=True`` the never-pay-twice rules apply (no journal entry is written).
        """
        return self._run(self._call_flow(call, create))

    def close(self) -> None:
        """Close the HTTP connections (and the journal, if this client opened it)."""
        self._http.close()
        self._close_journal()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


# --- the asyncio client -------------------------------------------------------------------


class AsyncClient(_ClientCore):
    """The asyncio KIE.ai client: the same arguments and methods as :class:`Client`, awaited.

    ``transport`` is an :class:`httpx.AsyncBaseTransport` and ``sleep`` an async function.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        upload_base_url: str | None = None,
        timeout: float | httpx.Timeout = 30.0,
        registry: Registry | None = None,
        journal: JournalStore | bool | None = None,
        rate_limiter: RateLimitStore | bool | None = None,
        retry: RetryPolicy | None = None,
        poll: PollSchedule | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        database_url: str | None = None,
        daily_budget: float | None = None,
    ) -> None:
        super().__init__(
            api_key,
            base_url=base_url,
            upload_base_url=upload_base_url,
            timeout=timeout,
            registry=registry,
            journal=journal,
            rate_limiter=rate_limiter,
            retry=retry,
            poll=poll,
            clock=clock,
            database_url=database_url,
            daily_budget=daily_budget,
        )
        self._sleep = sleep or asyncio.sleep
        self._http = httpx.AsyncClient(
            transport=transport, timeout=self._timeout, headers={"User-Agent": USER_AGENT}
        )

    # --- the driver ----------------------------------------------------------------------

    async def _run(self, flow: Flow[T]) -> T:
        return await arun(flow, self._http, self._sleep)

    # --- the API -------------------------------------------------------------------------

    async def submit(
        self,
        request: VideoRequest | PreparedRequest,
        *,
        again: bool = False,
        output_dir: str | os.PathLike[str] | None = None,
    ) -> TaskHandle:
        """See :meth:`Client.submit`."""
        return await self._run(self._submit_flow(request, again, _folder(output_dir)))

    async def resend(self, entry_id: int) -> TaskHandle:
        """See :meth:`Client.resend`."""
        return await self._run(self._resend_flow(entry_id))

    async def status(self, task: TaskRef, *, family: str | None = None) -> TaskStatus:
        """See :meth:`Client.status`."""
        return await self._run(self._status_flow(task, family))

    async def wait(
        self,
        task: TaskRef,
        *,
        timeout: float | None = None,
        on_update: StatusCallback | None = None,
        family: str | None = None,
        on_error: ErrorCallback | None = None,
    ) -> TaskStatus:
        """See :meth:`Client.wait`."""
        return await self._run(self._wait_flow(task, timeout, on_update, family, on_error))

    async def generate(
        self,
        request: VideoRequest | PreparedRequest,
        *,
        timeout: float | None = None,
        on_update: StatusCallback | None = None,
        again: bool = False,
        output_dir: str | os.PathLike[str] | None = None,
        on_error: ErrorCallback | None = None,
    ) -> Video:
        """See :meth:`Client.generate`."""
        flow = self._generate_flow(
            request,
            timeout,
            on_update,
            again,
            output_dir=_folder(output_dir),
            on_error=on_error,
        )
        handle, status = await self._run(flow)
        return Video(handle, status, self)

    async def generate_many(
        self,
        requests: Iterable[VideoRequest],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        timeout: float | None = None,
        again: bool = False,
        on_done: Callable[[int, Video | KieError], None] | None = None,
    ) -> list[Video | KieError]:
        """Generate several videos concurrently under the shared rate limits.

        At most ``concurrency`` tasks are in flight (created and not finished) at once; the
        rate limiter spaces the creates and the status queries, so a large batch runs at
        KIE's create budget without collecting 429s.

        Returns:
            One entry per request, in order: the :class:`Video`, or the :class:`KieError`
            that stopped it.
        """
        _check_concurrency(concurrency)
        items = list(requests)
        results: list[Video | KieError | None] = [None] * len(items)
        pending = iter(enumerate(items))

        # A fixed pool of workers pulls the next request, so a 10,000-request batch holds
        # ``concurrency`` coroutines, not one per request.
        async def worker() -> None:
            for index, request in pending:
                outcome: Video | KieError
                try:
                    outcome = await self.generate(request, timeout=timeout, again=again)
                except KieError as error:
                    outcome = error
                results[index] = outcome
                if on_done is not None:
                    on_done(index, outcome)

        async with asyncio.TaskGroup() as group:
            for _ in range(min(concurrency, len(items))):
                group.create_task(worker())
        return cast(list[Video | KieError], results)

    async def download(
        self,
        target: Video | TaskStatus | TaskHandle | str,
        dest_dir: str | os.PathLike[str] = ".",
        *,
        filename: str | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> Path:
        """See :meth:`Client.download`."""
        paths = await self.download_all(
            target, dest_dir, filename=filename, on_progress=on_progress
        )
        return paths[0]

    async def download_all(
        self,
        target: Video | TaskStatus | TaskHandle | str,
        dest_dir: str | os.PathLike[str] = ".",
        *,
        filename: str | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> list[Path]:
        """See :meth:`Client.download_all`."""
        return await self._run(self._download_flow(target, dest_dir, filename, on_progress))

    async def credits(self) -> float:
        """See :meth:`Client.credits`."""
        return await self._run(self._credits_flow())

    async def download_url(self, url: str) -> str:
        """See :meth:`Client.download_url`."""
        return await self._run(self._download_url_flow(url))

    async def upload(
        self, path: str | os.PathLike[str], *, upload_path: str = DEFAULT_UPLOAD_PATH
    ) -> str:
        """See :meth:`Client.upload`."""
        return await self._run(self._upload_flow(path, upload_path))

    async def call(self, call: EndpointCall, *, create: bool = False) -> Any:
        """See :meth:`Client.call`."""
        return await self._run(self._call_flow(call, create))

    async def close(self) -> None:
        """Close the HTTP connections (and the journal, if this client opened it)."""
        await self._http.aclose()
        self._close_journal()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
