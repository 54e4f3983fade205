"""The typed error hierarchy of kie.

Errors are classified by HTTP status and by the envelope ``code`` that KIE.ai puts in every
response body, never by message text. Every error carries the raw code and message, the task id
when one is known, and whether repeating the same call is safe.

The API key never appears in any error: messages are built from KIE's answer and from the request
path, never from headers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import ValidationError


class KieError(Exception):
    """Base class of every error raised by kie.

    Attributes:
        message: human-readable description.
        code: KIE's envelope code (or the HTTP status when there was no envelope), if any.
        task_id: the KIE task id the error concerns, if known.
        retryable: whether sending the same call again is safe and may succeed.
    """

    default_retryable = False

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        task_id: str | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.task_id = task_id
        self.retryable = self.default_retryable if retryable is None else retryable

    def __str__(self) -> str:
        parts = [self.message]
        if self.code is not None:
            parts.append(f"(code {self.code})")
        if self.task_id:
            parts.append(f"[task {self.task_id}]")
        return " ".join(parts)


# --- local problems: nothing was sent -------------------------------------------------------


class InvalidRequestError(KieError, ValueError):
    """A request was rejected locally, before any network call; no credits were spent.

    Attributes:
        field: the request field at fault (``duration``, ``options.cfg_scale``...).
        value: the offending value.
        accepted: what the model accepts for that field, when it is a finite list.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str,
        value: Any = None,
        accepted: Sequence[Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.field = field
        self.value = value
        self.accepted = tuple(accepted) if accepted is not None else None


class UnknownModelError(InvalidRequestError):
    """No installed plugin provides the requested model name or alias."""


class ConfigurationError(KieError):
    """The client is missing configuration it needs (for example an API key)."""


class PluginError(KieError):
    """A provider plugin failed to load or returned something malformed."""


class BudgetExceededError(KieError):
    """A create would take today's spend over the daily budget; nothing was sent.

    Attributes:
        budget: the daily budget in credits.
        left: the credits left today before this request.
    """

    def __init__(self, message: str, *, budget: float, left: float) -> None:
        super().__init__(message)
        self.budget = budget
        self.left = left


class JournalError(KieError):
    """The task journal cannot be used (corrupt, unreadable, read-only, not a file).

    Attributes:
        path: the journal file.
    """

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


# --- answers from KIE.ai --------------------------------------------------------------------


class ApiError(KieError):
    """KIE.ai answered with a non-success code (in the HTTP status or the envelope)."""

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        task_id: str | None = None,
        retryable: bool | None = None,
        http_status: int | None = None,
        path: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, code=code, task_id=task_id, retryable=retryable)
        self.http_status = http_status
        self.path = path
        self.retry_after = retry_after


class BadRequestError(ApiError):
    """Code 400: the service refused the parameters or the content (e.g. a flagged prompt)."""


class AuthenticationError(ApiError):
    """Code 401: the API key is missing, wrong or has no access."""


class InsufficientCreditsError(ApiError):
    """Code 402: the account does not have enough credits for this call."""


class NotFoundError(ApiError):
    """Code 404: the endpoint or the task does not exist."""


class ApiValidationError(ApiError):
    """Code 422: KIE's own validation refused the request, or a record is not available."""


class TaskNotFoundError(NotFoundError):
    """KIE has no task with this id (its answer: ``{"code":422,"msg":"recordInfo is null"}``).

    The id is mistyped, belongs to another account or another task family, or is older than
    KIE's 14-day retention.
    """


class QuotaExceededError(ApiError):
    """Code 433: a sub-key usage cap configured in the KIE console was reached."""


class RateLimitError(ApiError):
    """Code 429: too many requests; the call was rejected, not queued, and is safe to repeat."""

    default_retryable = True


class ContentFetchError(ApiError):
    """Code 451: KIE could not fetch an input URL (access restrictions)."""


class MaintenanceError(ApiError):
    """Code 455: the service is under maintenance; the call was not taken and is safe to repeat."""

    default_retryable = True


class ServerError(ApiError):
    """Codes 500 and other 5xx (and 408): a server-side failure."""

    default_retryable = True


class GenerationFailedError(ApiError):
    """Code 501: generation failed on KIE's side."""


class FeatureDisabledError(ApiError):
    """Code 505: the feature is disabled for this account or model."""


