"""The registry of issued file links: which token serves what, and until when."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from kie_emulator.media import Content

FILES_PREFIX = "/files/"
"""Path prefix of every file link: ``/files/<token>/<name>``."""

DOWNLOAD_URL_TTL = 20 * 60.0
"""Lifetime of a link issued by ``/api/v1/common/download-url`` (20 minutes)."""

UPLOAD_TTL = 3 * 24 * 3600.0
"""Lifetime of an uploaded file (3 days)."""

RESULT_RETENTION = 14 * 24 * 3600.0
"""How long results are kept at all (14 days); drives Runway's ``expireFlag``."""


@dataclass
class FileEntry:
    """One issued link.

    Attributes:
        token: the random path segment that identifies the link.
        name: the file name shown in the link (``<name>`` in ``/files/<token>/<name>``).
        content: the bytes the link serves.
        expires_at: emulated Unix time after which the link answers 403.
        task_id: the task the file belongs to, if any.
        origin: ``result``, ``upload`` or ``download-url``.
    """

    token: str
    name: str
    content: Content
    expires_at: float
    task_id: str | None
    origin: str

    def path(self) -> str:
        """Return the link's path."""
        return f"{FILES_PREFIX}{self.token}/{quote(self.name)}"

    def url(self, base_url: str) -> str:
        """Return the full link under ``base_url``."""
        return base_url.rstrip("/") + self.path()


class FileStore:
    """Maps link tokens to file entries."""

    def __init__(self) -> None:
        self._entries: dict[str, FileEntry] = {}
        self._lock = threading.Lock()

    def add(self, entry: FileEntry) -> FileEntry:
        """Register ``entry`` and return it."""
        with self._lock:
            self._entries[entry.token] = entry
        return entry

    def get(self, token: str) -> FileEntry | None:
        """Return the entry for ``token``, expired or not."""
        with self._lock:
            return self._entries.get(token)

    def entry_for_url(self, url: str) -> FileEntry | None:
        """Return the entry a link issued by this emulator points to, or ``None``."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return None
        if parts.scheme not in {"http", "https"} or not parts.path.startswith(FILES_PREFIX):
            return None
        token, _, name = parts.path[len(FILES_PREFIX) :].partition("/")
        entry = self.get(token)
        if entry is None or unquote(name) != entry.name:
            return None
        return entry

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def clear(self) -> None:
        """Forget every link."""
        with self._lock:
            self._entries.clear()
