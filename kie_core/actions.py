"""The I/O a client flow asks its driver to perform, and how a driver steps a flow.

Every client operation is a *flow* (see :mod:`kie_core.flows`): a generator that yields one
action at a time (sleep, send one HTTP request, fetch one result file) and receives its
outcome. A driver (:class:`~kie_core.client.Client` with blocking :mod:`httpx`,
:class:`~kie_core.client.AsyncClient` with asyncio) performs each action and hands the outcome
back with :func:`advance`, so both drivers step flows the same way.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

import httpx

from kie_core.results import ProgressCallback

T = TypeVar("T")


@dataclass(frozen=True)
class Sleep:
    """Wait ``seconds``; the reply is None."""

    seconds: float


@dataclass(frozen=True)
class Send:
    """Send one request; the reply is the read :class:`httpx.Response` or the RequestError."""

    request: httpx.Request


@dataclass(frozen=True)
class Fetch:
    """Download one result file; the reply is a :class:`~kie_core.files.DownloadResult`."""

    url: str
    dest_dir: Path
    filename: str
    on_progress: ProgressCallback | None


Action = Sleep | Send | Fetch

#: A flow: yields actions, receives their outcomes, returns its result.
Flow = Generator[Action, Any, T]


@dataclass(frozen=True)
class Done(Generic[T]):
    """A flow that returned: its result."""

    value: T


def advance(
    flow: Flow[T], reply: Any = None, error: BaseException | None = None
) -> Action | Done[T]:
    """Resume a flow with the outcome of its last action; return its next action or its result.

    Args:
        flow: the flow (start it with no reply and no error).
        reply: what the last action gave.
        error: what the last action raised instead; it is raised inside the flow, which may
            handle it.

    Raises:
        Exception: whatever the flow raises.
    """
    try:
        return flow.throw(error) if error is not None else flow.send(reply)
    except StopIteration as stop:
        return Done(cast(T, stop.value))
