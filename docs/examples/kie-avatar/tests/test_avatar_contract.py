"""The provider contract of kie-emulator, run against this plugin: the same checks as every plugin.

Its emulator serves this plugin's own declaration (kie_avatar.emulation): every payload is
checked against it and every estimate against the price it declares.
"""

from __future__ import annotations

import kie_avatar
from kie_emulator.testing import ProviderContract


class TestAvatarContract(ProviderContract):
    plugin = kie_avatar
