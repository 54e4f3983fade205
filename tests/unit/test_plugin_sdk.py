"""kie_core.plugin is the one surface provider plugins import, and a lint rule holds them to it."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import kie_core
import kie_core.plugin as sdk

ROOT = Path(__file__).resolve().parents[2]
CORE = Path(kie_core.__file__).parent


def _is_provider(folder: Path) -> bool:
    meta = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))
    return "kie.providers" in meta["project"].get("entry-points", {})


DISTRIBUTIONS = sorted(
    path
    for pattern in ("plugins/kie-*", "docs/examples/kie-*")
    for path in ROOT.glob(pattern)
    if (path / "pyproject.toml").exists()
)
PROVIDERS = [path for path in DISTRIBUTIONS if _is_provider(path)]
OTHERS = [path for path in DISTRIBUTIONS if not _is_provider(path)]


def _package(folder: Path) -> Path:
    return folder / folder.name.replace("-", "_")


def _core_imports(path: Path) -> list[tuple[str, tuple[str, ...]]]:
    """Every ``kie_core`` import of a file: (module, names imported from it)."""
    found: list[tuple[str, tuple[str, ...]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kie_core"):
            found.append((node.module or "", tuple(alias.name for alias in node.names)))
        elif isinstance(node, ast.Import):
            found += [(a.name, ()) for a in node.names if a.name.startswith("kie_core")]
    return found


def test_every_export_resolves_to_the_core_object() -> None:
    assert sorted(sdk.__all__) == sorted(sdk._EXPORTS)
    for name in sdk.__all__:
        value = getattr(sdk, name)
        assert value is getattr(importlib.import_module(sdk._EXPORTS[name]), name)
    assert sorted(dir(sdk)) == sorted(sdk.__all__)
    with pytest.raises(AttributeError, match="no attribute 'Client'"):
        _ = sdk.Client


def test_shipped_plugins_import_only_the_sdk_and_the_top_level() -> None:
    assert PROVIDERS, "no provider plugin found"
    for folder in PROVIDERS:
        for path in sorted(_package(folder).rglob("*.py")):
            for module, names in _core_imports(path):
                assert module in ("kie_core", "kie_core.plugin"), f"{path}: imports {module}"
                public = sdk.__all__ if module == "kie_core.plugin" else kie_core.__all__
                missing = set(names) - set(public)
                assert not missing, f"{path}: {sorted(missing)} not exported by {module}"


def test_importing_the_sdk_loads_nothing_else() -> None:
    code = (
        "import sys, kie_core.plugin; "
        "print(sorted(m for m in sys.modules if m.startswith(('kie_core.', 'pydantic', 'httpx'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # kie_core._moved is part of `import kie_core` itself: the finder of moved module names.
    assert out.stdout.strip() == "['kie_core._moved', 'kie_core.plugin']"


# --- the lint rule -------------------------------------------------------------------------


def _banned_modules() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return set(config["tool"]["ruff"]["lint"]["flake8-tidy-imports"]["banned-api"])


def test_every_core_module_but_the_sdk_is_banned_for_plugins() -> None:
    modules = {
        f"kie_core.{path.stem if path.is_file() else path.name}"
        for path in CORE.iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").exists()
    }
    assert _banned_modules() == modules - {"kie_core.plugin"}


def _ruff_codes(source: str, where: Path) -> set[str]:
    ruff = [sys.executable, "-m", "ruff", "check", "--output-format", "concise", "--no-cache"]
    result = subprocess.run(
        [*ruff, "--select", "TID251", "--stdin-filename", str(where.relative_to(ROOT)), "-"],
        input=source,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    return {line.split()[1] for line in result.stdout.splitlines() if ": TID" in line}


BANNED_IMPORT = "from kie_core.models import ModelSpec\n\nprint(ModelSpec)\n"
SDK_IMPORT = "from kie_core import VideoRequest\nfrom kie_core.plugin import ModelSpec\n"


def test_ruff_flags_a_core_submodule_import_in_provider_packages_only() -> None:
    for folder in PROVIDERS:
        module = _package(folder) / "new_module.py"
        assert _ruff_codes(BANNED_IMPORT, module) == {"TID251"}, module
        assert _ruff_codes(SDK_IMPORT + "print(ModelSpec, VideoRequest)\n", module) == set()
        assert _ruff_codes(BANNED_IMPORT, folder / "tests" / "test_new.py") == set()
    for folder in OTHERS:  # the emulator and the other non-provider distributions
        assert _ruff_codes(BANNED_IMPORT, _package(folder) / "new_module.py") == set(), folder
    assert _ruff_codes(BANNED_IMPORT, CORE / "new_module.py") == set()
