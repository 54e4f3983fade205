"""kie-core's provider contract, run against this plugin: the same checks as every plugin."""

from __future__ import annotations

import kie_avatar

from kie_core.testing import ProviderContract


class TestAvatarContract(ProviderContract):
    plugin = kie_avatar
