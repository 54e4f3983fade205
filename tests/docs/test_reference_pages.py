"""Every public module of kie_core that exists has an API reference page in the site's nav."""

from __future__ import annotations

import importlib.util
import re

import pytest

from tests.docs.markdown import DOCS

#: The modules users and plugin authors program against.
PUBLIC_MODULES = (
    "kie_core.plugin",
    "kie_core.request",
    "kie_core.models",
    "kie_core.calls",
    "kie_core.status",
    "kie_core.errors",
    "kie_core.hookspecs",
    "kie_core.emulation",
    "kie_core.plugin_api",
    "kie_core.registry",
    "kie_core.families.base",
    "kie_core.families.market",
    "kie_core.client",
    "kie_core.journal",
    "kie_core.stores",
    "kie_core.files",
    "kie_core.callbacks",
    "kie_core.callbacks_app",
    "kie_emulator.testing",
    "kie_emulator",
)

NAV = (DOCS.parent / "mkdocs.yml").read_text(encoding="utf-8")


def documented_modules() -> dict[str, str]:
    found = {}
    for page in (DOCS / "reference").glob("*.md"):
        for match in re.finditer(r"^::: ([\w.]+)", page.read_text(encoding="utf-8"), re.MULTILINE):
            found[match.group(1)] = f"reference/{page.name}"
    return found


@pytest.mark.parametrize("module", PUBLIC_MODULES)
def test_each_existing_public_module_has_a_reference_page(module: str) -> None:
    exists = importlib.util.find_spec(module) is not None
    pages = documented_modules()
    if exists:
        assert module in pages, f"{module} exists but no docs/reference page renders it"
        assert pages[module] in NAV, f"{pages[module]} is not in the mkdocs.yml nav"
    else:
        # A reference to a module that does not exist fails the strict build.
        assert module not in pages, f"{module} does not exist but {pages[module]} renders it"
