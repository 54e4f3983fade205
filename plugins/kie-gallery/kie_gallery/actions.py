"""The gallery's actions: download again, resume, generate again. They run in worker threads.

Each action uses a fresh client from the factory the command gives (so the key, base URL and
journal are the ones ``kie`` itself uses); the client journals every step as ``kie generate``
and ``kie resume`` do, so the pages see the progress by reading the journal. The state of the
latest action of each entry is kept for the task page. The threads do not hold the command up
when it stops: the journal has every step, and ``kie resume`` finishes what was left running.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kie_core.errors import KieError

if TYPE_CHECKING:
    from kie_core.client import Client
    from kie_core.journal import JournalEntry
    from kie_core.request import VideoRequest
    from kie_core.status import TaskHandle
    from kie_core.stores import JournalStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ActionNote:
    """What the latest action of an entry is doing or did.

    Attributes:
        action: ``resume``, ``download`` or ``generate``.
        running: whether it is still working.
        error: why it failed, when it did.
    """

    action: str
    running: bool
    error: str | None = None


class NoClientError(RuntimeError):
    """The gallery has no API key, so it cannot act on KIE."""


class Actions:
    """Runs the actions in the background and remembers how each ended.

    Args:
        journal: the journal the clients write to (the new task's entry is found there).
        client_factory: returns a new client (None: the gallery only shows, it cannot act).
        output_dir: where results go when the entry has no folder of its own.
    """

    def __init__(
        self, journal: JournalStore, client_factory: Callable[[], Client] | None, output_dir: Path
    ) -> None:
        self._journal = journal
        self._client_factory = client_factory
        self.output_dir = output_dir
        self._lock = threading.Lock()
        self._notes: dict[int, ActionNote] = {}
        self._confirmations: dict[str, int | None] = {}

    @property
    def enabled(self) -> bool:
        """Whether actions can reach KIE (a key is configured)."""
        return self._client_factory is not None

    def note(self, entry_id: int) -> ActionNote | None:
        """Return what the latest action of an entry is doing or did."""
        with self._lock:
            return self._notes.get(entry_id)

    def folder_for(self, entry: JournalEntry) -> Path:
        """Return where an entry's result goes: beside its file, its own folder, or the default."""
        if entry.output_path:
            return Path(entry.output_path).parent
        return Path(entry.output_dir) if entry.output_dir else self.output_dir

    def _client(self) -> Client:
        if self._client_factory is None:
            raise NoClientError(
                "no KIE.ai API key is configured, so the gallery can show but not act; "
                "set KIE_API_KEY and start `kie gallery` again"
            )
        return self._client_factory()

    def _start(self, entry_id: int, action: str, work: Callable[[], None]) -> None:
        with self._lock:
            current = self._notes.get(entry_id)
            if current is not None and current.running:
                return
            self._notes[entry_id] = ActionNote(action, running=True)

        def run() -> None:
            error: str | None = None
            try:
                work()
            except KieError as exc:
                error = str(exc)
            except Exception as exc:  # reported on the task page instead of lost in a thread
                logger.exception("gallery action %s of entry %s failed", action, entry_id)
                error = f"{type(exc).__name__}: {exc}"
            with self._lock:
                self._notes[entry_id] = ActionNote(action, running=False, error=error)

        threading.Thread(target=run, name=f"kie-gallery-{action}-{entry_id}", daemon=True).start()

    def resume(self, entry: JournalEntry) -> None:
        """Wait for the entry's task and save its result (no new task, nothing spent)."""
        handle = entry.handle()
        if handle is None:
            raise NoClientError(f"entry {entry.id} has no task id to resume")
        folder = self.folder_for(entry)
        client = self._client()
        self._start(entry.id, "resume", lambda: self._finish(client, handle, folder))

    def download(self, entry: JournalEntry) -> None:
        """Download the entry's result again from KIE (links are refreshed when expired)."""
        handle = entry.handle()
        if handle is None:
            raise NoClientError(f"entry {entry.id} has no task id to download")
        folder = self.folder_for(entry)
        client = self._client()

        def work() -> None:
            with client:
                folder.mkdir(parents=True, exist_ok=True)
                client.download(handle, folder)

        self._start(entry.id, "download", work)

    def issue_confirmation(self) -> str:
        """Return a one-time token for a confirm form: a second POST of it creates nothing."""
        nonce = secrets.token_urlsafe(16)
        with self._lock:
            self._confirmations[nonce] = None
        return nonce

    def generate(self, request: VideoRequest, folder: Path, confirmation: str) -> int:
        """Create the task (once per confirmation), then wait and download in the background.

        Returns:
            The journal entry id of the new task (the same one for a repeated confirmation).

        Raises:
            NoClientError: no key, or the confirmation is unknown.
            KieError: the request was refused; nothing was created.
        """
        with self._lock:
            if confirmation not in self._confirmations:
                raise NoClientError(
                    "this confirmation is unknown or expired: go back and confirm again"
                )
            done = self._confirmations[confirmation]
            if done is not None:
                return done
            client = self._client()
            with client as sending:
                handle = sending.submit(request, again=True, output_dir=folder)
            entry_id = _entry_id(self._journal, handle)
            self._confirmations[confirmation] = entry_id
        follow = self._client()
        self._start(entry_id, "generate", lambda: self._finish(follow, handle, folder))
        return entry_id

    @staticmethod
    def _finish(client: Client, handle: TaskHandle, folder: Path) -> None:
        with client:
            status = client.wait(handle)
            folder.mkdir(parents=True, exist_ok=True)
            client.download(status, folder)


def _entry_id(journal: JournalStore, handle: TaskHandle) -> int:
    entry = journal.get(handle.task_id)
    if entry is None:
        raise NoClientError(f"task {handle.task_id} was created but is not in the journal")
    return entry.id
