"""Contract checks that every kie provider plugin runs, ours and third parties' alike.

A plugin's test suite gets every check with three lines::

    import kie_kling
    from kie_core.testing import ProviderContract

    class TestKlingContract(ProviderContract):
        plugin = kie_kling

pytest collects the ``test_*`` methods of the subclass. :class:`PricedProviderContract`
adds a check that every estimate equals what the emulator charges, for models whose KIE
prices the emulator knows. Each check is also a plain function (:func:`check_specs`,
:func:`check_rejections`, :func:`check_emulator_accepts`, :func:`check_status_parsing`,
:func:`check_random_requests`, :func:`check_price_estimates`) raising :class:`ContractError`
with every problem it found, for use outside pytest.

The checks need no network: the calls a plugin builds are posted to the offline emulator
(:mod:`kie_core.emulator`) running in this process (:class:`ContractEmulator`), which
validates them against KIE's documented schemas and answers like KIE would. Nothing here
imports pytest; hypothesis is imported only by :func:`check_random_requests`, the emulator
only by :class:`ContractEmulator`.
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ValidationError

from kie_core.calls import EndpointCall
from kie_core.errors import InvalidRequestError
from kie_core.models import Forbidden, Mode, ModelSpec, ResolvedRequest, Variant, VideoModel
from kie_core.registry import ENTRY_POINT_GROUP, Registry
from kie_core.request import INPUT_FIELDS, InputKind, VideoRequest
from kie_core.status import TaskState, TaskStatus

__all__ = [
    "CONTRACT_API_KEY",
    "DEFAULT_MEDIA",
    "PLACEHOLDER_TASK_ID",
    "PROMPT",
    "CallCheck",
    "Combination",
    "ContractEmulator",
    "ContractError",
    "EmulatorAnswer",
    "PricedProviderContract",
    "ProviderContract",
    "base_request",
    "check_emulator_accepts",
    "check_price_estimates",
    "check_random_requests",
    "check_rejections",
    "check_specs",
    "check_status_parsing",
    "combinations",
    "default_plugin_name",
    "emulator_call_check",
    "load_plugin",
    "name_for_variant",
    "prepare",
]

#: The https URL the checks put in each media input (KIE inputs are always URLs).
DEFAULT_MEDIA: dict[InputKind, str] = {
    InputKind.FIRST_FRAME: "https://example.com/kie-contract/first-frame.png",
    InputKind.LAST_FRAME: "https://example.com/kie-contract/last-frame.png",
    InputKind.REFERENCE_IMAGES: "https://example.com/kie-contract/reference.png",
    InputKind.VIDEO: "https://example.com/kie-contract/source.mp4",
    InputKind.AUDIO: "https://example.com/kie-contract/speech.mp3",
}

#: The task id put in ``extend_task_id`` where no real earlier task is at hand.
PLACEHOLDER_TASK_ID = "0123456789abcdef0123456789abcdef"

#: The prompt of every generated request.
PROMPT = "A red fox trots through fresh snow at dawn, steam rising from its breath"

#: An option name no plugin defines.
UNKNOWN_OPTION = "kie_contract_unknown_option"

#: Above this many duration x aspect ratio x resolution combinations a mode is sampled.
MAX_COMBINATIONS_PER_MODE = 64


class ContractError(AssertionError):
    """A plugin breaks the provider contract.

    Attributes:
        problems: every problem found, one sentence each.
    """

    def __init__(self, what: str, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        listing = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"{what}: {len(self.problems)} problem(s)\n{listing}")


def _compact(value: Any) -> str:
    """Return ``value`` as one line of JSON, for problem reports."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _raise_if(what: str, problems: Sequence[str]) -> None:
    if problems:
        raise ContractError(what, problems)


# --- loading -----------------------------------------------------------------------------


