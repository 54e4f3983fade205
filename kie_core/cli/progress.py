"""Live progress on stderr while tasks run and files download.

On a terminal a rich progress display shows each task's state, the elapsed time, the number of
polls and the download; elsewhere (a log file, CI) each state change is one line; with
``--quiet`` nothing is shown.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from kie_core.cli.output import Output
    from kie_core.status import TaskStatus


def _make_progress(output: Output, *, with_total: bool) -> Progress:
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns: list[Any] = [
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("[bold]{task.fields[state]}"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[detail]}"),
    ]
    if with_total:
        columns += [BarColumn(bar_width=24), DownloadColumn()]
    return Progress(*columns, console=output.stderr, transient=False, refresh_per_second=8)


#: A wait whose status queries keep failing warns at the first failure and every this many.
FAILURE_REPORT_EVERY = 5


class TaskDisplay:
    """The progress of tasks: one row per task, with state, elapsed time, polls and download.

    Use as a context manager; call :meth:`add` for each task, then feed it the client's
    ``on_update`` and ``on_progress`` callbacks through :meth:`updater` and :meth:`downloader`.
    """

    def __init__(self, output: Output) -> None:
        self._output = output
        self._live = output.show_progress
        self._progress: Progress | None = None
        self._rows: dict[str, TaskID] = {}
        self._polls: dict[str, int] = {}
        self._states: dict[str, str] = {}
        self._started: dict[str, float] = {}
        self._labels: dict[str, str] = {}
        self._failures: dict[str, int] = {}

    def __enter__(self) -> TaskDisplay:
        if self._live:
            self._progress = _make_progress(self._output, with_total=True)
            self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def add(self, key: str, label: str, state: str = "submitting") -> None:
        """Show a new row for ``key`` (a task id or a batch line)."""
        self._polls[key] = 0
        self._states[key] = state
        self._started[key] = time.monotonic()
        self._labels[key] = label
        if self._progress is not None:
            self._rows[key] = self._progress.add_task(
                label, total=None, state=state, detail="", start=True
            )
        else:
            self._output.info(f"{label}: {state}")

    def set_state(self, key: str, state: str, detail: str = "") -> None:
        """Change the state shown for ``key``; off a terminal, print the change once."""
        changed = self._states.get(key) != state
        self._states[key] = state
        if self._progress is not None and key in self._rows:
            self._progress.update(self._rows[key], state=state, detail=detail)
        elif changed:
            elapsed = time.monotonic() - self._started.get(key, time.monotonic())
            label = self._labels.get(key, key)
            self._output.info(f"{label}: {state} ({elapsed:.0f} s){' ' + detail if detail else ''}")

    def relabel(self, key: str, label: str) -> None:
        """Change the label of ``key``'s row (once its task id is known)."""
        self._labels[key] = label
        if self._progress is not None and key in self._rows:
            self._progress.update(self._rows[key], description=label)

    def poll(self, key: str, status: TaskStatus) -> None:
        """Record one status reading of ``key``."""
        self._polls[key] = self._polls.get(key, 0) + 1
        self._failures[key] = 0
        detail = f"poll {self._polls[key]}"
        if status.progress is not None:
            detail += f", {status.progress}%"
        self.set_state(key, status.raw_state or status.state.value, detail)

    def polls(self, key: str) -> int:
        """Return how many status readings ``key`` had."""
        return self._polls.get(key, 0)

    def updater(self, key: str) -> Callable[[TaskStatus], None]:
        """Return an ``on_update`` callback for the client's wait."""

        def on_update(status: TaskStatus) -> None:
            self.poll(key, status)

        return on_update

    def failing(self, key: str) -> Callable[[Exception], None]:
        """Return an ``on_error`` callback for the client's wait: failed status queries.

        The row shows how many queries failed in a row and the last error; a warning line
        says so at the first failure and every :data:`FAILURE_REPORT_EVERY` after it.
        """

        def on_error(error: Exception) -> None:
            count = self._failures.get(key, 0) + 1
            self._failures[key] = count
            self.set_state(key, "status query failing", f"{count} in a row")
            if count == 1 or count % FAILURE_REPORT_EVERY == 0:
                label = self._labels.get(key, key)
                self._output.warn(
                    f"{label}: {count} status quer{'y' if count == 1 else 'ies'} failed in a "
                    f"row, still waiting; last error: {error}"
                )

        return on_error

    def downloader(self, key: str) -> Callable[[int, int | None], None]:
        """Return an ``on_progress(done, total)`` callback for the client's download."""
        announced = False

        def on_progress(done: int, total: int | None) -> None:
            nonlocal announced
            if self._progress is not None and key in self._rows:
                self._progress.update(
                    self._rows[key], completed=done, total=total, state="downloading"
                )
            elif not announced:
                announced = True
                self.set_state(key, "downloading")

        return on_progress

    def finish(self, key: str, state: str, detail: str = "") -> None:
        """Show the final state of ``key`` (with its poll count unless ``detail`` is given)."""
        polls = self._polls.get(key, 0)
        if not detail and polls:
            detail = f"{polls} poll{'s' if polls != 1 else ''}"
        self.set_state(key, state, detail)
        if self._progress is not None and key in self._rows:
            self._progress.stop_task(self._rows[key])

    def remove(self, key: str) -> None:
        """Drop the row of ``key`` (batch: finished rows leave room for running ones)."""
        if self._progress is not None and key in self._rows:
            self._progress.remove_task(self._rows.pop(key))
