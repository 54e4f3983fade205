"""Downloading a task's result files, fresh links included.

Each file is a :func:`kie_core.files.fetch_flow` run inside the download flow.
"""

from __future__ import annotations

import os
import re
from functools import partial
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import httpx

from kie_core.actions import Flow, Local, Sleep
from kie_core.calls import EndpointCall
from kie_core.errors import DownloadError, DownloadInProgressError, MalformedResponseError
from kie_core.files import DownloadResult, fetch_flow, file_sha256
from kie_core.flows.create import FOLLOW_POLL_SECONDS
from kie_core.flows.wait import WaitFlows
from kie_core.journal import JournalState
from kie_core.polling import failure_error
from kie_core.request import is_remote
from kie_core.results import ProgressCallback, Video
from kie_core.status import TaskHandle, TaskStatus
from kie_core.transport import DOWNLOAD_URL_PATH, USER_AGENT

#: How long a download waits for another process writing the same file, in seconds.
DOWNLOAD_BUSY_WAIT = 1800.0

_MEDIA_SUFFIXES = frozenset({".mp4", ".mov", ".webm", ".mkv", ".gif", ".png", ".jpg", ".jpeg"})
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


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


class DownloadFlows(WaitFlows):
    """Fresh links and downloads of result files."""

    def _download_url_flow(self, url: str) -> Flow[str]:
        call = EndpointCall(method="POST", path=DOWNLOAD_URL_PATH, body={"url": url})
        data = yield from self._exchange(call)
        if not isinstance(data, str) or not is_remote(data):
            raise MalformedResponseError(
                f"{DOWNLOAD_URL_PATH}: the answer is not a URL", path=DOWNLOAD_URL_PATH
            )
        return data

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
        saved = yield Local(partial(self._already_downloaded, status, directory, filename))
        if saved is not None:
            return [saved]
        names = _result_filenames(status.task_id, status.result_urls, filename)
        results: list[DownloadResult] = []
        for url, name in zip(status.result_urls, names, strict=True):
            busy_until = self._clock() + DOWNLOAD_BUSY_WAIT
            while True:
                try:
                    result = yield from fetch_flow(
                        self._file_request,
                        url,
                        directory,
                        filename=name,
                        refresh=self._download_url_flow,
                        on_progress=on_progress,
                        retry=self._retry,
                    )
                except DownloadInProgressError:
                    # Another process writes this file: wait for it, then use its result.
                    if self._clock() >= busy_until:
                        raise
                    yield Sleep(FOLLOW_POLL_SECONDS * 2)
                    saved = yield Local(
                        partial(self._already_downloaded, status, directory, filename)
                    )
                    if saved is not None:
                        return [saved]
                    continue
                break
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

    def _already_downloaded(
        self, status: TaskStatus, directory: Path, filename: str | None
    ) -> Path | None:
        """Return the journaled file of this one-file task when it is in ``directory``, intact.

        Blocking (a journal read, a file hash): flows run it as a :class:`Local` step.
        """
        if len(status.result_urls) != 1:
            return None
        return self.saved_file(status.task_id, directory, filename=filename)

    def saved_file(
        self, task_id: str, directory: str | os.PathLike[str], *, filename: str | None = None
    ) -> Path | None:
        """Return the file the journal says this task was downloaded to, if it is still whole.

        The file must be in ``directory`` (and be named ``filename``, when given), with the
        size and SHA-256 the journal recorded. Nothing is sent; the file is hashed.
        """
        if self._journal is None:
            return None
        entry = self._journal.get(task_id)
        if entry is None or entry.state is not JournalState.DOWNLOADED or not entry.output_path:
            return None
        saved = Path(entry.output_path)
        try:
            same_place = saved.parent.resolve() == Path(directory).expanduser().resolve()
            intact = saved.is_file() and saved.stat().st_size == entry.size
        except OSError:
            return None
        if not same_place or not intact or (filename is not None and saved.name != filename):
            return None
        return saved if file_sha256(saved) == entry.sha256 else None

    def _file_request(self, url: str, headers: dict[str, str]) -> httpx.Request:
        """Return the GET of a result file: the client's timeout, never the API key."""
        return httpx.Request(
            "GET",
            url,
            headers={"User-Agent": USER_AGENT, **headers},
            extensions={"timeout": self._timeout.as_dict()},
        )