def default_plugin_name(plugin: object) -> str:
    """Return the entry point name a plugin is installed under, or its module/class name."""
    module_name = getattr(plugin, "__name__", None)
    if isinstance(module_name, str):
        import importlib_metadata

        for entry in importlib_metadata.entry_points(group=ENTRY_POINT_GROUP):
            if entry.value == module_name:
                return str(entry.name)
        return module_name
    return type(plugin).__name__


def load_plugin(plugin: object, name: str | None = None) -> list[VideoModel]:
    """Register ``plugin`` in a fresh registry, as kie would, and return its models.

    Args:
        plugin: the object registered under the ``kie.providers`` entry point (usually a module).
        name: the plugin's name; by default its entry point name.

    Raises:
        ContractError: the plugin does not load, registers no model, or a model is refused.
    """
    registry = Registry(sources=[])
    info = registry.register_plugin(plugin, name or default_plugin_name(plugin))
    problems: list[str] = []
    if info.error:
        problems.append(f"plugin {info.name!r} did not load: {info.error}")
    problems.extend(f"a model was refused: {error}" for error in info.model_errors)
    models = registry.models()
    if not models and not problems:
        problems.append(f"plugin {info.name!r} registers no model through kie_register_models")
    _raise_if(f"plugin {info.name!r}", problems)
    return models


# --- requests ----------------------------------------------------------------------------


def name_for_variant(spec: ModelSpec, variant: Variant) -> str | None:
    """Return the name a user types to reach ``variant``, or None if nothing reaches it."""
    if variant is spec.default_variant:
        return spec.name
    return variant.aliases[0] if variant.aliases else None


def _media_fields(
    kinds: Iterable[InputKind],
    media: dict[InputKind, str],
    *,
    task_id: str = PLACEHOLDER_TASK_ID,
    references: int = 1,
) -> dict[str, Any]:
    """Return the request fields carrying ``kinds`` (text excluded), filled with ``media``."""
    fields: dict[str, Any] = {}
    for kind in kinds:
        if kind is InputKind.TEXT:
            continue
        if kind is InputKind.SOURCE_TASK:
            fields["extend_task_id"] = task_id
        elif kind is InputKind.REFERENCE_IMAGES:
            stem, dot, suffix = media[kind].rpartition(".")
            fields["reference_images"] = tuple(
                f"{stem}-{index}{dot}{suffix}" if dot else media[kind]
                for index in range(1, max(1, references) + 1)
            )
        else:
            fields[INPUT_FIELDS[kind]] = media[kind]
    return fields


def base_request(
    spec: ModelSpec,
    variant: Variant,
    mode: Mode,
    *,
    optional_inputs: bool = False,
    media: dict[InputKind, str] | None = None,
    task_id: str = PLACEHOLDER_TASK_ID,
    **settings: Any,
) -> VideoRequest:
    """Return a request that selects ``mode`` of ``variant``: its required inputs, filled.

    Args:
        spec: the model.
        variant: the variant, reached by its name or first alias.
        mode: the mode the inputs select.
        optional_inputs: also fill the inputs the mode accepts but does not require.
        media: the URL of each media input kind (default :data:`DEFAULT_MEDIA`).
        task_id: the ``extend_task_id`` of modes that continue an earlier task.
        settings: other request fields (duration, aspect_ratio, options...).
    """
    kinds = mode.all_inputs if optional_inputs else mode.requires
    name = name_for_variant(spec, variant) or spec.name
    prompt = PROMPT if InputKind.TEXT in mode.all_inputs else ""
    fields = _media_fields(
        kinds, media or DEFAULT_MEDIA, task_id=task_id, references=mode.max_reference_images
    )
    return VideoRequest(model=name, prompt=prompt, **{**fields, **settings})


def prepare(model: VideoModel, request: VideoRequest) -> tuple[ResolvedRequest, EndpointCall]:
    """Resolve a request with the model and build its call, as the client does before sending.

    Raises:
        InvalidRequestError: from either step; a model may refuse in ``build_call`` what its
            spec cannot express.
    """
    resolved = model.resolve(request)
    return resolved, model.build_call(resolved)


