"""Emulator checks: the emulator accepts every advertised call and charges each estimate.

Also the helpers the emulator checks share: creating a task to continue, sending one
request, reading one task's record.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kie_core.calls import EndpointCall
from kie_core.models import ResolvedRequest, VideoModel
from kie_core.request import InputKind, VideoRequest
from kie_core.status import TaskStatus
from kie_emulator.testing.emulator import ContractEmulator
from kie_emulator.testing.problems import compact, raise_if
from kie_emulator.testing.random_requests import CallCheck
from kie_emulator.testing.requests import (
    MAX_COMBINATIONS_PER_MODE,
    PLACEHOLDER_TASK_ID,
    combinations,
    prepare,
)


def source_task_ids(
    models: Sequence[VideoModel], emulator: ContractEmulator
) -> Callable[[VideoModel], str]:
    """Return a function giving, per family, the id of a finished task to continue."""
    made: dict[str, str] = {}

    def source_for(model: VideoModel) -> str:
        family = model.family.name
        if family in made:
            return made[family]
        made[family] = PLACEHOLDER_TASK_ID
        for candidate in models:
            if candidate.family.name != family:
                continue
            for combo in combinations(candidate, limit=1):
                if InputKind.SOURCE_TASK in combo.mode.requires:
                    continue
                try:
                    _, call = prepare(candidate, combo.request)
                    answer = emulator.send(call)
                    if answer.ok:
                        made[family] = candidate.family.task_id_from_create(answer.data)
                        emulator.finish_tasks()
                        return made[family]
                except Exception:  # the payload check reports what went wrong here
                    continue
        return made[family]

    return source_for


def sent_problems(
    label: str, model: VideoModel, request: VideoRequest, em: ContractEmulator
) -> tuple[list[str], str | None]:
    """Build and send one request; return its problems and the created task id."""
    try:
        _, call = prepare(model, request)
    except Exception as exc:
        return [f"{label}: cannot build the call: {type(exc).__name__}: {exc}"], None
    if call.host != "api":
        return [], None
    answer = em.send(call)
    if not answer.ok:
        return [
            f"{label}: the emulator refuses {call.describe()} ({answer.describe()}); "
            f"body {compact(call.body)}"
        ], None
    try:
        return [], model.family.task_id_from_create(answer.data)
    except Exception as exc:
        return [f"{label}: the family cannot read the create answer {answer.data!r}: {exc}"], None


def check_emulator_accepts(
    models: Sequence[VideoModel],
    emulator: ContractEmulator | None = None,
    *,
    limit: int = MAX_COMBINATIONS_PER_MODE,
) -> int:
    """Send the call of every advertised combination to the emulator; all must be accepted.

    Every model x variant x mode x duration x aspect ratio x resolution (see
    :func:`combinations`), with the mode's media inputs filled with https URLs, is built with
    :func:`prepare` and, for calls to the API host, posted raw to the emulator, which
    validates the body against KIE's documented schema. The create answer must be code 200 and
    readable by the model's family (``task_id_from_create``).

    Returns:
        how many calls were posted.

    Raises:
        ContractError: listing every refused or unbuildable combination.
    """
    own = emulator is None
    em = emulator or ContractEmulator()
    try:
        source_for = source_task_ids(models, em)
        problems: list[str] = []
        posted = 0
        for model in models:
            needs_source = any(
                InputKind.SOURCE_TASK in mode.requires
                for variant in model.spec.variants
                for mode in variant.modes
            )
            task_id = source_for(model) if needs_source else PLACEHOLDER_TASK_ID
            for combo in combinations(model, task_id=task_id, limit=limit):
                before = em.sent
                found, _ = sent_problems(combo.label, model, combo.request, em)
                problems.extend(found)
                posted += em.sent - before
        raise_if("calls refused by the emulator", problems)
        return posted
    finally:
        if own:
            em.close()


def read_status(
    model: VideoModel, em: ContractEmulator, task_id: str, label: str
) -> tuple[TaskStatus | None, list[str]]:
    """Read a task's record through its family; return the parsed status and the problems."""
    family = model.family
    call = family.status_call(task_id)
    answer = em.send(call)
    if not answer.ok:
        return None, [f"{label}: {call.describe()} is refused ({answer.describe()})"]
    try:
        status = family.parse_status(task_id, answer.data)
    except Exception as exc:
        return None, [f"{label}: {family.name} cannot parse its record: {exc}: {answer.data!r}"]
    problems = []
    if status.task_id != task_id:
        problems.append(f"{label}: the parsed record has task id {status.task_id!r}")
    return status, problems


def check_price_estimates(
    models: Sequence[VideoModel], emulator: ContractEmulator | None = None
) -> int:
    """Check that every advertised combination's estimate equals what the emulator charges.

    Each combination is created on the emulator and its record read through the family; the
    credits it reports (``creditsConsumed`` for Market tasks) must equal
    :meth:`~kie_core.models.ResolvedRequest.estimate_credits`. The emulator charges KIE's
    published prices, so this catches a mistyped price row. Only for models whose family
    reports credits in its records.

    Returns:
        how many estimates were compared.

    Raises:
        ContractError: listing every combination whose estimate differs.
    """
    own = emulator is None
    em = emulator or ContractEmulator()
    try:
        problems: list[str] = []
        compared = 0
        for model in models:
            for combo in combinations(model):
                if InputKind.SOURCE_TASK in combo.mode.requires:
                    continue
                found, task_id = sent_problems(combo.label, model, combo.request, em)
                problems += found
                if task_id is None:
                    continue
                status, found = read_status(model, em, task_id, combo.label)
                problems += found
                estimate = model.resolve(combo.request).estimate_credits()
                if status is None:
                    continue
                if status.credits is None:
                    problems.append(f"{combo.label}: the record reports no credits")
                elif estimate != status.credits:
                    problems.append(
                        f"{combo.label}: estimated {estimate} credits, the emulator charges "
                        f"{status.credits}"
                    )
                compared += 1
        raise_if("price estimates", problems)
        return compared
    finally:
        if own:
            em.close()


def emulator_call_check(emulator: ContractEmulator) -> CallCheck:
    """Return a :data:`CallCheck` that posts each call to ``emulator`` and wants it accepted."""

    def check(model: VideoModel, resolved: ResolvedRequest, call: EndpointCall) -> list[str]:
        if call.host != "api":
            return []
        answer = emulator.send(call)
        if answer.ok:
            return []
        return [f"the emulator refuses the call ({answer.describe()}): {compact(call.body)}"]

    return check
