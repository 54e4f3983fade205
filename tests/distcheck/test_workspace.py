"""Discovery of the workspace's distributions, the version policy and the README's commands."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from distcheck.readme import install_commands, section
from distcheck.versions import check_versions, install_set
from distcheck.workspace import discover

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def workspace():
    return discover(ROOT)


def test_every_pyproject_is_a_distribution(workspace):
    names = [dist.name for dist in workspace]
    assert names[0] == "kie-core"
    assert workspace[0].root
    members = sorted((ROOT / "plugins").glob("*/pyproject.toml"))
    assert len(names) == 1 + len(members) + len(
        list((ROOT / "docs/examples").glob("*/pyproject.toml"))
    )
    assert "kie-kling" in names
    assert dict(workspace[names.index("kie-kling")].providers) == {"kling": "kie_kling"}
    assert workspace[names.index("kie-avatar")].example


def test_one_distribution_serves_the_emulator(workspace):
    assert [dist.name for dist in workspace if dist.serves_emulator]


def test_the_workspace_follows_its_version_policy(workspace):
    assert check_versions(workspace) == []


def test_a_plugin_out_of_step_is_named(workspace):
    index = [dist.name for dist in workspace].index("kie-kling")
    drifted = list(workspace)
    drifted[index] = replace(workspace[index], version="0.0.9")
    problems = check_versions(drifted)
    assert len(problems) == 1
    assert problems[0].startswith("kie-kling: version 0.0.9 in ")
    assert "lock-step" in problems[0]


def test_a_dependency_excluding_the_workspace_core_is_named(workspace):
    index = [dist.name for dist in workspace].index("kie-avatar")
    pinned = list(workspace)
    pinned[index] = replace(workspace[index], dependencies=("kie-core>=9",))
    assert check_versions(pinned) == [
        f"kie-avatar: requires kie-core>=9, which excludes the workspace's kie-core "
        f"{workspace[0].version}"
    ]


def test_a_plugin_installs_with_the_core_it_needs(workspace):
    kling = next(dist for dist in workspace if dist.name == "kie-kling")
    assert [(dist.name, extras) for dist, extras in install_set([kling], workspace)] == [
        ("kie-kling", set()),
        ("kie-core", set()),
    ]


def test_the_readme_gives_clone_wheel_and_index_commands(workspace):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.index("## Quick start") < readme.index("## Install")
    commands = install_commands(readme)
    assert {command.kind for command in commands} == {"clone", "wheels", "index"}
    for command in commands:
        if command.kind == "clone":
            assert "./" in command.targets
            for target in command.targets:
                assert (ROOT / target / "pyproject.toml").is_file(), target
        else:
            names = {dist.name for dist in workspace}
            assert set(command.targets) <= names, command.line


def test_install_commands_are_read_from_the_install_section_only():
    markdown = (
        "## Quick start\n```bash\npip install ./ ./elsewhere\n```\n"
        "## Install\nText.\n```bash\n# a comment\n"
        "uv venv && uv pip install ./ ./plugins/kie-veo  # veo only\n"
        "python3 -m venv v && v/bin/pip install --find-links dist/ kie-core kie-veo\n```\n"
        "### Detail\nstill inside\n## Next\n```bash\npip install ./ ./after\n```\n"
    )
    assert "still inside" in section(markdown)
    commands = install_commands(markdown)
    assert [(c.kind, c.targets) for c in commands] == [
        ("clone", ("./", "./plugins/kie-veo")),
        ("wheels", ("kie-core", "kie-veo")),
    ]
    with pytest.raises(ValueError, match="no '## Install' section"):
        section("# nothing\n")
