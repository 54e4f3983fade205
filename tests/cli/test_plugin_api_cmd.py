"""`kie plugins` names a plugin built for another plugin API and the versions on both sides."""

from __future__ import annotations

from kie_core.plugin_api import PLUGIN_API_VERSION
from tests.unit.test_plugin_api import fake_plugin, registry_with


def test_kie_plugins_shows_the_incompatible_plugin(kie, monkeypatch):
    from kie_core import registry as registry_module

    registry = registry_with(fake_plugin(">=2,<3"))
    monkeypatch.setattr(registry_module, "default_registry", lambda: registry)
    table = kie("plugins", env={"COLUMNS": "250"})
    assert table.exit_code == 0, table.stderr
    flat = " ".join(table.stdout.split())
    assert "built for plugin API >=2,<3" in flat
    assert f"this kie-core provides {PLUGIN_API_VERSION}" in flat
    listing = kie("plugins", "--json").json()
    assert listing[0]["plugin_api"] == ">=2,<3"
    assert listing[0]["ok"] is False