@dataclass(frozen=True)
class Combination:
    """One advertised setting of one mode of one variant, as a request.

    Attributes:
        model: the registered model.
        variant: the variant the request's name reaches.
        mode: the mode its inputs select.
        request: the request itself (media inputs are https URLs).
    """

    model: VideoModel
    variant: Variant
    mode: Mode
    request: VideoRequest

    @property
    def label(self) -> str:
        """Describe the combination in one line for problem reports."""
        request = self.request
        inputs = sorted(kind.value for kind in request.input_kinds())
        parts = [f"{request.model} [{self.variant.name}/{self.mode.name}]"]
        for key in ("duration", "aspect_ratio", "resolution"):
            value = getattr(request, key)
            if value is not None:
                parts.append(f"{key}={value}")
        parts.append("inputs=" + "+".join(inputs))
        return " ".join(parts)


def _settings_grid(mode: Mode, limit: int) -> list[tuple[Any, Any, Any]]:
    """Every duration x aspect ratio x resolution of a mode, or a sample covering each value."""
    axes: list[Sequence[Any]] = [
        mode.durations or (None,),
        mode.aspect_ratios or (None,),
        mode.resolutions or (None,),
    ]
    grid = list(itertools.product(*axes))
    if len(grid) <= limit:
        return grid
    widest = max(len(axis) for axis in axes)
    covering = [tuple(axis[i % len(axis)] for axis in axes) for i in range(widest)]
    rest = [combo for combo in grid if combo not in covering]
    extra = random.Random(0).sample(rest, max(0, limit - len(covering)))
    return [combo for combo in grid if combo in covering or combo in extra]


def _forbidden_by(mode: Mode, settings: dict[str, Any]) -> Forbidden | None:
    """Return the mode's rule that refuses these settings (a combination it does not offer)."""
    for rule in mode.forbidden:
        if all(key in settings and settings[key] == value for key, value in rule.when.items()):
            return rule
    return None


def combinations(
    model: VideoModel,
    *,
    media: dict[InputKind, str] | None = None,
    task_id: str = PLACEHOLDER_TASK_ID,
    limit: int = MAX_COMBINATIONS_PER_MODE,
) -> list[Combination]:
    """Return a request for every advertised setting of every mode of every variant.

    Each mode yields every duration x aspect ratio x resolution it lists (sampled, every value
    kept at least once, above ``limit``; combinations its ``forbidden`` rules refuse are
    left out) with its required inputs, plus one request with
    every input it accepts at its default settings. Unreachable variants are skipped (see
    :func:`check_specs`).
    """
    found: list[Combination] = []
    spec = model.spec
    for variant in spec.variants:
        if name_for_variant(spec, variant) is None:
            continue
        for mode in variant.modes:
            for duration, aspect, resolution in _settings_grid(mode, limit):
                settings = {"duration": duration, "aspect_ratio": aspect, "resolution": resolution}
                if _forbidden_by(mode, settings):
                    continue
                request = base_request(
                    spec,
                    variant,
                    mode,
                    media=media,
                    task_id=task_id,
                    duration=duration,
                    aspect_ratio=aspect,
                    resolution=resolution,
                )
                found.append(Combination(model, variant, mode, request))
            if mode.accepts - mode.requires - {InputKind.TEXT}:
                request = base_request(
                    spec, variant, mode, optional_inputs=True, media=media, task_id=task_id
                )
                found.append(Combination(model, variant, mode, request))
    return found


# --- check 1: specs ----------------------------------------------------------------------


def _options_model(spec: ModelSpec, variant: Variant) -> type[BaseModel] | None:
    return variant.options_model or spec.options_model


