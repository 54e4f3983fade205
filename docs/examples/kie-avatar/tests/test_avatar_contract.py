"""kie-core's provider contract, run against this plugin: the same checks as every plugin.

The priced variant also checks every estimate against what the emulator charges.
"""

from __future__ import annotations

import kie_avatar
from kie_emulator.testing import PricedProviderContract


class TestAvatarContract(PricedProviderContract):
    plugin = kie_avatar
