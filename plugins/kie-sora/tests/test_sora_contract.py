"""The provider contract of kie-core, run against this plugin."""

from __future__ import annotations

import kie_sora
from kie_emulator.testing import ProviderContract


class TestSoraContract(ProviderContract):
    plugin = kie_sora
