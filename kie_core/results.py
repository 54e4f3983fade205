"""The values the clients hand back: a checked request not yet sent, and a finished video.

Both are re-exported by :mod:`kie_core.client` (and :class:`Video` by :mod:`kie_core`), where
they are documented.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from kie_core.calls import EndpointCall
from kie_core.errors import DownloadError
from kie_core.models import ResolvedRequest, VideoModel
from kie_core.request import VideoRequest, check_local_files
from kie_core.status import TaskHandle, TaskStatus

if TYPE_CHECKING:
    pass

__all__ = [
    "UPLOAD_PLACEHOLDER",
    "AsyncDownloader",
    "Downloader",
    "PreparedRequest",
    "ProgressCallback",
    "Video",
]

#: Called while a file downloads with (bytes done, total bytes or None).
ProgressCallback = Callable[[int, int | None], None]

#: How a local input shows in ``--dry-run`` output: it is uploaded before the call is sent.
UPLOAD_PLACEHOLDER = "<upload: {path}>"


class Downloader(Protocol):
    """What :meth:`Video.download` needs of the client that made the video (a ``Client``)."""

    def download(
        self,
        target: Video,
        dest_dir: str | os.PathLike[str] = ...,
        *,
        filename: str | None = ...,
        on_progress: ProgressCallback | None = ...,
    ) -> Path:
        """Download the video's files; return the path of the first one."""


class AsyncDownloader(Protocol):
    """What :meth:`Video.adownload` needs of the client that made the video (``AsyncClient``)."""

    def download(
        self,
        target: Video,
        dest_dir: str | os.PathLike[str] = ...,
        *,
        filename: str | None = ...,
        on_progress: ProgressCallback | None = ...,
    ) -> Awaitable[Path]:
        """Download the video's files; return the path of the first one."""


@dataclass(frozen=True)
class PreparedRequest:
    """A request checked against its model and turned into the create call, with nothing sent.

    This is what ``--dry-run`` shows and what :meth:`Client.submit` sends: a request is
    resolved and its call built once, here. Local media files still appear as paths in
    ``call``; :meth:`Client.submit` uploads them and puts their URLs in their place
    (:meth:`call_with`).

    Attributes:
        resolved: the request with its variant, mode and defaults.
        call: the create call that would be sent.
        model: the model that serves the request.
        estimated_credits: the local price estimate, when the model publishes one.
    """

    resolved: ResolvedRequest
    call: EndpointCall
    model: VideoModel
    estimated_credits: float | None

    @classmethod
    def of(
        cls, model: VideoModel, request: VideoRequest, *, labels: Mapping[str, str] | None = None
    ) -> PreparedRequest:
        """Check ``request`` against ``model`` and build its create call; nothing is sent.

        Args:
            model: the model that serves the request.
            request: the request (local media files as paths).
            labels: how each media field is named in error messages (CLI flags...).

        Raises:
            InvalidRequestError: a local input file cannot be read, or the request does not
                fit the model.
        """
        check_local_files(request, labels)
        resolved = model.resolve(request)
        return cls(
            resolved=resolved,
            call=model.build_call(resolved),
            model=model,
            estimated_credits=resolved.estimate_credits(),
        )

    @property
    def request(self) -> VideoRequest:
        """The request with the model's defaults filled in."""
        return self.resolved.request

    def call_with(self, locations: Mapping[str, str]) -> EndpointCall:
        """Return the create call with each local file of ``locations`` replaced by its value.

        The payload is not built again: every value of the call that is exactly a local path is
        swapped. Should a plugin have put a path inside a longer value, the call is built again
        from the request with the new locations, so no local path is ever sent.
        """
        if not locations:
            return self.call
        swapped = _Swap(locations)
        body = swapped.value(self.call.body)
        params = swapped.value(self.call.params)
        if swapped.complete:
            return self.call.model_copy(update={"body": body, "params": params})
        resolved = self.resolved.model_copy(
            update={"request": self.resolved.request.with_media(locations)}
        )
        return self.model.build_call(resolved)

    @property
    def shown_call(self) -> EndpointCall:
        """The create call with each local file shown as ``<upload: path>`` (``--dry-run``)."""
        return self.call_with(
            {path: UPLOAD_PLACEHOLDER.format(path=path) for path in self.local_files}
        )

    @property
    def warnings(self) -> tuple[str, ...]:
        """Deprecation notes to show before anything is spent."""
        return self.resolved.warnings

    @property
    def local_files(self) -> list[str]:
        """Local media paths that will be uploaded before the call is sent."""
        return self.resolved.request.local_files()


class _Swap:
    """Replaces whole string values of a JSON-like tree; notes a path left inside a string."""

    def __init__(self, locations: Mapping[str, str]) -> None:
        self.locations = locations
        self.complete = True

    def value(self, node: Any) -> Any:
        if isinstance(node, str):
            if node in self.locations:
                return self.locations[node]
            if any(path in node for path in self.locations):
                self.complete = False
            return node
        if isinstance(node, dict):
            return {key: self.value(item) for key, item in node.items()}
        if isinstance(node, list | tuple):
            return type(node)(self.value(item) for item in node)
        return node


class Video:
    """A finished generation: its task handle, its final status and where its files are.

    Args:
        handle: the task.
        status: its succeeded status.
        client: the client that made it (used by :meth:`download` / :meth:`adownload`).
    """

    __slots__ = ("_client", "handle", "status")

    def __init__(
        self,
        handle: TaskHandle,
        status: TaskStatus,
        client: Downloader | AsyncDownloader | None = None,
    ) -> None:
        self.handle = handle
        self.status = status
        self._client = client

    @property
    def task_id(self) -> str:
        """KIE's task id."""
        return self.handle.task_id

    @property
    def urls(self) -> tuple[str, ...]:
        """Every result file URL."""
        return self.status.result_urls

    @property
    def url(self) -> str:
        """The first (main) result file URL.

        Raises:
            DownloadError: the task reported no result file.
        """
        if not self.status.result_urls:
            raise DownloadError("the task reported no result file", task_id=self.task_id)
        return self.status.result_urls[0]

    def download(
        self,
        dest_dir: str | os.PathLike[str] = ".",
        *,
        filename: str | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> Path:
        """Download the result files with the :class:`Client` that made this video.

        Returns:
            The path of the first (main) file.
        """
        client = self._client
        if client is None or _is_async(client):
            raise TypeError("this Video has no sync Client; use `await video.adownload(...)`")
        return cast(Downloader, client).download(
            self, dest_dir, filename=filename, on_progress=on_progress
        )

    async def adownload(
        self,
        dest_dir: str | os.PathLike[str] = ".",
        *,
        filename: str | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> Path:
        """Download the result files with the :class:`AsyncClient` that made this video.

        Returns:
            The path of the first (main) file.
        """
        client = self._client
        if client is None or not _is_async(client):
            raise TypeError("this Video has no AsyncClient; use `video.download(...)`")
        return await cast(AsyncDownloader, client).download(
            self, dest_dir, filename=filename, on_progress=on_progress
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Video):
            return NotImplemented
        return (self.handle, self.status) == (other.handle, other.status)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Video(task_id={self.task_id!r}, model={self.handle.model!r}, urls={self.urls!r})"


def _is_async(client: Downloader | AsyncDownloader) -> bool:
    return inspect.iscoroutinefunction(client.download)
