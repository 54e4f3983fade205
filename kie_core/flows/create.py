"""Creating tasks: submit (journaled, never paid twice), resend, and the create call itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from kie_core.actions import Flow, Local, Sleep, run_local
from kie_core.calls import EndpointCall
from kie_core.errors import (
    AmbiguousCreateError,
    ConfigurationError,
    InvalidRequestError,
    KieError,
    MalformedResponseError,
)
from kie_core.families.base import TaskFamily
from kie_core.files import file_sha256
from kie_core.flows.base import JOURNAL_ENV, _CreateProgress
from kie_core.flows.upload import UploadFlows
from kie_core.journal import (
    STALE_SUBMITTING,
    JournalEntry,
    JournalState,
    check_daily_budget,
    fingerprint,
)
from kie_core.ratelimit import CallKind
from kie_core.request import VideoRequest
from kie_core.results import PreparedRequest
from kie_core.status import TaskHandle
from kie_core.stores import JournalStore
from kie_core.transport import ambiguous_create_error


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


class CreateFlows(UploadFlows):
    """Submit a request, re-send an ambiguous journal entry, send a create call."""

    def _submit_flow(
        self,
        request: VideoRequest | PreparedRequest,
        again: bool,
        output_dir: str | None = None,
    ) -> Flow[TaskHandle]:
        prepared = request if isinstance(request, PreparedRequest) else self.prepare(request)
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
            identity = yield from self._identity_flow(prepared)
            # A first look before uploading anything: the claim below decides for good.
            entry: JournalEntry | None = None
            if not again:
                entry = yield Local(partial(journal.find_existing, identity, self.base_url))
            if entry is not None:
                handle = yield from self._follow(journal, entry)
                if handle is not None:
                    return handle
            if self._daily_budget is not None:
                spent: float = yield Local(journal.spent_today)
                check_daily_budget(self._daily_budget, spent, prepared.estimated_credits)
        local = prepared.local_files
        call = prepared.call
        if local:
            call = prepared.call_with((yield from self._upload_inputs_flow(local)))
        task = _NewTask(
            model=resolved.spec.name,
            provider=self.registry.provider_of(model),
            family=model.family,
            kie_model=resolved.mode.kie_model,
            variant=resolved.variant.name,
            estimated_credits=prepared.estimated_credits,
        )
        return (
            yield from self._create_flow(call, task, identity, again=again, output_dir=output_dir)
        )

    def _identity_flow(self, prepared: PreparedRequest) -> Flow[str]:
        """Return the journal fingerprint of a prepared request.

        An uploaded file gets a new URL each time, so a local file stands in the fingerprint by
        its content: re-running the same command is then recognised.
        """
        named: dict[str, str] = {}
        for item in prepared.local_files:
            digest = yield Local(partial(file_sha256, Path(item).expanduser()))
            named[item] = f"local-file:sha256:{digest}"
        return fingerprint(prepared.call_with(named), self.base_url)

    def identity(self, request: VideoRequest | PreparedRequest) -> str:
        """Return the journal fingerprint of a request: what makes two requests identical.

        It covers the create call and the base URL, with each local file named by its
        content (it is hashed here). Nothing is sent.
        """
        prepared = request if isinstance(request, PreparedRequest) else self.prepare(request)
        return run_local(self._identity_flow(prepared))

    def find_identical(self, request: VideoRequest | PreparedRequest) -> JournalEntry | None:
        """Return the journaled identical request a submit would follow, or None.

        Nothing is sent: this reads the journal only (local files are hashed). A request that
        would be followed costs nothing, so callers skip balance and budget checks for it.
        Pass the prepared request (:meth:`prepare`) to have it neither resolved nor built again.
        """
        journal = self._journal
        if journal is None:
            return None
        entry = journal.find_existing(self.identity(request), self.base_url)
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
            current = yield Local(partial(journal.get_entry, current.id))
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
        progress = _CreateProgress()
        reserved = False
        if journal is not None and identity is not None:
            # Wait for the create slot BEFORE journaling: a process killed while it waits then
            # leaves no SUBMITTING entry behind, and a journaled entry is sent at once.
            limiter = self._limiter(self._require_key())
            if limiter is not None:
                yield from self._wait_for_slot(limiter, CallKind.CREATE)
                reserved = True

        def claim() -> tuple[JournalEntry, bool]:
            # The entry is noted here, in the worker thread, so that an interruption while
            # the claim runs still finds (and closes) the row it wrote.
            assert journal is not None and identity is not None
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
                progress.entry_id = entry.id
            return entry, created

        try:
            while journal is not None and identity is not None and progress.entry_id is None:
                entry, created = yield Local(claim)
                if created:
                    break
                followed = yield from self._follow(journal, entry)
                if followed is not None:
                    return followed
            data = yield from self._exchange(
                call, create=True, progress=progress, reserved=reserved
            )
            try:
                task_id = task.family.task_id_from_create(data)
            except MalformedResponseError as error:
                raise ambiguous_create_error(error, path=call.path, redact=self._redact) from error
        except AmbiguousCreateError as error:
            entry_id = progress.entry_id
            if journal is None or entry_id is None:
                raise
            yield Local(partial(journal.ambiguous, entry_id, str(error)))
            raise _with_entry(error, entry_id) from error
        except KieError as error:
            if journal is not None and progress.entry_id is not None:
                yield Local(partial(journal.rejected, progress.entry_id, str(error)))
            raise
        except BaseException:
            # Interrupted (or closed): recorded at once, as no further step may be taken.
            entry_id = progress.entry_id
            if journal is not None and entry_id is not None:
                if progress.maybe_sent:
                    journal.ambiguous(entry_id, "interrupted while waiting for the create answer")
                else:
                    journal.rejected(entry_id, "interrupted before the create request was sent")
            raise
        entry_id = progress.entry_id
        handle = task.handle(task_id)
        if journal is not None and entry_id is not None:
            yield Local(partial(journal.created, entry_id, handle))
        return handle
