"""kie_emulator.testing: the provider contract passes a sound plugin and catches broken ones."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from kie_emulator.testing import (
    ContractEmulator,
    ContractError,
    PricedProviderContract,
    check_emulator_accepts,
    check_price_estimates,
    check_random_requests,
    check_rejections,
    check_specs,
    check_status_parsing,
    combinations,
    emulator_call_check,
    load_plugin,
)
from pydantic import BaseModel, ConfigDict, Field

from kie_core.calls import EndpointCall
from kie_core.families.market import MarketFamily, MarketModel
from kie_core.hookspecs import hookimpl
from kie_core.models import Mode, ModelSpec, PriceRow, ResolvedRequest, Variant, VideoModel
from kie_core.request import InputKind, VideoRequest
from kie_core.status import TaskState, TaskStatus

T, F, L = InputKind.TEXT, InputKind.FIRST_FRAME, InputKind.LAST_FRAME
TEXT_ID = "kling/v2-5-turbo-text-to-video-pro"
IMAGE_ID = "kling/v2-5-turbo-image-to-video-pro"


class TurboOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cfg_scale: float | None = Field(default=None, ge=0, le=1, multiple_of=0.1)


class LaxOptions(BaseModel):
    cfg_scale: float | None = None


def prices(*durations: int) -> tuple[PriceRow, ...]:
    """Kling 2.5 Turbo's published prices: 42 credits for 5 s, 84 for 10 s."""
    return tuple(PriceRow(credits=42 * d // 5, when={"duration": d}) for d in durations)


def turbo_spec(
    *,
    durations: tuple[int, ...] = (5, 10),
    text_id: str | None = TEXT_ID,
    price_rows: tuple[PriceRow, ...] | None = None,
    options_model: type[BaseModel] = TurboOptions,
    **changes: Any,
) -> ModelSpec:
    rows = prices(*durations) if price_rows is None else price_rows
    spec = ModelSpec(
        name="contract-turbo",
        title="Contract Turbo",
        family="market",
        aliases=("ct",),
        variants=(
            Variant(
                name="pro",
                modes=(
                    Mode(
                        name="text-to-video",
                        kie_model=text_id,
                        requires=frozenset({T}),
                        durations=durations,
                        default_duration=durations[0],
                        aspect_ratios=("16:9", "9:16", "1:1"),
                        default_aspect_ratio="16:9",
                        prices=rows,
                    ),
                    Mode(
                        name="image-to-video",
                        kie_model=IMAGE_ID,
                        requires=frozenset({T, F}),
                        accepts=frozenset({L}),
                        durations=durations,
                        default_duration=durations[0],
                        prices=rows,
                    ),
                ),
            ),
        ),
        prompt_max_length=2500,
        negative_prompt_max_length=500,
        options_model=options_model,
    )
    return spec.model_copy(update=changes) if changes else spec


def turbo(spec: ModelSpec | None = None, **market: Any) -> MarketModel:
    return MarketModel(spec or turbo_spec(), **market)


class Plugin:
    """A plugin object registering the given models through kie's hook."""

    def __init__(self, *models: VideoModel) -> None:
        self.models = models

    @hookimpl
    def kie_register_models(self, register: Callable[[VideoModel], None]) -> None:
        for model in self.models:
            register(model)


GOOD = Plugin(turbo())


class TestSoundPluginPassesTheContract(PricedProviderContract):
    """The three lines a plugin author writes, here run on a sound sample plugin."""

    plugin = GOOD
    plugin_name = "contract-sample"


def problems_of(check: Callable[[], object]) -> str:
    with pytest.raises(ContractError) as error:
        check()
    assert error.value.problems
    return "\n".join(error.value.problems)


# --- loading -----------------------------------------------------------------------------


def test_a_plugin_that_registers_nothing_fails() -> None:
    assert "registers no model" in problems_of(lambda: load_plugin(Plugin(), "empty"))


def test_a_plugin_whose_hook_raises_fails() -> None:
    class Broken:
        @hookimpl
        def kie_register_models(self, register: Callable[[VideoModel], None]) -> None:
            raise RuntimeError("the spec table is missing")

    assert "the spec table is missing" in problems_of(lambda: load_plugin(Broken(), "broken"))


def test_a_model_the_registry_refuses_fails() -> None:
    duplicate = turbo(turbo_spec(aliases=()))
    found = problems_of(lambda: load_plugin(Plugin(turbo(), duplicate), "twice"))
    assert "already provided" in found


def test_the_plugin_name_defaults_to_the_object_name() -> None:
    assert [m.spec.provider for m in load_plugin(Plugin(turbo()))] == ["Plugin"]


# --- specs -------------------------------------------------------------------------------


def test_a_missing_kie_model_is_caught_by_specs_and_by_the_emulator_check() -> None:
    models = load_plugin(Plugin(turbo(turbo_spec(text_id=None))), "no-id")
    assert "must name its kie_model" in problems_of(lambda: check_specs(models))
    found = problems_of(lambda: check_emulator_accepts(models))
    assert "[pro/text-to-video]" in found
    assert "cannot build the call" in found


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (turbo_spec(price_rows=prices(5)), "no price row covers"),
        (turbo_spec(options_model=LaxOptions), "extra='forbid'"),
        (turbo_spec(deprecated=date(2026, 9, 24)), "without a deprecation_note"),
        (turbo_spec(aliases=("CT",)), "must be lowercase"),
        (turbo_spec(prompt_max_length=0), "prompt_max_length must be positive"),
    ],
)
def test_malformed_specs_are_caught(spec: ModelSpec, expected: str) -> None:
    models = load_plugin(Plugin(turbo(spec)), "malformed")
    assert expected in problems_of(lambda: check_specs(models))


