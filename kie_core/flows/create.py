"""Creating tasks: submit (journaled, never paid twice), resend, and the create call itself."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from kie_core.actions import Flow, Local
from kie_core.calls import EndpointCall
from kie_core.errors import (
    AmbiguousCreateError,
    ConfigurationError,
    InvalidRequestError,
    KieError,
    MalformedResponseError,
)
from kie_core.families.base import TaskFamily
from kie_core.flows.base import JOURNAL_ENV, _CreateProgress
from kie_core.flows.upload import UploadFlows
from kie_core.journal import JournalEntry, JournalState, fingerprint
from kie_core.request import VideoRequest
from kie_core.results import PreparedRequest
from kie_core.status import TaskHandle
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


class CreateFlows(UploadFlows):
    """Submit a request, re-send an ambiguous journal entry, send a create call."""

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
