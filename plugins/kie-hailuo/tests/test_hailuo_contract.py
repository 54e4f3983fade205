"""The provider contract of kie-core, run against this plugin."""

from __future__ import annotations

import kie_hailuo
from kie_emulator.testing import PricedProviderContract


class TestHailuoContract(PricedProviderContract):
    plugin = kie_hailuo
