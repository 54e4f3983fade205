"""The exit codes of the ``kie`` command and the error classes that map to each.

Scripts rely on these numbers, so they never change meaning:

====  =========================================================================================
0     success
1     a task failed on KIE's side (the service reported a terminal failure)
2     bad input: nothing was sent (unknown model, unsupported value, unreadable file, usage)
3     authentication or credits: the key is missing or refused, or the balance is too low
4     network or service trouble: the request did not complete or the service is unwell
====  =========================================================================================

This module imports nothing from kie_core at load time, so ``kie --help`` stays fast.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """The exit statuses of ``kie``."""

    OK = 0
    TASK_FAILED = 1
    BAD_INPUT = 2
    AUTH_OR_CREDITS = 3
    SERVICE = 4


#: Error class names, most specific first, and the exit code each maps to. Names rather than
#: classes keep this module import-free; matching walks the exception's MRO.
_BY_CLASS_NAME: dict[str, ExitCode] = {
    "TaskFailedError": ExitCode.TASK_FAILED,
    "GenerationFailedError": ExitCode.TASK_FAILED,
    "InvalidRequestError": ExitCode.BAD_INPUT,
    "BadRequestError": ExitCode.BAD_INPUT,
    "ApiValidationError": ExitCode.BAD_INPUT,
    "ContentFetchError": ExitCode.BAD_INPUT,
    "NotFoundError": ExitCode.BAD_INPUT,
    "JournalError": ExitCode.BAD_INPUT,
    "AuthenticationError": ExitCode.AUTH_OR_CREDITS,
    "InsufficientCreditsError": ExitCode.AUTH_OR_CREDITS,
    "QuotaExceededError": ExitCode.AUTH_OR_CREDITS,
    "FeatureDisabledError": ExitCode.AUTH_OR_CREDITS,
    "ConfigurationError": ExitCode.AUTH_OR_CREDITS,
    "BudgetExceededError": ExitCode.AUTH_OR_CREDITS,
    "TransportError": ExitCode.SERVICE,
    "RateLimitError": ExitCode.SERVICE,
    "MaintenanceError": ExitCode.SERVICE,
    "ServerError": ExitCode.SERVICE,
    "MalformedResponseError": ExitCode.SERVICE,
    "TaskTimeoutError": ExitCode.SERVICE,
    "DownloadError": ExitCode.SERVICE,
    "CallbackError": ExitCode.SERVICE,
    "PluginError": ExitCode.SERVICE,
    "ApiError": ExitCode.SERVICE,
}


def exit_code_for(error: BaseException) -> ExitCode:
    """Return the exit code for an error raised by kie.

    The most specific class in the error's MRO that has a mapping wins, so
    ``AmbiguousCreateError`` (a ``TransportError``) gives 4 and ``UnknownModelError`` (an
    ``InvalidRequestError``) gives 2. Anything unknown is a service error.
    """
    for cls in type(error).__mro__:
        code = _BY_CLASS_NAME.get(cls.__name__)
        if code is not None:
            return code
    return ExitCode.SERVICE
