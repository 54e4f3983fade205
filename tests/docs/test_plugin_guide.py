"""Every hook of the plugin contract is documented in the plugin author guide."""

from __future__ import annotations

import inspect

import pytest

from kie_core.hookspecs import PROJECT_NAME, VideoProvider
from tests.docs.markdown import DOCS, section_named, sections

GUIDE = DOCS / "plugins" / "guide.md"
SPEC_MARK = f"{PROJECT_NAME}_spec"


def hook_names() -> list[str]:
    return sorted(
        name
        for name, member in inspect.getmembers(VideoProvider, inspect.isfunction)
        if hasattr(member, SPEC_MARK)
    )


def test_the_hook_specification_has_hooks() -> None:
    assert "kie_register_models" in hook_names()


@pytest.mark.parametrize("hook", hook_names())
def test_each_hook_has_its_own_section(hook: str) -> None:
    section = section_named(GUIDE, hook)
    assert section is not None, f"docs/plugins/guide.md has no heading for the hook {hook!r}"
    assert f"def {hook}(" in section.body, f"the {hook} section shows no signature"
    parameters = [
        p for p in inspect.signature(getattr(VideoProvider, hook)).parameters if p != "self"
    ]
    for parameter in parameters:
        assert f"`{parameter}" in section.body, f"the {hook} section never explains {parameter!r}"
    for part in ("**When:**", "**What to do:**", "**Returns:**", "**Errors:**"):
        assert part in section.body, f"the {hook} section lacks {part}"


def test_the_guide_documents_no_hook_that_does_not_exist() -> None:
    known = set(hook_names())
    documented = {s.name for s in sections(GUIDE) if s.name.startswith(f"{PROJECT_NAME}_")}
    assert documented <= known, f"hooks documented but not specified: {documented - known}"