def test_a_variant_without_an_alias_is_unreachable() -> None:
    spec = turbo_spec()
    spec = spec.model_copy(
        update={"variants": (*spec.variants, spec.variants[0].model_copy(update={"name": "hd"}))}
    )
    models = load_plugin(Plugin(turbo(spec)), "hidden")
    assert "variant 'hd' has no alias" in problems_of(lambda: check_specs(models))


def test_a_mode_shadowed_by_another_is_caught() -> None:
    spec = turbo_spec()
    text, image = spec.variants[0].modes
    wide = text.model_copy(update={"name": "any", "accepts": frozenset({F, L})})
    shadowed = spec.model_copy(
        update={"variants": (spec.variants[0].model_copy(update={"modes": (wide, image, text)}),)}
    )
    models = load_plugin(Plugin(turbo(shadowed)), "shadowed")
    assert "selects mode" in problems_of(lambda: check_specs(models))


def test_a_deprecated_model_with_a_note_passes_and_warns() -> None:
    spec = turbo_spec(deprecated=date(2026, 9, 24), deprecation_note="retired upstream")
    check_specs(load_plugin(Plugin(turbo(spec)), "retired"))


# --- the emulator ------------------------------------------------------------------------


def test_a_bad_payload_field_name_is_refused_by_the_emulator() -> None:
    models = load_plugin(Plugin(turbo(fields={"duration": "seconds"})), "bad-field")
    check_specs(models)
    found = problems_of(lambda: check_emulator_accepts(models))
    assert "input.seconds: unknown parameter" in found


def test_a_duration_the_emulator_refuses_is_caught_although_the_spec_is_consistent() -> None:
    models = load_plugin(Plugin(turbo(turbo_spec(durations=(5, 10, 15)))), "long")
    check_specs(models)
    check_rejections(models)
    found = problems_of(lambda: check_emulator_accepts(models))
    assert "duration=15" in found
    assert "input.duration" in found
    assert "duration=5 " not in found


def test_a_wrong_value_map_is_caught() -> None:
    model = turbo(value_maps={"aspect_ratio": {"9:16": "portrait"}})
    models = load_plugin(Plugin(model), "mapped")
    found = problems_of(lambda: check_emulator_accepts(models))
    assert "aspect_ratio=9:16" in found
    assert "input.aspect_ratio" in found


def test_the_sound_plugin_posts_every_combination() -> None:
    models = load_plugin(GOOD, "sound")
    with ContractEmulator() as emulator:
        posted = check_emulator_accepts(models, emulator)
        assert posted == len(combinations(models[0])) == 2 * 3 + 2 + 1
        created = [t.model for t in emulator.emulator.tasks.values()]
    assert sorted(set(created)) == [IMAGE_ID, TEXT_ID]


def test_calls_to_the_upload_host_are_not_posted() -> None:
    class UploadFirst(MarketModel):
        def build_call(self, resolved: ResolvedRequest) -> EndpointCall:
            return EndpointCall(method="POST", path="/api/file-url-upload", host="upload")

    models = load_plugin(Plugin(UploadFirst(turbo_spec())), "upload")
    assert check_emulator_accepts(models) == 0


