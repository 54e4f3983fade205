"""Random-request checks: requests (hypothesis) are refused locally or stay in the spec.

Hypothesis is imported only when the check runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kie_core.calls import EndpointCall
from kie_core.errors import InvalidRequestError
from kie_core.models import ResolvedRequest, VideoModel
from kie_core.request import InputKind, VideoRequest
from kie_emulator.testing.problems import raise_if
from kie_emulator.testing.requests import (
    DEFAULT_MEDIA,
    PLACEHOLDER_TASK_ID,
    PROMPT,
    UNKNOWN_OPTION,
    media_fields,
    prepare,
)

CallCheck = Callable[[VideoModel, ResolvedRequest, EndpointCall], list[str]]
"""Checks one built call and returns its problems (used to post it to the emulator)."""


def _within_spec(resolved: ResolvedRequest) -> list[str]:
    mode = resolved.mode
    request = resolved.request
    problems: list[str] = []
    for key, values in (
        ("duration", mode.durations),
        ("aspect_ratio", mode.aspect_ratios),
        ("resolution", mode.resolutions),
    ):
        value = getattr(request, key)
        if (values and value not in values) or (not values and value is not None):
            problems.append(f"{key}={value!r} is outside the advertised {values}")
    return problems


#: How a generated request may be pushed off its mode's advertised values ("" keeps it valid).
_MUTATIONS = (
    "",
    "",
    "",
    "",
    "",
    "duration",
    "aspect_ratio",
    "resolution",
    "prompt",
    "negative_prompt",
    "seed",
    "input",
    "missing",
    "option",
)


def _request_strategy(
    models: Sequence[VideoModel], source_tasks: Mapping[str, str] | None = None
) -> Any:
    """Return a hypothesis strategy of requests: about half valid, the rest off by one field.

    A request targets one mode of the variant its name reaches, with settings from that mode's
    lists; a mutation then may replace one field with a value from any model of the plugin
    (another mode's aspect ratio, a duration of 1 to 120 s...) or an input the mode lacks.
    ``extend_task_id`` is the family's task in ``source_tasks`` (family name to task id), or
    :data:`PLACEHOLDER_TASK_ID`.
    """
    from hypothesis import strategies as st

    by_name = {name: model for model in models for name in model.spec.all_names()}
    all_durations = sorted({d for m in models for d in m.spec.durations} | {1, 7, 99})
    all_aspects = sorted({a for m in models for a in m.spec.aspect_ratios} | {"7:3"})
    all_resolutions = sorted({r for m in models for r in m.spec.resolutions} | {"123p"})
    media_kinds = [kind for kind in InputKind if kind is not InputKind.TEXT]

    def pick(draw: st.DrawFn, values: Sequence[Any]) -> Any:
        return draw(st.none() | st.sampled_from(values)) if values else None

    @st.composite
    def requests(draw: st.DrawFn) -> VideoRequest:
        name = draw(st.sampled_from(sorted(by_name)))
        spec = by_name[name].spec
        variant = spec.variant_for(name)
        mode = draw(st.sampled_from(variant.modes))
        optional = sorted(mode.accepts - mode.requires - {InputKind.TEXT})
        kinds = set(mode.requires - {InputKind.TEXT})
        kinds |= draw(st.sets(st.sampled_from(optional))) if optional else set()
        fields: dict[str, Any] = {
            "duration": pick(draw, mode.durations),
            "aspect_ratio": pick(draw, mode.aspect_ratios),
            "resolution": pick(draw, mode.resolutions),
            "prompt": PROMPT if InputKind.TEXT in mode.all_inputs else "",
            "options": {},
        }
        if spec.negative_prompt_max_length:
            fields["negative_prompt"] = draw(st.none() | st.just("blurry, low quality"))
        if spec.seed_range is not None:
            fields["seed"] = draw(st.none() | st.integers(*spec.seed_range))
        mutation = draw(st.sampled_from(_MUTATIONS))
        if mutation == "duration":
            fields["duration"] = draw(st.sampled_from(all_durations) | st.integers(1, 120))
        elif mutation == "aspect_ratio":
            fields["aspect_ratio"] = draw(st.sampled_from(all_aspects))
        elif mutation == "resolution":
            fields["resolution"] = draw(st.sampled_from(all_resolutions))
        elif mutation == "prompt":
            fields["prompt"] = draw(
                st.sampled_from(["", "p" * ((spec.prompt_max_length or 0) + 1)])
            )
        elif mutation == "negative_prompt":
            fields["negative_prompt"] = "n" * ((spec.negative_prompt_max_length or 0) + 1)
        elif mutation == "seed":
            low, high = spec.seed_range or (0, 0)
            fields["seed"] = draw(st.sampled_from([low - 1, high + 1, 2**40]))
        elif mutation == "input":
            kinds.add(draw(st.sampled_from(media_kinds)))
        elif mutation == "missing" and kinds:
            kinds.discard(draw(st.sampled_from(sorted(kinds))))
        elif mutation == "option":
            fields["options"] = {UNKNOWN_OPTION: 1}
        task_id = (source_tasks or {}).get(by_name[name].family.name, PLACEHOLDER_TASK_ID)
        media = media_fields(
            kinds, DEFAULT_MEDIA, task_id=task_id, references=draw(st.integers(1, 4))
        )
        return VideoRequest(model=name, **fields, **media)

    return requests()


def check_random_requests(
    models: Sequence[VideoModel],
    *,
    max_examples: int = 100,
    check_call: CallCheck | None = None,
    source_tasks: Mapping[str, str] | None = None,
) -> int:
    """Generate random requests (hypothesis): each is refused locally or stays in the spec.

    Requests mix each model's advertised values with values outside them. One that passes
    :func:`prepare` must carry a duration, aspect ratio and resolution from its mode's lists,
    call its mode's KIE model, and pass ``check_call`` (the contract posts it to the
    emulator). Any exception other than :class:`InvalidRequestError` fails. Requests that
    continue a task use the family's id in ``source_tasks`` (a finished task the emulator
    knows), else :data:`PLACEHOLDER_TASK_ID`.

    Returns:
        how many of the generated requests were valid (and checked further).

    Raises:
        ContractError: with the first falsifying request.
    """
    from hypothesis import HealthCheck, given, settings

    by_name = {name: model for model in models for name in model.spec.all_names()}
    failures: list[str] = []
    valid = [0]

    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(_request_strategy(models, source_tasks))
    def run(request: VideoRequest) -> None:
        model = by_name[request.model]
        try:
            resolved, call = prepare(model, request)
        except InvalidRequestError:
            return
        except Exception as exc:
            problem = f"raises {type(exc).__name__}, not InvalidRequestError: {exc}"
            failures[:] = [f"{request!r}: {problem}"]
            raise AssertionError(problem) from exc
        valid[0] += 1
        problems = _within_spec(resolved)
        body = call.body or {}
        kie_model = resolved.mode.kie_model
        if kie_model and model.family.name == "market" and body.get("model") != kie_model:
            problems.append(f"the call names model {body.get('model')!r}, not {kie_model!r}")
        if check_call is not None:
            problems.extend(check_call(model, resolved, call))
        if problems:
            failures[:] = [f"{request!r}: {problem}" for problem in problems]
            raise AssertionError("; ".join(problems))

    try:
        run()
    except AssertionError:
        raise_if("random requests", failures or ["hypothesis found a failing request"])
    return valid[0]
