"""The provider contract of kie-core, run against this plugin."""

from __future__ import annotations

import kie_wan
from kie_emulator.testing import PricedProviderContract


class TestWanContract(PricedProviderContract):
    plugin = kie_wan
