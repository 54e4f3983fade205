"""The provider contract of kie-core, run against this plugin."""

from __future__ import annotations

import kie_hailuo
from kie_emulator.testing import ProviderContract


class TestHailuoContract(ProviderContract):
    plugin = kie_hailuo