def _check_names(models: Sequence[VideoModel]) -> list[str]:
    problems: list[str] = []
    seen: dict[str, str] = {}
    for model in models:
        spec = model.spec
        for name in spec.all_names():
            if name != name.lower() or not name.strip() or " " in name:
                problems.append(f"{spec.name}: name {name!r} must be lowercase without spaces")
            if name in seen:
                problems.append(f"{spec.name}: name {name!r} is also used by {seen[name]}")
            seen[name] = spec.name
        if not spec.title.strip():
            problems.append(f"{spec.name}: title is empty")
        if spec.family != model.family.name:
            problems.append(
                f"{spec.name}: spec.family {spec.family!r} is not its family {model.family.name!r}"
            )
        for variant in spec.variants[1:]:
            if not variant.aliases:
                problems.append(
                    f"{spec.name}: variant {variant.name!r} has no alias, so no name reaches it"
                )
        variant_names = [variant.name for variant in spec.variants]
        if len(variant_names) != len(set(variant_names)):
            problems.append(f"{spec.name}: variant names repeat: {variant_names}")
    return problems


def _check_mode(model: VideoModel, variant: Variant, mode: Mode) -> list[str]:
    spec = model.spec
    where = f"{spec.name} [{variant.name}/{mode.name}]"
    problems: list[str] = []
    if model.family.name == "market" and not mode.kie_model:
        problems.append(f"{where}: a Market mode must name its kie_model")
    for key, default, values in (
        ("duration", mode.default_duration, mode.durations),
        ("aspect_ratio", mode.default_aspect_ratio, mode.aspect_ratios),
        ("resolution", mode.default_resolution, mode.resolutions),
    ):
        if values and default not in values:
            problems.append(f"{where}: default {key} {default!r} is not among {values}")
        if len(set(values)) != len(values):
            problems.append(f"{where}: {key} values repeat: {values}")
    if any(duration <= 0 for duration in mode.durations):
        problems.append(f"{where}: durations must be positive: {mode.durations}")
    try:
        resolved = model.resolve(base_request(spec, variant, mode))
    except InvalidRequestError as exc:
        problems.append(f"{where}: a request with its required inputs is refused: {exc}")
        return problems
    if resolved.mode.name != mode.name:
        problems.append(
            f"{where}: a request with its required inputs selects mode {resolved.mode.name!r}"
        )
    if spec.deprecated is not None and not resolved.warnings:
        problems.append(f"{where}: the model is deprecated but resolving it gives no warning")
    return problems


def _check_prices(combos: Sequence[Combination]) -> list[str]:
    problems: list[str] = []
    for combo in combos:
        try:
            resolved = combo.model.resolve(combo.request)
        except InvalidRequestError as exc:
            problems.append(f"{combo.label}: an advertised setting is refused: {exc}")
            continue
        credits = resolved.estimate_credits()
        if credits is None:
            problems.append(f"{combo.label}: no price row covers this advertised setting")
        elif credits < 0:
            problems.append(f"{combo.label}: the estimated price is negative ({credits})")
    return problems


def _check_options_models(spec: ModelSpec) -> list[str]:
    problems: list[str] = []
    for variant in spec.variants:
        options_model = _options_model(spec, variant)
        if options_model is None:
            continue
        where = f"{spec.name} [{variant.name}] options {options_model.__name__}"
        if options_model.model_config.get("extra") != "forbid":
            problems.append(f"{where}: must set model_config = ConfigDict(extra='forbid')")
        try:
            options_model.model_validate({UNKNOWN_OPTION: True})
        except ValidationError:
            pass
        else:
            problems.append(f"{where}: accepts the unknown key {UNKNOWN_OPTION!r}")
    return problems


