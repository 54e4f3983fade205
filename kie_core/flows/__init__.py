"""The client operations, written once as flows that both clients drive.

:class:`_ClientCore` holds the configuration and every operation (submit, resend, status,
wait, download...) as a *flow*: a generator that yields the I/O it needs as
:mod:`kie_core.actions` and receives the outcome. :class:`~kie_core.client.Client` and
:class:`~kie_core.client.AsyncClient` only perform those actions, with :mod:`httpx` sync or
async, so retries, rate limits, polling, journaling and the never-pay-twice rules are the same
in both. Nothing here is an API: use :mod:`kie_core.client`.

One module per operation, over a small shared base:

* :mod:`kie_core.flows.base`: the configuration, local checks (``prepare``) and the one
  exchange with KIE (rate limit, retry policy, envelope);
* :mod:`kie_core.flows.upload`: local files to the upload host;
* :mod:`kie_core.flows.create`: submit (journal claim, never paid twice), resend, create;
* :mod:`kie_core.flows.wait`: a status read, and polling until a task ends;
* :mod:`kie_core.flows.download`: result files (:func:`kie_core.files.fetch_flow`), fresh
  links through ``download-url``.
"""

from __future__ import annotations

from kie_core.actions import Flow
from kie_core.flows.base import (
    API_KEY_ENV,
    BASE_URL_ENV,
    DEFAULT_UPLOAD_PATH,
    JOURNAL_ENV,
    LATE_SLOT_ATTEMPTS,
    LATE_SLOT_TOLERANCE,
    UPLOAD_BASE_URL_ENV,
    ErrorCallback,
    FlowBase,
    StatusCallback,
    TaskRef,
    check_timeout,
    default_upload_base_url,
)
from kie_core.flows.create import AGAIN_HINT, FOLLOW_POLL_SECONDS, CreateFlows
from kie_core.flows.download import DOWNLOAD_BUSY_WAIT, DownloadFlows
from kie_core.flows.upload import UploadFlows
from kie_core.flows.wait import WaitFlows
from kie_core.request import VideoRequest
from kie_core.results import PreparedRequest
from kie_core.status import TaskHandle, TaskStatus

__all__ = [
    "AGAIN_HINT",
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "DEFAULT_UPLOAD_PATH",
    "DOWNLOAD_BUSY_WAIT",
    "FOLLOW_POLL_SECONDS",
    "JOURNAL_ENV",
    "LATE_SLOT_ATTEMPTS",
    "LATE_SLOT_TOLERANCE",
    "UPLOAD_BASE_URL_ENV",
    "CreateFlows",
    "DownloadFlows",
    "ErrorCallback",
    "FlowBase",
    "StatusCallback",
    "TaskRef",
    "UploadFlows",
    "WaitFlows",
    "check_timeout",
    "default_upload_base_url",
]


class _ClientCore(CreateFlows, DownloadFlows):
    """Configuration and every flow; the sync and async clients only drive the flows."""

    def _generate_flow(
        self,
        request: VideoRequest | PreparedRequest,
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
