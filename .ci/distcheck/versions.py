"""The version policy: kie-core and every distribution under ``plugins/`` move in lock-step.

One version for all first-party distributions (``docs/examples/*`` are third-party examples with
their own versions), every ``__version__ = "..."`` literal in their packages equal to it, and
every dependency on a workspace distribution admitting that distribution's current version.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from distcheck.workspace import Distribution

_VERSION_LITERAL = re.compile(r"""^__version__\s*=\s*["']([^"']+)["']""", re.MULTILINE)


def package_versions(dist: Distribution) -> dict[str, str]:
    """Return the ``__version__`` literals of the package ``__init__`` files, by file."""
    found: dict[str, str] = {}
    for package in dist.packages:
        init = dist.path / package / "__init__.py"
        if init.is_file():
            match = _VERSION_LITERAL.search(init.read_text(encoding="utf-8"))
            if match:
                found[f"{package}/__init__.py"] = match.group(1)
    return found


def workspace_requirements(
    dist: Distribution, workspace: Iterable[Distribution], *, extras: bool = True
) -> list[tuple[Requirement, Distribution]]:
    """Return the requirements of ``dist`` that name workspace distributions.

    Args:
        dist: the distribution whose requirements to read.
        workspace: every distribution of the workspace.
        extras: also read the requirements of its optional extras.
    """
    by_name = {canonicalize_name(other.name): other for other in workspace}
    found: list[tuple[Requirement, Distribution]] = []
    optional = [req for reqs in dist.optional_dependencies.values() for req in reqs]
    for text in (*dist.dependencies, *(optional if extras else ())):
        requirement = Requirement(text)
        target = by_name.get(canonicalize_name(requirement.name))
        if target is not None and target is not dist:
            found.append((requirement, target))
    return found


def check_versions(workspace: list[Distribution]) -> list[str]:
    """Return every breach of the version policy, each naming the distribution and the files."""
    problems: list[str] = []
    core = next(dist for dist in workspace if dist.root)
    for dist in workspace:
        if not dist.example and dist.version != core.version:
            problems.append(
                f"{dist.name}: version {dist.version} in {dist.path / 'pyproject.toml'}, but "
                f"kie-core and the plugins move in lock-step at {core.version}"
            )
        for where, literal in package_versions(dist).items():
            if literal != dist.version:
                problems.append(
                    f"{dist.name}: __version__ {literal!r} in {where}, pyproject says "
                    f"{dist.version!r}"
                )
        try:
            requirements = workspace_requirements(dist, workspace)
        except InvalidRequirement as exc:
            problems.append(f"{dist.name}: unreadable dependency: {exc}")
            continue
        for requirement, target in requirements:
            if not requirement.specifier.contains(target.version, prereleases=True):
                problems.append(
                    f"{dist.name}: requires {requirement}, which excludes the workspace's "
                    f"{target.name} {target.version}"
                )
    return problems


def install_set(
    dists: Iterable[Distribution], workspace: list[Distribution]
) -> list[tuple[Distribution, set[str]]]:
    """Return ``dists`` and every workspace distribution they need, with the extras needed.

    Only the required dependencies count, not optional extras: this is what installing the
    wheels of ``dists`` pulls in.
    """
    wanted: dict[str, tuple[Distribution, set[str]]] = {d.name: (d, set()) for d in dists}
    queue = [dist for dist, _ in wanted.values()]
    while queue:
        current = queue.pop(0)
        for requirement, target in workspace_requirements(current, workspace, extras=False):
            if target.name not in wanted:
                wanted[target.name] = (target, set())
                queue.append(target)
            wanted[target.name][1].update(requirement.extras)
    return list(wanted.values())


def third_party(requirements: Iterable[str], workspace: Iterable[Distribution]) -> list[str]:
    """Return the requirements that name no workspace distribution (they come from an index)."""
    ours = {canonicalize_name(dist.name) for dist in workspace}
    return [text for text in requirements if canonicalize_name(Requirement(text).name) not in ours]
