"""The provider contract of kie-core, run against this plugin."""

from __future__ import annotations

import kie_veo
from kie_emulator.testing import ProviderContract


class TestVeoContract(ProviderContract):
    plugin = kie_veo