def check_specs(models: Sequence[VideoModel]) -> None:
    """Check that every spec is well formed and every advertised setting has a price.

    Names and aliases are unique and lowercase, every non-default variant has an alias, every
    mode is reached by its required inputs and (Market) names its KIE model id, defaults lie
    in their lists, every duration x aspect ratio x resolution a mode lists has a non-negative
    price, options models forbid unknown keys, and a deprecated model has a note and warns.

    Raises:
        ContractError: listing every problem.
    """
    problems = _check_names(models)
    for model in models:
        spec = model.spec
        if spec.deprecated is not None and not spec.deprecation_note.strip():
            problems.append(f"{spec.name}: deprecated {spec.deprecated} without a deprecation_note")
        for limit_name in ("prompt_max_length", "negative_prompt_max_length"):
            limit = getattr(spec, limit_name)
            if limit is not None and limit <= 0:
                problems.append(f"{spec.name}: {limit_name} must be positive, got {limit}")
        if spec.seed_range is not None and spec.seed_range[0] > spec.seed_range[1]:
            problems.append(f"{spec.name}: seed_range {spec.seed_range} is reversed")
        for variant in spec.variants:
            mode_names = [mode.name for mode in variant.modes]
            if len(mode_names) != len(set(mode_names)):
                problems.append(f"{spec.name} [{variant.name}]: mode names repeat: {mode_names}")
            for mode in variant.modes:
                problems.extend(_check_mode(model, variant, mode))
        problems.extend(_check_options_models(spec))
        problems.extend(_check_prices(combinations(model)))
    _raise_if("model specs", problems)


# --- check 3: local rejections -----------------------------------------------------------


@dataclass(frozen=True)
class _Rejection:
    """A request that must be refused locally, and the field the error must name."""

    why: str
    request: VideoRequest
    field: str
    accepted: tuple[Any, ...] | None = None


def _outside(values: Sequence[int]) -> list[int]:
    candidates = [1, 7, 99, 1000]
    if values:
        candidates += [max(values) + 1, min(values) - 1]
    return sorted({value for value in candidates if value > 0 and value not in values})


