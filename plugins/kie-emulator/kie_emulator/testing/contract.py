"""The pytest suites: subclass :class:`ProviderContract` to run every check on a plugin."""

from __future__ import annotations

from typing import ClassVar

from kie_core.models import VideoModel
from kie_core.request import InputKind
from kie_emulator.testing.emulator import ContractEmulator
from kie_emulator.testing.emulator_checks import (
    check_emulator_accepts,
    check_price_estimates,
    emulator_call_check,
    source_task_ids,
)
from kie_emulator.testing.loading import load_plugin
from kie_emulator.testing.random_requests import check_random_requests
from kie_emulator.testing.rejections import check_rejections
from kie_emulator.testing.spec_checks import check_specs
from kie_emulator.testing.status_checks import check_status_parsing


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
            source_for = source_task_ids(models, emulator)
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