class MalformedResponseError(ApiError):
    """The answer could not be read: not JSON, no envelope, or a record of an unknown shape."""

    default_retryable = True


# --- the network ----------------------------------------------------------------------------


class TransportError(KieError):
    """The request did not complete at the network level (refused, reset, timed out)."""

    default_retryable = True


class AmbiguousCreateError(TransportError):
    """A create request was sent but its answer was lost.

    The task may or may not exist and may or may not have been charged. kie never re-sends such a
    request by itself: KIE.ai has no idempotency key, so a second send could pay twice.
    """

    default_retryable = False


# --- tasks ----------------------------------------------------------------------------------


class TaskFailedError(KieError):
    """A task reached a terminal failed state; carries KIE's failure code and message."""

    def __init__(
        self,
        message: str,
        *,
        task_id: str | None = None,
        fail_code: str | None = None,
        status: Any = None,
    ) -> None:
        code: int | None = None
        if fail_code is not None and str(fail_code).isdigit():
            code = int(fail_code)
        super().__init__(message, code=code, task_id=task_id, retryable=False)
        self.fail_code = fail_code
        self.status = status


class TaskTimeoutError(KieError):
    """A wait reached its overall deadline before the task finished; the task may still finish."""

    def __init__(self, message: str, *, task_id: str | None = None, status: Any = None) -> None:
        super().__init__(message, task_id=task_id, retryable=True)
        self.status = status


class DownloadError(KieError):
    """A result file could not be downloaded completely and verified."""

    default_retryable = True


class DownloadInProgressError(DownloadError):
    """Another download (another process) is writing the same file right now.

    The clients wait for it and use its result; this is raised only when it takes too long.
    """


class CallbackError(KieError):
    """A callback request was refused: bad signature, stale timestamp or unreadable body."""


class AmbiguousServerError(AmbiguousCreateError, ServerError):
    """A create request was answered with a server error (5xx, 408).

    Both things are true: KIE reported a server error, so this is a :class:`ServerError`, and
    the error does not say whether the task was created first, so it is an
    :class:`AmbiguousCreateError` and is never re-sent by kie.
    """

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        http_status: int | None = None,
        path: str | None = None,
    ) -> None:
        ApiError.__init__(
            self, message, code=code, retryable=False, http_status=http_status, path=path
        )


#: Envelope code (or HTTP status) to the error class that represents it.
CODE_TO_ERROR: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: InsufficientCreditsError,
    403: AuthenticationError,
    404: NotFoundError,
    405: BadRequestError,
    408: ServerError,
    413: BadRequestError,
    422: ApiValidationError,
    429: RateLimitError,
    433: QuotaExceededError,
    451: ContentFetchError,
    455: MaintenanceError,
    500: ServerError,
    501: GenerationFailedError,
    502: ServerError,
    503: ServerError,
    504: ServerError,
    505: FeatureDisabledError,
}


def error_for_code(code: int) -> type[ApiError]:
    """Return the error class for a KIE envelope code or an HTTP status."""
    if code in CODE_TO_ERROR:
        return CODE_TO_ERROR[code]
    if 500 <= code < 600:
        return ServerError
    if 400 <= code < 500:
        return BadRequestError
    return ApiError


def invalid_request_from(
    exc: ValidationError,
    *,
    accepted: Sequence[str],
    owner: str = "the request",
    noun: str = "field",
    prefix: str = "",
) -> InvalidRequestError:
    """Turn pydantic's first validation error into one clear :class:`InvalidRequestError`.

    Args:
        exc: what pydantic raised.
        accepted: the field names the model takes (listed when an unknown one is given).
        owner: what holds the fields, for the message (``the request``, ``kling-2.5-turbo``).
        noun: what a field is called in the message (``field``, ``option``).
        prefix: put before the field name in ``field`` (``options.``).
    """
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or noun
    field = f"{prefix}{where}"
    value = error.get("input")
    if error["type"] == "extra_forbidden":
        return InvalidRequestError(
            f"{owner} has no {noun} {where!r}; accepted {noun}s: {', '.join(accepted)}",
            field=field,
            value=value,
            accepted=tuple(accepted),
        )
    message = str(error["msg"]).removeprefix("Value error, ")
    return InvalidRequestError(
        f"{noun} {where}={value!r} is invalid for {owner}: {message}", field=field, value=value
    )
