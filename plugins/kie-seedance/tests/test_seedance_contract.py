"""The provider contract of kie-core, run against this plugin."""

from __future__ import annotations

import kie_seedance
from kie_emulator.testing import PricedProviderContract


class TestSeedanceContract(PricedProviderContract):
    plugin = kie_seedance
