"""Structured tool errors: what went wrong, whether to retry, and what to do next.

Every refusal and every :class:`~kie_core.errors.KieError` becomes one JSON object an agent can
act on without reading prose: ``category``, ``retryable``, ``next_step``, ``message`` and, for
bad input, the ``field``, its ``value`` and the ``accepted`` values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from kie_core import errors as kerr

#: (error class, category, next step), most specific first; the first match wins.
_CATEGORIES: tuple[tuple[type[kerr.KieError], str, str], ...] = (
    (
        kerr.AmbiguousCreateError,
        "ambiguous_create",
        "Do not send this request again: it may already be running and charged. Call tasks "
        "(no ids) in a minute to see whether it appeared; a person can check it with "
        "`kie resume`.",
    ),
    (
        kerr.InvalidRequestError,
        "invalid_input",
        "Fix the named field (see accepted) and call again; nothing was sent or charged.",
    ),
    (
        kerr.ConfigurationError,
        "configuration",
        "The server's operator must fix its configuration (for example set KIE_API_KEY); "
        "retrying will not help.",
    ),
    (
        kerr.AuthenticationError,
        "authentication",
        "The operator must check the server's KIE API key; retrying will not help.",
    ),
    (
        kerr.InsufficientCreditsError,
        "insufficient_credits",
        "The account lacks credits: ask the user to top up, or request fewer/cheaper videos.",
    ),
    (
        kerr.QuotaExceededError,
        "quota_exceeded",
        "A usage cap set in the KIE console was reached; ask the user to raise it.",
    ),
    (
        kerr.RateLimitError,
        "rate_limited",
        "Wait retry_after seconds (or 10 s) and call again.",
    ),
    (
        kerr.ContentFetchError,
        "input_unreachable",
        "KIE could not fetch an input URL: use a public http(s) URL or a local file path.",
    ),
    (
        kerr.MaintenanceError,
        "service_unavailable",
        "KIE is under maintenance: call again in a few minutes.",
    ),
    (
        kerr.GenerationFailedError,
        "generation_failed",
        "KIE could not generate this video: change the prompt or inputs before trying again.",
    ),
    (
        kerr.FeatureDisabledError,
        "feature_disabled",
        "This model or feature is disabled for the account: use another model.",
    ),
    (
        kerr.MalformedResponseError,
        "service_unavailable",
        "KIE answered something unreadable: call again in a minute.",
    ),
    (
        kerr.ServerError,
        "service_unavailable",
        "KIE had a server error: call again in a minute.",
    ),
    (
        kerr.BadRequestError,
        "rejected",
        "KIE refused the parameters or content (for example a flagged prompt): change them.",
    ),
    (
        kerr.ApiValidationError,
        "rejected",
        "KIE's own validation refused the request: change it (see message).",
    ),
    (
        kerr.NotFoundError,
        "not_found",
        "KIE does not know this task or endpoint: check the id with tasks.",
    ),
    (
        kerr.TaskFailedError,
        "task_failed",
        "The task failed at KIE (nothing to collect): change the prompt or inputs and "
        "generate again.",
    ),
    (
        kerr.TaskTimeoutError,
        "still_running",
        "The task is still running: call tasks again with wait_seconds.",
    ),
    (
        kerr.DownloadError,
        "download_failed",
        "Call collect again later (a task that has not succeeded has nothing to download).",
    ),
    (
        kerr.TransportError,
        "network",
        "KIE could not be reached: call again in a minute.",
    ),
    (
        kerr.PluginError,
        "configuration",
        "A provider plugin of the server is broken: the operator must fix or remove it.",
    ),
    (
        kerr.BudgetExceededError,
        "budget_exceeded",
        "The daily budget (KIE_DAILY_BUDGET) would be exceeded: nothing was sent. Ask the user "
        "to raise it, or wait for the next UTC day.",
    ),
    (
        kerr.JournalError,
        "configuration",
        "The server's task journal cannot be used: the operator must fix the named file.",
    ),
)


def category_of(error_class: type[kerr.KieError]) -> tuple[str, str]:
    """Return the (category, next step) of an error class; ``error`` for the bare bases."""
    for cls, name, step in _CATEGORIES:
        if issubclass(error_class, cls):
            return name, step
    return "error", "See message."


class ToolRefusal(Exception):
    """A refusal decided by the server itself (a cap, a folder, a model not allowed)."""

    def __init__(
        self,
        category: str,
        message: str,
        next_step: str,
        *,
        field: str | None = None,
        value: Any = None,
        accepted: Sequence[Any] | None = None,
        retryable: bool = False,
        index: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.category = category
        self.message = message
        self.next_step = next_step
        self.field = field
        self.value = value
        self.accepted = tuple(accepted) if accepted is not None else None
        self.retryable = retryable
        self.index = index
        self.extra = dict(extra or {})

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready error object."""
        data: dict[str, Any] = {
            "category": self.category,
            "retryable": self.retryable,
            "message": self.message,
            "next_step": self.next_step,
        }
        if self.field is not None:
            data["field"] = self.field
            data["value"] = _jsonable(self.value)
        if self.accepted is not None:
            data["accepted"] = [_jsonable(item) for item in self.accepted]
        if self.index is not None:
            data["index"] = self.index
        data.update(self.extra)
        return data


def describe(
    error: BaseException,
    *,
    redact: Callable[[str], str] = lambda text: text,
    index: int | None = None,
) -> dict[str, Any]:
    """Return the structured form of a refusal, a kie error or an unexpected exception."""
    if isinstance(error, ToolRefusal):
        if index is not None and error.index is None:
            error.index = index
        data = error.to_dict()
        data["message"] = redact(str(data["message"]))
        return data
    if not isinstance(error, kerr.KieError):
        return {
            "category": "internal",
            "retryable": False,
            "message": redact(f"{type(error).__name__}: {error}"),
            "next_step": "This is a bug in the kie MCP server; report it with the message.",
            **({"index": index} if index is not None else {}),
        }
    category, next_step = category_of(type(error))
    data = {
        "category": category,
        "retryable": bool(error.retryable),
        "message": redact(str(error)),
        "next_step": next_step,
    }
    if isinstance(error, kerr.InvalidRequestError):
        data["field"] = error.field
        data["value"] = _jsonable(error.value)
        if error.accepted is not None:
            data["accepted"] = [_jsonable(item) for item in error.accepted]
    if isinstance(error, kerr.ApiError) and error.retry_after is not None:
        data["retry_after"] = error.retry_after
    if error.code is not None:
        data["code"] = error.code
    if error.task_id:
        data["task_id"] = error.task_id
    if index is not None:
        data["index"] = index
    return data


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return str(value)
