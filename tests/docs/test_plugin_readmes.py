"""Every plugin README says which KIE models it covers and shows an example.

Checked for each plugin in this repository that is installed beside kie-core: the README names
every model (its kie name) and every KIE model id it routes to, and has an example section with
a code block.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kie_core.registry import Registry

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_DIRS = {
    path.name: path
    for folder in (ROOT / "plugins", ROOT / "docs" / "examples")
    for path in sorted(folder.glob("kie-*"))
    if (path / "pyproject.toml").exists()
}


def installed_plugins() -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """Distribution name -> [(model name, KIE model ids)] of the repository's installed plugins."""
    registry = Registry()
    by_name = {spec.name: spec for spec in registry.specs()}
    found: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for info in registry.plugins():
        if info.distribution in PLUGIN_DIRS:
            found[info.distribution] = [
                (name, by_name[name].kie_models) for name in info.models if name in by_name
            ]
    return found


PLUGINS = installed_plugins()


def test_the_shipped_plugins_are_checked() -> None:
    assert PLUGINS, "no plugin of this repository is installed"


@pytest.mark.parametrize("distribution", sorted(PLUGINS))
def test_the_readme_names_every_model_and_kie_model_id(distribution: str) -> None:
    readme = PLUGIN_DIRS[distribution] / "README.md"
    assert readme.exists(), f"{distribution} has no README.md"
    text = readme.read_text(encoding="utf-8")
    for name, kie_models in PLUGINS[distribution]:
        named = re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w.-])", text)
        assert named, f"{distribution}/README.md does not name the model {name}"
        for kie_model in kie_models:
            assert kie_model in text, f"{distribution}/README.md does not name {kie_model}"


@pytest.mark.parametrize("distribution", sorted(PLUGINS))
def test_the_readme_shows_an_example(distribution: str) -> None:
    text = (PLUGIN_DIRS[distribution] / "README.md").read_text(encoding="utf-8")
    example = re.search(r"^#+ [^\n]*Example[^\n]*$(.*?)(?=^#+ |\Z)", text, re.MULTILINE | re.DOTALL)
    assert example, f"{distribution}/README.md has no Example section"
    assert "```" in example.group(1), f"the example of {distribution} shows no code"
    assert "kie" in example.group(1)