def test_a_mistyped_price_is_caught_against_the_emulator_charge() -> None:
    rows = (PriceRow(credits=42, when={"duration": 5}), PriceRow(credits=48, when={"duration": 10}))
    models = load_plugin(Plugin(turbo(turbo_spec(price_rows=rows))), "typo")
    check_specs(models)
    found = problems_of(lambda: check_price_estimates(models))
    assert "estimated 48.0 credits, the emulator charges 84.0" in found
    assert "duration=5 " not in found


def test_the_sound_plugin_estimates_what_the_emulator_charges() -> None:
    assert check_price_estimates(load_plugin(GOOD, "sound")) == 9


# --- local rejections --------------------------------------------------------------------


class LaxModel(MarketModel):
    """Skips the spec's validation: everything reaches KIE."""

    def resolve(self, request: VideoRequest) -> ResolvedRequest:
        variant = self.spec.default_variant
        mode = variant.modes[1] if request.first_frame else variant.modes[0]
        return ResolvedRequest(
            spec=self.spec, variant=variant, mode=mode, request=request, options=request.options
        )


def test_a_model_that_does_not_validate_locally_is_caught() -> None:
    models = load_plugin(Plugin(LaxModel(turbo_spec())), "lax")
    found = problems_of(lambda: check_rejections(models))
    for what in ("duration 7", "aspect ratio 7:3", "resolution 123p", "input video", "seed"):
        assert f"{what}" in found
    assert "is not refused locally" in found


def test_a_refusal_naming_the_wrong_field_is_caught() -> None:
    class WrongField(MarketModel):
        def resolve(self, request: VideoRequest) -> ResolvedRequest:
            from kie_core.errors import InvalidRequestError

            try:
                return super().resolve(request)
            except InvalidRequestError as exc:
                raise InvalidRequestError(str(exc), field="request", value=exc.value) from None

    models = load_plugin(Plugin(WrongField(turbo_spec())), "vague")
    assert "naming field 'request', not 'duration'" in problems_of(lambda: check_rejections(models))


# --- status records and callbacks --------------------------------------------------------


class AlwaysRunning(MarketFamily):
    """Reads every record as still running."""

    def parse_status(self, task_id: str, data: Any) -> TaskStatus:
        return super().parse_status(task_id, data).model_copy(update={"state": TaskState.RUNNING})


class NoResults(MarketFamily):
    """Loses the result URLs."""

    def parse_status(self, task_id: str, data: Any) -> TaskStatus:
        return super().parse_status(task_id, data).model_copy(update={"result_urls": ()})


@pytest.mark.parametrize(
    ("family", "expected"),
    [
        (AlwaysRunning(), "parses as running, not succeeded"),
        (NoResults(), "succeeded without result URLs"),
    ],
)
def test_a_family_that_misreads_records_is_caught(family: MarketFamily, expected: str) -> None:
    model = turbo()
    model.family = family
    models = load_plugin(Plugin(model), "misread")
    found = problems_of(lambda: check_status_parsing(models))
    assert expected in found
    assert "record" in found
    assert "callback" in found


def test_status_parsing_drives_success_and_failure() -> None:
    models = load_plugin(GOOD, "sound")
    with ContractEmulator() as emulator:
        check_status_parsing(models, emulator)
        states = sorted(t.failure is not None for t in emulator.emulator.tasks.values())
    assert states == [False, True]


# --- random requests ---------------------------------------------------------------------


def test_random_requests_find_a_crash_outside_invalid_request_error() -> None:
    class Crashes(MarketModel):
        def build_call(self, resolved: ResolvedRequest) -> EndpointCall:
            if resolved.request.duration == 10:
                raise KeyError("duration")
            return super().build_call(resolved)

    models = load_plugin(Plugin(Crashes(turbo_spec())), "crashes")
    found = problems_of(lambda: check_random_requests(models, max_examples=60))
    assert "raises KeyError, not InvalidRequestError" in found


def test_random_requests_find_a_call_the_emulator_refuses() -> None:
    models = load_plugin(Plugin(turbo(fields={"negative_prompt": "negativePrompt"})), "camel")
    with ContractEmulator() as emulator:
        found = problems_of(
            lambda: check_random_requests(
                models, max_examples=60, check_call=emulator_call_check(emulator)
            )
        )
    assert "input.negativePrompt: unknown parameter" in found


def test_random_requests_are_often_valid() -> None:
    assert check_random_requests(load_plugin(GOOD, "sound"), max_examples=60) >= 15


async def test_the_checks_run_from_inside_an_event_loop() -> None:
    models = load_plugin(GOOD, "sound")
    assert check_emulator_accepts(models) == 9
    check_status_parsing(models)
