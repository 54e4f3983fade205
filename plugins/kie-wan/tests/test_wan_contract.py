"""The provider contract of kie-core, run against this plugin."""

from __future__ import annotations

import kie_wan
from kie_emulator.testing import ProviderContract


class TestWanContract(ProviderContract):
    plugin = kie_wan
