"""The provider contract of kie-core, run against this plugin."""

from __future__ import annotations

import kie_runway
from kie_emulator.testing import ProviderContract


class TestRunwayContract(ProviderContract):
    plugin = kie_runway
