"""The provider contract of kie-core, run against this plugin."""

from __future__ import annotations

import kie_kling
from kie_emulator.testing import PricedProviderContract


class TestKlingContract(PricedProviderContract):
    plugin = kie_kling
