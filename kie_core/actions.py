"""The I/O a client flow asks its driver to perform, and how a driver performs it.

Every client operation is a *flow* (see :mod:`kie_core.flows`): a generator that yields one
action at a time (sleep, send one API request, stream one file, run one blocking local step
such as a journal write) and receives its outcome. A driver (:class:`~kie_core.client.Client`
with blocking :mod:`httpx`, :class:`~kie_core.client.AsyncClient` with asyncio) performs each
action with :func:`perform` or :func:`aperform` and hands the outcome back with
:func:`advance`, so both drivers step flows the same way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar, cast

import httpx

T = TypeVar("T")


@dataclass(frozen=True)
class Sleep:
    """Wait ``seconds``; the reply is None."""

    seconds: float


@dataclass(frozen=True)
class Send:
    """Send one API request; the reply is the read :class:`httpx.Response` or the RequestError."""

    request: httpx.Request


class Sink(Protocol):
    """Where a :class:`Fetch` streams the body of its answer (a download's part file)."""

    def head(self, response: httpx.Response) -> bool:
        """Read the status and headers; return whether to read the body into :meth:`write`."""
        ...

    def decoded(self, response: httpx.Response) -> bool:
        """Return whether the body is read decoded (else raw, as the bytes of a range)."""
        ...

    def write(self, piece: bytes) -> None:
        """Take the next piece of the body, as the network delivered it."""
        ...

    def end(self) -> None:
        """Note that the body ended cleanly."""
        ...


@dataclass(frozen=True)
class Fetch:
    """Send one request to a file host, redirects followed, and stream its answer into ``sink``.

    The reply is the response (closed, its status and headers still readable); a network
    failure, or what the sink raised, is raised into the flow.
    """

    request: httpx.Request
    sink: Sink


@dataclass(frozen=True)
class Local:
    """Run one blocking local step (a journal write, hashing or syncing a file).

    The reply is what ``run`` returns. The async driver runs it in a worker thread, so the
    event loop never waits on the disk; the flow waits for it either way, so its steps keep
    their order (a journal row is written before the create call it records is sent).
    """

    run: Callable[[], Any]


Action = Sleep | Send | Fetch | Local

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


def run_local(flow: Flow[T]) -> T:
    """Drive, in the calling thread, a flow whose only steps are :class:`Local` ones.

    Raises:
        TypeError: the flow asked for network I/O or a wait.
    """
    step = advance(flow)
    while not isinstance(step, Done):
        if not isinstance(step, Local):
            flow.close()
            raise TypeError(f"a local flow asked for {type(step).__name__}")
        reply: Any = None
        error: BaseException | None = None
        try:
            reply = step.run()
        except BaseException as exc:
            error = exc
        step = advance(flow, reply, error)
    return step.value


def perform(action: Action, http: httpx.Client, sleep: Callable[[float], None]) -> Any:
    """Perform one action with a blocking HTTP client; return its reply.

    Raises:
        Exception: a :class:`Fetch` or :class:`Local` step's failure.
    """
    if isinstance(action, Sleep):
        sleep(action.seconds)
        return None
    if isinstance(action, Send):
        try:
            return http.send(action.request)
        except httpx.RequestError as exc:
            return exc
    if isinstance(action, Local):
        return action.run()
    response = http.send(action.request, stream=True, auth=None, follow_redirects=True)
    try:
        sink = action.sink
        if sink.head(response):
            pieces = response.iter_bytes() if sink.decoded(response) else response.iter_raw()
            for piece in pieces:
                sink.write(piece)
            sink.end()
    finally:
        response.close()
    return response


async def aperform(
    action: Action, http: httpx.AsyncClient, sleep: Callable[[float], Awaitable[None]]
) -> Any:
    """Perform one action with an async HTTP client; return its reply (see :func:`perform`).

    A :class:`Local` step runs in a worker thread.
    """
    if isinstance(action, Sleep):
        await sleep(action.seconds)
        return None
    if isinstance(action, Send):
        try:
            return await http.send(action.request)
        except httpx.RequestError as exc:
            return exc
    if isinstance(action, Local):
        return await _off_loop(action.run)
    response = await http.send(action.request, stream=True, auth=None, follow_redirects=True)
    try:
        sink = action.sink
        if sink.head(response):
            pieces = response.aiter_bytes() if sink.decoded(response) else response.aiter_raw()
            async for piece in pieces:
                sink.write(piece)
            sink.end()
    finally:
        await response.aclose()
    return response


async def _off_loop(step: Callable[[], Any]) -> Any:
    """Run a blocking step in a worker thread; a cancellation waits for the step to end.

    The step (a journal write) is not abandoned half-way from the flow's point of view: when
    the task is cancelled meanwhile, the cancellation is raised once the step is done, so the
    flow's own clean-up sees what the step wrote.
    """
    job = asyncio.ensure_future(asyncio.to_thread(step))
    try:
        return await asyncio.shield(job)
    except asyncio.CancelledError:
        await asyncio.wait({job})
        raise


def run(flow: Flow[T], http: httpx.Client, sleep: Callable[[float], None]) -> T:
    """Drive a flow to its end with a blocking HTTP client; return its result."""
    step = advance(flow)
    while not isinstance(step, Done):
        reply: Any = None
        error: BaseException | None = None
        try:
            reply = perform(step, http, sleep)
        except BaseException as exc:
            error = exc
        step = advance(flow, reply, error)
    return step.value


async def arun(
    flow: Flow[T], http: httpx.AsyncClient, sleep: Callable[[float], Awaitable[None]]
) -> T:
    """Drive a flow to its end with an async HTTP client; return its result."""
    step = advance(flow)
    while not isinstance(step, Done):
        reply: Any = None
        error: BaseException | None = None
        try:
            reply = await aperform(step, http, sleep)
        except BaseException as exc:
            error = exc
        step = advance(flow, reply, error)
    return step.value
