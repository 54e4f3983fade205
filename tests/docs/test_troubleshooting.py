"""Every error class has a troubleshooting entry with its cause, fix and the CLI's exit code."""

from __future__ import annotations

import inspect
import re

import pytest

from kie_core import errors
from kie_core.cli.exitcodes import ExitCode, exit_code_for
from kie_core.models import DeprecatedModelWarning
from tests.docs.markdown import DOCS, section_named, sections

PAGE = DOCS / "troubleshooting.md"


def error_classes() -> list[type[errors.KieError]]:
    return [
        cls
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, errors.KieError) and cls.__module__ == errors.__name__
    ]


def test_the_error_module_has_classes() -> None:
    assert errors.AmbiguousCreateError in error_classes()


@pytest.mark.parametrize("cls", error_classes(), ids=lambda cls: cls.__name__)
def test_each_error_has_an_entry_with_cause_fix_and_exit_code(cls: type[errors.KieError]) -> None:
    section = section_named(PAGE, cls.__name__)
    assert section is not None, f"docs/troubleshooting.md has no heading for {cls.__name__}"
    assert "**Cause:**" in section.body and "**Fix:**" in section.body
    match = re.search(r"\*\*Exit code:\*\* (\d)", section.body)
    assert match, f"the {cls.__name__} entry does not state its exit code"
    error = cls.__new__(cls)  # exit codes depend on the class alone
    assert int(match.group(1)) == exit_code_for(error), (
        f"{cls.__name__}: the page says exit code {match.group(1)}, "
        f"the CLI exits with {int(exit_code_for(error))}"
    )


def test_the_deprecation_warning_is_explained() -> None:
    assert section_named(PAGE, DeprecatedModelWarning.__name__) is not None


def test_every_exit_code_is_in_the_table() -> None:
    table = section_named(PAGE, "Exit codes")
    assert table is not None
    rows = {int(m.group(1)) for m in re.finditer(r"^\| (\d) \|", table.body, re.MULTILINE)}
    assert rows == {int(code) for code in ExitCode}


def test_the_page_names_no_error_that_does_not_exist() -> None:
    known = {cls.__name__ for cls in error_classes()} | {DeprecatedModelWarning.__name__}
    documented = {
        s.name for s in sections(PAGE) if re.fullmatch(r"[A-Z]\w+(Error|Warning)", s.name)
    }
    assert documented <= known, f"entries for unknown errors: {documented - known}"
