"""A new KIE model through the open path: a third-party plugin needs no kie-core release.

A plugin distribution for a Market model id that appears nowhere in kie-core, kie-emulator
or the shipped plugins is written into a temporary folder (pyproject, package, spec, emulator
declaration, the three-line contract test), installed next to them through a real
``kie.providers`` entry point (a ``.dist-info`` on ``PYTHONPATH``), and then, in subprocesses
as its author and its users would run them: the full contract suite passes, and
``kie generate <its model> ... --emulator`` ends with a downloaded MP4.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from kie_emulator.testing import ProviderContract

REPO = Path(__file__).resolve().parents[2]

#: The KIE model id of the new plugin, and the name users type.
MODEL_ID = "aurora-labs/dawn-2-text-to-video"
NAME = "dawn-2"

PYPROJECT = """\
[build-system]
requires = ["hatchling>=1.25"]
build-backend = "hatchling.build"

[project]
name = "kie-dawn"
version = "0.1.0"
dependencies = ["kie-core"]

[project.optional-dependencies]
test = ["kie-emulator", "pytest", "hypothesis"]

[project.entry-points."kie.providers"]
dawn = "kie_dawn"
"""

MODELS = f'''\
"""Dawn 2 as data: one Market model id, 5 or 8 s, two aspect ratios."""

from kie_core import MarketModel, Mode, ModelSpec, PriceRow, Variant
from kie_core.request import InputKind

SPEC = ModelSpec(
    name="{NAME}",
    title="Aurora Dawn 2",
    family="market",
    variants=(
        Variant(
            name="standard",
            modes=(
                Mode(
                    name="text-to-video",
                    kie_model="{MODEL_ID}",
                    requires=frozenset({{InputKind.TEXT}}),
                    durations=(5, 8),
                    default_duration=5,
                    aspect_ratios=("16:9", "9:16"),
                    default_aspect_ratio="16:9",
                    prices=(
                        PriceRow(credits=18, when={{"duration": 5}}),
                        PriceRow(credits=28.8, when={{"duration": 8}}),
                    ),
                ),
            ),
        ),
    ),
    prompt_max_length=1200,
)

DAWN = MarketModel(SPEC)
'''

EMULATION = f'''\
"""Dawn 2's endpoint as its (imagined) KIE docs describe it."""

from kie_core.emulation import EndpointSchema, InputField, Price

EMULATIONS = (
    EndpointSchema(
        "{MODEL_ID}",
        (
            InputField("prompt", "string", required=True, max_length=1200),
            InputField("duration", "string", enum=("5", "8"), default="5"),
            InputField("aspect_ratio", "string", enum=("16:9", "9:16"), default="16:9"),
        ),
        (Price(18, when={{"duration": "5"}}), Price(28.8, when={{"duration": "8"}})),
    ),
)
'''

PACKAGE = '''\
"""kie-dawn: Aurora Dawn 2 on KIE.ai's Market API."""

from kie_core import hookimpl


@hookimpl
def kie_register_models(register):
    from kie_dawn.models import DAWN

    register(DAWN)


@hookimpl
def kie_register_emulations(register):
    from kie_dawn.emulation import EMULATIONS

    for schema in EMULATIONS:
        register(schema)
'''

CONTRACT = """\
import kie_dawn
from kie_emulator.testing import ProviderContract


class TestDawnContract(ProviderContract):
    plugin = kie_dawn
    hypothesis_examples = 25
"""


def write_distribution(root: Path) -> Path:
    """Write the plugin's source tree and "install" it: return the folder for PYTHONPATH."""
    dist = root / "kie-dawn"
    package = dist / "kie_dawn"
    package.mkdir(parents=True)
    (dist / "tests").mkdir()
    (dist / "pyproject.toml").write_text(PYPROJECT)
    (package / "__init__.py").write_text(PACKAGE)
    (package / "models.py").write_text(MODELS)
    (package / "emulation.py").write_text(EMULATION)
    (dist / "tests" / "test_dawn_contract.py").write_text(CONTRACT)
    info = dist / "kie_dawn-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: kie-dawn\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text("[kie.providers]\ndawn = kie_dawn\n")
    return dist


def environment(dist: Path, tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIE_") and k != "PYTHONPATH"}
    env.update(
        PYTHONPATH=str(dist),
        KIE_LOAD_PLUGINS="dawn",
        KIE_CONFIG=str(tmp / "no-config.toml"),
        KIE_JOURNAL=str(tmp / "journal.sqlite3"),
        COLUMNS="200",
    )
    return env


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def sources_of_the_project() -> list[Path]:
    roots = [REPO / "kie_core", *sorted((REPO / "plugins").glob("kie-*"))]
    return [p for root in roots for p in root.rglob("*") if p.suffix in {".py", ".md", ".toml"}]


def test_the_model_id_appears_nowhere_in_the_project() -> None:
    sources = sources_of_the_project()
    assert any(p.name == "routes_market.py" for p in sources)
    assert not [p for p in sources if MODEL_ID in p.read_text(encoding="utf-8")]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    tmp = tmp_path_factory.mktemp("open-path")
    dist = write_distribution(tmp)
    return dist, environment(dist, tmp)


def test_the_new_plugin_passes_the_full_contract_suite(
    installed: tuple[Path, dict[str, str]],
) -> None:
    dist, env = installed
    done = run(["-m", "pytest", "tests", "-v", "-p", "no:cacheprovider"], env, dist)
    assert done.returncode == 0, done.stdout + done.stderr
    checks = [name for name in dir(ProviderContract) if name.startswith("test_")]
    assert len(checks) >= 7
    for check in checks:
        assert f"TestDawnContract::{check} PASSED" in done.stdout, done.stdout
    assert f"{len(checks)} passed" in done.stdout, done.stdout


def test_kie_generate_with_the_emulator_downloads_an_mp4(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    dist, env = installed
    listing = run(["-m", "kie_core.cli", "models"], env, tmp_path)
    assert NAME in listing.stdout, listing.stdout + listing.stderr
    out = tmp_path / "out"
    args = [NAME, "a lighthouse at dawn", "--duration", "8", "--aspect-ratio", "9:16"]
    done = run(["-m", "kie_core.cli", "generate", *args, "--emulator", "-o", str(out)], env, dist)
    assert done.returncode == 0, done.stdout + done.stderr
    (video,) = out.glob("*.mp4")
    assert video.read_bytes()[4:8] == b"ftyp"
    assert "28.8" in done.stdout + done.stderr  # the estimate, from the plugin's own spec
