"""The task family interface and the tolerant readers that every family parser uses."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

from kie_core.calls import EndpointCall
from kie_core.errors import MalformedResponseError
from kie_core.status import CallbackEvent, TaskState, TaskStatus


class TaskFamily(ABC):
    """How one KIE endpoint family reports tasks: the status call, its record and its callback.

    Every terminal state of the family must map explicitly to succeeded or failed; an unknown
    state raises :class:`~kie_core.errors.MalformedResponseError` rather than guessing.
    """

    #: Short unique name, stored in task handles and the journal (``market``, ``veo``...).
    name: str = ""

    @abstractmethod
    def status_call(self, task_id: str) -> EndpointCall:
        """Return the call that reads a task's record."""

    @abstractmethod
    def parse_status(self, task_id: str, data: Any) -> TaskStatus:
        """Read the ``data`` of a status answer into a :class:`TaskStatus`.

        Raises:
            MalformedResponseError: when ``data`` is not a record of this family.
        """

    @abstractmethod
    def parse_callback(self, body: Any) -> CallbackEvent:
        """Read a callback body KIE POSTed for this family.

        Raises:
            MalformedResponseError: when the body is not a callback of this family.
        """

    def task_id_from_create(self, data: Any) -> str:
        """Read the task id from the ``data`` of a create answer (``{"taskId": ...}``)."""
        record = require_mapping(data, "create answer")
        task_id = record.get("taskId") or record.get("task_id")
        if not isinstance(task_id, str) or not task_id:
            raise MalformedResponseError("create answer has no taskId", code=None)
        return task_id

    def download_url_call(self, url: str) -> EndpointCall:
        """Return the call that asks for a fresh 20-minute link to a result file."""
        return EndpointCall(method="POST", path="/api/v1/common/download-url", body={"url": url})


def require_mapping(value: Any, what: str) -> Mapping[str, Any]:
    """Return ``value`` if it is a JSON object, else raise :class:`MalformedResponseError`."""
    if not isinstance(value, Mapping):
        raise MalformedResponseError(f"{what} is not a JSON object: {type(value).__name__}")
    return value


def text_or_none(value: Any) -> str | None:
    """Return a non-empty string form of ``value``, or None for null/empty."""
    if value is None or value == "":
        return None
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    return None


def url_list(value: Any) -> tuple[str, ...]:
    """Read a list of URLs that may be a JSON array, a JSON-encoded string, one URL, or null."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                decoded = json.loads(text)
            except ValueError:
                decoded = [part.strip(" \"'") for part in text.strip("[]").split(",")]
            return url_list(decoded)
        return (text,) if text else ()
    if isinstance(value, list | tuple):
        return tuple(item for item in value if isinstance(item, str) and item)
    return ()


def json_object(value: Any, what: str) -> dict[str, Any]:
    """Read a JSON object that KIE may send as an object or as a JSON-encoded string.

    ``None`` and ``""`` give an empty dict.
    """
    if value is None or value == "":
        return {}
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError as exc:
            raise MalformedResponseError(f"{what} is not valid JSON") from exc
        if isinstance(decoded, Mapping):
            return dict(decoded)
    raise MalformedResponseError(f"{what} is not a JSON object")


def int_or_none(value: Any) -> int | None:
    """Read an integer that may arrive as a number or a numeric string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def float_or_none(value: Any) -> float | None:
    """Read a number that may arrive as a number or a numeric string."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        try:
            return float(value)
        except OverflowError:
            return None
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def coded_callback(
    family: str,
    envelope: Mapping[str, Any],
    task_id: str,
    codes: Mapping[int, TaskState],
    *,
    label: str | None = None,
    **fields: Any,
) -> CallbackEvent:
    """Build the event of a callback whose envelope ``code`` decides the outcome.

    Dedicated families (Veo, Runway, Aleph, Luma) send ``{code, msg, data}`` where ``code`` 200
    means success and the documented error codes mean failure. ``codes`` maps each documented
    code to its state; ``fields`` are the other :class:`TaskStatus` fields read from the body
    (result URLs, thumbnails...). On failure ``msg`` becomes the fail message. ``family`` is
    the family's name; ``label`` how error messages name it (default: the name).

    Raises:
        MalformedResponseError: a ``code`` that is not in ``codes``.
    """
    raw_code = envelope.get("code")
    code = int_or_none(raw_code)
    state = codes.get(code) if code is not None else None
    if code is None or state is None:
        known = ", ".join(str(known) for known in codes)
        raise MalformedResponseError(
            f"{label or family} callback has code {raw_code!r}; known codes are {known}",
            task_id=task_id,
        )
    message = text_or_none(envelope.get("msg"))
    failed = state is TaskState.FAILED
    status = TaskStatus(
        task_id=task_id,
        state=state,
        raw_state=f"code={code}",
        fail_code=str(code) if failed else None,
        fail_message=message if failed else None,
        raw=dict(envelope),
        **fields,
    )
    return CallbackEvent(task_id=task_id, family=family, status=status, code=code, message=message)
