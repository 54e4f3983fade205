"""Status checks: task records and callbacks of running, succeeded and failed tasks parse."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kie_core.models import Variant, VideoModel
from kie_core.request import InputKind
from kie_core.status import TaskState, TaskStatus
from kie_emulator.testing.emulator import ContractEmulator
from kie_emulator.testing.emulator_checks import read_status, sent_problems, source_task_ids
from kie_emulator.testing.problems import raise_if
from kie_emulator.testing.requests import PLACEHOLDER_TASK_ID, base_request, name_for_variant


def _status_probe(
    model: VideoModel,
    variant: Variant,
    em: ContractEmulator,
    source_for: Callable[[VideoModel], str],
    *,
    fail: bool,
) -> list[str]:
    modes = [m for m in variant.modes if InputKind.SOURCE_TASK not in m.requires]
    mode = modes[0] if modes else variant.modes[0]
    task_id_in = (
        source_for(model) if InputKind.SOURCE_TASK in mode.requires else PLACEHOLDER_TASK_ID
    )
    request = base_request(model.spec, variant, mode, task_id=task_id_in)
    outcome = "failing" if fail else "succeeding"
    label = f"{request.model} [{variant.name}/{mode.name}] {outcome} task"
    if fail:
        em.fail_next_task()
    problems, task_id = sent_problems(label, model, request, em)
    if task_id is None:
        return problems
    status, found = read_status(model, em, task_id, f"{label} (just created)")
    problems += found
    if status is not None and status.done:
        problems.append(f"{label}: a task just created parses as {status.state.value}")
    em.finish_tasks()
    status, found = read_status(model, em, task_id, f"{label} (finished)")
    problems += found
    expected = TaskState.FAILED if fail else TaskState.SUCCEEDED
    if status is not None:
        problems += _terminal_problems(f"{label} record", status, expected)
    try:
        event = model.family.parse_callback(em.callback_body(task_id))
    except Exception as exc:
        problems.append(f"{label}: {model.family.name} cannot parse its callback: {exc}")
    else:
        if event.task_id != task_id:
            problems.append(f"{label}: the callback parses with task id {event.task_id!r}")
        problems += _terminal_problems(f"{label} callback", event.status, expected)
    return problems


def _terminal_problems(label: str, status: TaskStatus, expected: TaskState) -> list[str]:
    if status.state is not expected:
        return [
            f"{label} parses as {status.state.value}, not {expected.value} ({status.raw_state})"
        ]
    if expected is TaskState.SUCCEEDED:
        if not status.result_urls:
            return [f"{label} parses as succeeded without result URLs"]
        bad = [url for url in status.result_urls if not url.startswith(("https://", "http://"))]
        if bad:
            return [f"{label} parses result URLs that are not http(s): {bad}"]
        return []
    if not status.fail_message and not status.fail_code:
        return [f"{label} parses as failed without KIE's fail code or message"]
    return []


def check_status_parsing(
    models: Sequence[VideoModel], emulator: ContractEmulator | None = None
) -> None:
    """Drive tasks on the emulator and parse their records and callbacks with the family.

    For every model and variant a task is created, read through ``family.status_call`` while
    running (it must not parse as finished) and after the emulated clock passed its end (it
    must parse as succeeded, with result URLs); its callback body must parse the same way.
    One task per model is made to fail with the emulator's ``task-fail`` fault: its record and
    callback must parse as failed with KIE's fail code or message.

    Raises:
        ContractError: listing every record or callback that does not parse as it should.
    """
    own = emulator is None
    em = emulator or ContractEmulator()
    try:
        source_for = source_task_ids(models, em)
        problems: list[str] = []
        for model in models:
            reachable = [
                v for v in model.spec.variants if name_for_variant(model.spec, v) is not None
            ]
            for variant in reachable:
                problems += _status_probe(model, variant, em, source_for, fail=False)
            if reachable:
                problems += _status_probe(model, reachable[0], em, source_for, fail=True)
        raise_if("task records and callbacks", problems)
    finally:
        if own:
            em.close()