def _variant_rejections(spec: ModelSpec, variant: Variant) -> Iterator[_Rejection]:
    mode = variant.modes[0]

    def request(**settings: Any) -> VideoRequest:
        return base_request(spec, variant, mode, **settings)

    for duration in _outside(mode.durations):
        yield _Rejection(
            f"duration {duration}", request(duration=duration), "duration", mode.durations
        )
    for aspect in ("7:3", "0:0"):
        if aspect not in mode.aspect_ratios:
            yield _Rejection(
                f"aspect ratio {aspect}",
                request(aspect_ratio=aspect),
                "aspect_ratio",
                mode.aspect_ratios,
            )
    for resolution in ("123p", "99K"):
        if resolution.lower() not in {r.lower() for r in mode.resolutions}:
            yield _Rejection(
                f"resolution {resolution}",
                request(resolution=resolution),
                "resolution",
                mode.resolutions,
            )
    accepted_anywhere: set[InputKind] = set()
    for each in variant.modes:
        accepted_anywhere |= each.all_inputs
    for kind in InputKind:
        if kind is InputKind.TEXT or kind in accepted_anywhere:
            continue
        media = _media_fields((kind,), DEFAULT_MEDIA)
        yield _Rejection(f"input {kind.value}", request(**media), INPUT_FIELDS[kind])
    for each in variant.modes:
        for kind in each.requires - {InputKind.TEXT}:
            present = each.requires - {kind}
            if any(m.requires <= present <= m.all_inputs for m in variant.modes):
                continue
            without = base_request(spec, variant, each).model_copy(
                update={INPUT_FIELDS[kind]: () if kind is InputKind.REFERENCE_IMAGES else None}
            )
            yield _Rejection(f"{each.name} without {kind.value}", without, INPUT_FIELDS[kind])
    for each in variant.modes:
        for rule in each.forbidden:
            if set(rule.when) <= {"duration", "aspect_ratio", "resolution"}:
                combo = ", ".join(f"{key}={value}" for key, value in rule.when.items())
                yield _Rejection(
                    f"{each.name} with {combo}",
                    base_request(spec, variant, each).model_copy(update=dict(rule.when)),
                    next(iter(rule.when)),
                )
    if spec.prompt_max_length is not None and InputKind.TEXT in mode.all_inputs:
        too_long = "x" * (spec.prompt_max_length + 1)
        yield _Rejection(
            f"prompt of {len(too_long)} characters",
            request().model_copy(update={"prompt": too_long}),
            "prompt",
        )
    negative_limit = spec.negative_prompt_max_length
    negative = "blurry " * (((negative_limit or 0) // 7) + 1)
    yield _Rejection(
        f"negative prompt of {len(negative)} characters",
        request(negative_prompt=negative),
        "negative_prompt",
    )
    if spec.seed_range is None:
        yield _Rejection("a seed", request(seed=1), "seed")
    else:
        low, high = spec.seed_range
        yield _Rejection(f"seed {high + 1}", request(seed=high + 1), "seed")
        yield _Rejection(f"seed {low - 1}", request(seed=low - 1), "seed")
    yield _Rejection(
        f"option {UNKNOWN_OPTION}",
        request(options={UNKNOWN_OPTION: True}),
        f"options.{UNKNOWN_OPTION}",
    )


def _rejection_problems(model: VideoModel, case: _Rejection) -> list[str]:
    where = f"{case.request.model}: {case.why}"
    try:
        prepare(model, case.request)
    except InvalidRequestError as exc:
        problems: list[str] = []
        if exc.field != case.field:
            problems.append(f"{where} is refused naming field {exc.field!r}, not {case.field!r}")
        if case.accepted and tuple(exc.accepted or ()) != case.accepted:
            problems.append(
                f"{where} is refused without the accepted values {case.accepted} "
                f"(got {exc.accepted})"
            )
        return problems
    except Exception as exc:
        return [f"{where} raises {type(exc).__name__}, not InvalidRequestError: {exc}"]
    return [f"{where} is not refused locally (it would be sent and may spend credits)"]


def check_rejections(models: Sequence[VideoModel]) -> None:
    """Check that unsupported values are refused locally with an error naming the field.

    For every reachable variant: durations, aspect ratios and resolutions outside the lists
    (the error must list the accepted values), media inputs no mode takes, missing required
    inputs, a prompt over the limit, a negative prompt over the limit (or at all), seeds out of
    range (or at all), and an unknown option key.

    Raises:
        ContractError: listing every request that was not refused as it should be.
    """
    problems: list[str] = []
    for model in models:
        for variant in model.spec.variants:
            if name_for_variant(model.spec, variant) is None:
                continue
            for case in _variant_rejections(model.spec, variant):
                problems.extend(_rejection_problems(model, case))
    _raise_if("local rejections", problems)


# --- the emulator ------------------------------------------------------------------------

CallCheck = Callable[[VideoModel, ResolvedRequest, EndpointCall], list[str]]
"""Checks one built call and returns its problems (used to post it to the emulator)."""


#: The key the contract's emulator accepts (a test value, never a real key).
CONTRACT_API_KEY = "kie-contract-key"

#: Emulator settings of the contract: no rate limit, an ample balance, deterministic ids.
CONTRACT_EMULATOR_SETTINGS: dict[str, Any] = {
    "api_key": CONTRACT_API_KEY,
    "credits": 1e12,
    "create_limit": 1_000_000,
    "query_limit": 1_000_000,
    "task_seconds": 10.0,
    "seed": 0,
}


@dataclass(frozen=True)
class EmulatorAnswer:
    """One answer of the emulator.

    Attributes:
        http_status: the HTTP status.
        body: the parsed JSON body (``None`` when it is not JSON).
    """

    http_status: int
    body: Any

    @property
    def code(self) -> Any:
        """The envelope ``code`` (KIE reports errors in it, even with HTTP 200)."""
        return self.body.get("code") if isinstance(self.body, dict) else None

    @property
    def data(self) -> Any:
        """The envelope ``data``."""
        return self.body.get("data") if isinstance(self.body, dict) else None

    @property
    def ok(self) -> bool:
        """Whether KIE would have accepted the call (HTTP 200 and envelope code 200)."""
        return self.http_status == 200 and self.code == 200

    def describe(self) -> str:
        """Return the status and KIE's message, for problem reports."""
        msg = self.body.get("msg") if isinstance(self.body, dict) else self.body
        return f"HTTP {self.http_status}, code {self.code}: {msg}"


class ContractEmulator:
    """The offline KIE.ai emulator in this process, reached through httpx's ASGI transport.

    Nothing listens on a socket and no callback leaves the process: the app's lifespan (the
    callback ticker) is not run, tasks progress with the emulated clock, which
    :meth:`finish_tasks` moves forward. Calls are sent from a private event loop thread, so
    the checks work from synchronous and asynchronous tests alike.

    Args:
        settings: :class:`~kie_core.emulator.config.EmulatorConfig` fields overriding
            :data:`CONTRACT_EMULATOR_SETTINGS`.
    """

    def __init__(self, **settings: Any) -> None:
        import asyncio
        import threading

        import httpx

        from kie_core.emulator.app import create_app
        from kie_core.emulator.config import EmulatorConfig
        from kie_core.emulator.state import Emulator

        self.config = EmulatorConfig(**{**CONTRACT_EMULATOR_SETTINGS, **settings})
        self.emulator = Emulator(self.config)
        self.app = create_app(emulator=self.emulator)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="kie-contract-emulator", daemon=True
        )
        self._thread.start()
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url="https://api.kie.ai",
            headers={"Authorization": f"Bearer {self.config.api_key}"},
        )
        #: How many calls were sent.
        self.sent = 0

    def _run(self, coroutine: Any) -> Any:
        import asyncio

        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=60)

    def send(self, call: EndpointCall) -> EmulatorAnswer:
        """Send one call as the client would and return the emulator's answer."""
        response = self._run(
            self._client.request(call.method, call.path, json=call.body, params=call.params)
        )
        self.sent += 1
        try:
            body = response.json()
        except ValueError:
            body = None
        return EmulatorAnswer(response.status_code, body)

    def finish_tasks(self) -> None:
        """Move the emulated clock past every running task's end."""
        self.emulator.advance(self.emulator.config.task_seconds + 1.0)

    def fail_next_task(self) -> None:
        """Make the next created task fail (the emulator's ``task-fail`` fault, once)."""
        self.emulator.set_fault("task-fail", 1.0, times=1)

    def callback_body(self, task_id: str) -> dict[str, Any]:
        """Return the body the emulator would POST to the task's ``callBackUrl``."""
        task = self.emulator.get_task(task_id)
        if task is None:
            raise KeyError(task_id)
        body: dict[str, Any] = self.app.state.callback_sender.body_for(task)
        return body

    def close(self) -> None:
        """Close the client and stop the event loop thread."""
        self._run(self._client.aclose())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> ContractEmulator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _source_task_ids(
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


def _sent_problems(
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
            f"body {_compact(call.body)}"
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
        source_for = _source_task_ids(models, em)
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
                found, _ = _sent_problems(combo.label, model, combo.request, em)
                problems.extend(found)
                posted += em.sent - before
        _raise_if("calls refused by the emulator", problems)
        return posted
    finally:
        if own:
            em.close()


# --- check 4: status records and callbacks -----------------------------------------------


def _read_status(
    model: VideoModel, em: ContractEmulator, task_id: str, label: str
) -> tuple[TaskStatus | None, list[str]]:
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
    problems, task_id = _sent_problems(label, model, request, em)
    if task_id is None:
        return problems
    status, found = _read_status(model, em, task_id, f"{label} (just created)")
    problems += found
    if status is not None and status.done:
        problems.append(f"{label}: a task just created parses as {status.state.value}")
    em.finish_tasks()
    status, found = _read_status(model, em, task_id, f"{label} (finished)")
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
        source_for = _source_task_ids(models, em)
        problems: list[str] = []
        for model in models:
            reachable = [
                v for v in model.spec.variants if name_for_variant(model.spec, v) is not None
            ]
            for variant in reachable:
                problems += _status_probe(model, variant, em, source_for, fail=False)
            if reachable:
                problems += _status_probe(model, reachable[0], em, source_for, fail=True)
        _raise_if("task records and callbacks", problems)
    finally:
        if own:
            em.close()


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
                found, task_id = _sent_problems(combo.label, model, combo.request, em)
                problems += found
                if task_id is None:
                    continue
                status, found = _read_status(model, em, task_id, combo.label)
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
        _raise_if("price estimates", problems)
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
        return [f"the emulator refuses the call ({answer.describe()}): {_compact(call.body)}"]

    return check


# --- check 5: random requests ------------------------------------------------------------


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
        media = _media_fields(
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
        _raise_if("random requests", failures or ["hypothesis found a failing request"])
    return valid[0]


# --- the pytest suite --------------------------------------------------------------------


class ProviderContract:
    """The contract suite: subclass it in a test module and set :attr:`plugin`.

    Example:
        >>> import kie_kling                                       # doctest: +SKIP
        >>> class TestKlingContract(ProviderContract):             # doctest: +SKIP
        ...     plugin = kie_kling

    Attributes:
        plugin: the object registered under the ``kie.providers`` entry point.
        plugin_name: its entry point name; found from the installed entry points by default.
        hypothesis_examples: how many random requests :meth:`test_random_requests_stay_in_spec`
            tries.
    """

    plugin: ClassVar[object]
    plugin_name: ClassVar[str | None] = None
    hypothesis_examples: ClassVar[int] = 100

    _models_cache: ClassVar[dict[type, list[VideoModel]]] = {}

    def contract_models(self) -> list[VideoModel]:
        """Return the plugin's models, loaded once per test class as kie's registry would."""
        cls = type(self)
        if cls not in ProviderContract._models_cache:
            ProviderContract._models_cache[cls] = load_plugin(cls.plugin, cls.plugin_name)
        return ProviderContract._models_cache[cls]

    def test_plugin_registers_models(self) -> None:
        """The plugin loads through its hook and registers at least one model."""
        assert self.contract_models()

    def test_specs_are_well_formed(self) -> None:
        """Names, modes, defaults, prices, options models and deprecation are consistent."""
        check_specs(self.contract_models())

    def test_unsupported_values_are_rejected_locally(self) -> None:
        """Values outside the spec are refused before any network call, naming the field."""
        check_rejections(self.contract_models())

    def test_every_advertised_combination_is_accepted_by_the_emulator(self) -> None:
        """Every mode x duration x aspect ratio x resolution builds a call KIE would accept."""
        with ContractEmulator() as emulator:
            check_emulator_accepts(self.contract_models(), emulator)

    def test_status_records_and_callbacks_parse(self) -> None:
        """Records and callbacks of running, succeeded and failed tasks parse correctly."""
        with ContractEmulator() as emulator:
            check_status_parsing(self.contract_models(), emulator)

    def test_random_requests_stay_in_spec(self) -> None:
        """Random requests are refused locally or produce calls the emulator accepts."""
        models = self.contract_models()
        with ContractEmulator() as emulator:
            source_for = _source_task_ids(models, emulator)
            sources = {
                model.family.name: source_for(model)
                for model in models
                for variant in model.spec.variants
                for mode in variant.modes
                if InputKind.SOURCE_TASK in mode.requires
            }
            check_random_requests(
                models,
                max_examples=self.hypothesis_examples,
                check_call=emulator_call_check(emulator),
                source_tasks=sources,
            )


class PricedProviderContract(ProviderContract):
    """The contract suite plus a price check: every estimate equals the emulator's charge.

    For plugins of models whose prices the emulator knows (the Market models of KIE's docs).
    """

    def test_estimates_match_what_the_emulator_charges(self) -> None:
        """Every advertised combination is estimated at the credits the emulator charges."""
        with ContractEmulator() as emulator:
            check_price_estimates(self.contract_models(), emulator)
