"""Reading a task's status once, and polling it until it finishes."""

from __future__ import annotations

from functools import partial

from kie_core.actions import Flow, Local, Sleep
from kie_core.errors import KieError
from kie_core.families.base import TaskFamily
from kie_core.flows.base import ErrorCallback, FlowBase, StatusCallback, TaskRef, check_timeout
from kie_core.polling import WaitTracker
from kie_core.status import TaskHandle, TaskStatus


class WaitFlows(FlowBase):
    """Status reads and waits."""

    def _status_once(self, task_id: str, family: TaskFamily) -> Flow[TaskStatus]:
        data = yield from self._exchange(family.status_call(task_id), task_id=task_id)
        status = family.parse_status(task_id, data)
        if self._journal is not None:
            yield Local(partial(self._journal.record_status, task_id, status))
        return status

    def _status_flow(self, task: TaskRef, family: str | None) -> Flow[TaskStatus]:
        task_id, task_family = yield from self._task_family(task, family)
        return (yield from self._status_once(task_id, task_family))

    def _wait_flow(
        self,
        task: TaskRef,
        timeout: float | None,
        on_update: StatusCallback | None,
        family: str | None,
        on_error: ErrorCallback | None = None,
    ) -> Flow[TaskStatus]:
        check_timeout(timeout)
        task_id, task_family = yield from self._task_family(task, family)
        tracker = WaitTracker(
            self._poll,
            task_id,
            clock=self._clock,
            timeout=timeout,
            created_at=task.created_at if isinstance(task, TaskHandle) else None,
            redact=self._redact,
        )
        while True:
            try:
                status = yield from self._status_once(task_id, task_family)
            except KieError as error:
                delay = tracker.observe_error(error)
                if on_error is not None:
                    on_error(error)
            else:
                if on_update is not None:
                    on_update(status)
                next_delay = tracker.observe(status)
                if next_delay is None:
                    return status
                delay = next_delay
            yield Sleep(delay)
