"""The provider contract of kie-core, run against this plugin."""

from __future__ import annotations

import kie_luma
from kie_emulator.testing import ProviderContract


class TestLumaContract(ProviderContract):
    plugin = kie_luma
