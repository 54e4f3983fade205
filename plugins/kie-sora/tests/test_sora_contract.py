"""The provider contract of kie-core, run against this plugin."""

from __future__ import annotations

import kie_sora
from kie_emulator.testing import PricedProviderContract


class TestSoraContract(PricedProviderContract):
    plugin = kie_sora
