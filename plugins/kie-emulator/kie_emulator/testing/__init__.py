"""Contract checks that every kie provider plugin runs, ours and third parties' alike.

A plugin's test suite gets every check with three lines::

    import kie_kling
    from kie_emulator.testing import ProviderContract

    class TestKlingContract(ProviderContract):
        plugin = kie_kling

pytest collects the ``test_*`` methods of the subclass. :class:`PricedProviderContract`
adds a check that every estimate equals what the emulator charges, for models whose KIE
prices the emulator knows. Each check is also a plain function (:func:`check_specs`,
:func:`check_rejections`, :func:`check_emulator_accepts`, :func:`check_status_parsing`,
:func:`check_random_requests`, :func:`check_price_estimates`) raising :class:`ContractError`
with every problem it found, for use outside pytest.

The checks need no network: the calls a plugin builds are posted to the offline emulator
(:mod:`kie_emulator`) running in this process (:class:`ContractEmulator`), which
validates them against KIE's documented schemas and answers like KIE would. Nothing here
imports pytest; hypothesis is imported only by :func:`check_random_requests`, the emulator
only by :class:`ContractEmulator`.

The checks live in one module each (:mod:`~kie_emulator.testing.spec_checks`,
:mod:`~kie_emulator.testing.rejections`, :mod:`~kie_emulator.testing.emulator_checks`,
:mod:`~kie_emulator.testing.status_checks`, :mod:`~kie_emulator.testing.random_requests`), with the
request builders in :mod:`~kie_emulator.testing.requests`, the emulator harness in
:mod:`~kie_emulator.testing.emulator` and the pytest suites in
:mod:`~kie_emulator.testing.contract`; import them from here.
"""

from __future__ import annotations

from kie_emulator.testing.contract import PricedProviderContract, ProviderContract
from kie_emulator.testing.emulator import CONTRACT_API_KEY, ContractEmulator, EmulatorAnswer
from kie_emulator.testing.emulator_checks import (
    check_emulator_accepts,
    check_price_estimates,
    emulator_call_check,
)
from kie_emulator.testing.loading import default_plugin_name, load_plugin
from kie_emulator.testing.problems import ContractError
from kie_emulator.testing.random_requests import CallCheck, check_random_requests
from kie_emulator.testing.rejections import check_rejections
from kie_emulator.testing.requests import (
    DEFAULT_MEDIA,
    PLACEHOLDER_TASK_ID,
    PROMPT,
    Combination,
    base_request,
    combinations,
    name_for_variant,
    prepare,
)
from kie_emulator.testing.spec_checks import check_specs
from kie_emulator.testing.status_checks import check_status_parsing

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
