"""Start-up: ``kie --help`` and ``kie models --json`` against bare interpreters, as ratios.

Every command runs N times, interleaved in a rotating order so that a burst of load elsewhere
hits every command alike; the medians are compared. When ``kie models --json`` misses its aim,
``python -X importtime`` says which imports cost the most, grouped by top-level package.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.procs import Timed, run_timed, worker_env
from bench.report import Aim, Figure, Section
from bench.stats import median

#: The aim: ``kie models --json`` under twice the bare httpx + pydantic import.
MODELS_AIM = Aim("under 2x", 2.0, at_most=True)

#: Packages any kie command may load (the core and its plugins count as "kie").
KIE_PACKAGES = ("kie_core", "kie_")


def kie_command() -> list[str]:
    """Return how to start ``kie`` with this interpreter (its console script if installed)."""
    script = Path(sys.executable).parent / "kie"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "kie_core.cli"]


def commands() -> dict[str, list[str]]:
    """Return the measured commands and their baselines, by label."""
    python = sys.executable
    kie = kie_command()
    return {
        "python -c pass": [python, "-c", "pass"],
        "import httpx, pydantic": [python, "-c", "import httpx, pydantic"],
        "kie --help": [*kie, "--help"],
        "kie models --json": [*kie, "models", "--json"],
    }


def run_interleaved(
    table: dict[str, list[str]], runs: int, env: dict[str, str]
) -> dict[str, list[Timed]]:
    """Run every command ``runs`` times, rotating the order each round."""
    labels = list(table)
    timings: dict[str, list[Timed]] = {label: [] for label in labels}
    for label in labels:  # warm the file cache and the bytecode caches first
        run_timed(table[label], env=env)
    for round_ in range(runs):
        shift = round_ % len(labels)
        for label in labels[shift:] + labels[:shift]:
            timed = run_timed(table[label], env=env)
            if timed.returncode != 0:
                raise RuntimeError(failure(table[label], env))
            timings[label].append(timed)
    return timings


def failure(command: list[str], env: dict[str, str]) -> str:
    """Run a failing command again and return what it said (the end of its stderr)."""
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    tail = done.stderr.strip().splitlines()[-3:]
    return f"{' '.join(command)} exited with code {done.returncode}: " + " / ".join(tail)


@dataclass(frozen=True)
class ImportRow:
    """One line of ``python -X importtime``: a module, its own and cumulative microseconds."""

    module: str
    self_us: int
    cumulative_us: int
    depth: int


def parse_importtime(text: str) -> list[ImportRow]:
    """Parse the ``-X importtime`` lines of a process's stderr (other lines are skipped)."""
    rows = []
    for line in text.splitlines():
        if not line.startswith("import time:"):
            continue
        parts = line[len("import time:") :].split("|")
        if len(parts) != 3 or not parts[0].strip().isdigit():
            continue
        name = parts[2].rstrip()
        stripped = name.lstrip(" ")
        rows.append(
            ImportRow(
                module=stripped,
                self_us=int(parts[0]),
                cumulative_us=int(parts[1]),
                depth=(len(name) - len(stripped)) // 2,
            )
        )
    return rows


def self_time_by_package(rows: list[ImportRow]) -> dict[str, int]:
    """Return the import time of each top-level package (its modules' own time), in us."""
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        totals[row.module.split(".")[0]] += row.self_us
    return dict(sorted(totals.items(), key=lambda item: -item[1]))


def import_profile(command: list[str], env: dict[str, str], runs: int) -> dict[str, Any]:
    """Return the median import time per top-level package over ``runs`` runs of ``command``."""
    per_package: dict[str, list[int]] = defaultdict(list)
    totals = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", *command],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        rows = parse_importtime(done.stderr)
        totals.append(sum(row.self_us for row in rows))
        for package, micros in self_time_by_package(rows).items():
            per_package[package].append(micros)
    medians = {pkg: median(values) / 1000 for pkg, values in per_package.items()}
    ranked = sorted(medians.items(), key=lambda item: -item[1])
    return {
        "total_ms": median(totals) / 1000,
        "packages_ms": {pkg: round(ms, 2) for pkg, ms in ranked},
    }


PLUGIN_PROBE = """
import json, sys
import importlib_metadata
import kie_core.registry, kie_core.models, kie_core.families.market
before = set(sys.modules)
added = {}
for entry in importlib_metadata.entry_points(group="kie.providers"):
    seen = set(sys.modules)
    entry.load()
    new = {m.split(".")[0] for m in set(sys.modules) - seen}
    added[entry.name] = sorted(new)
print(json.dumps(added))
"""


def plugin_imports(env: dict[str, str]) -> dict[str, list[str]]:
    """Return, per plugin, the top-level packages loading it imports beyond kie_core's own."""
    done = subprocess.run(
        [sys.executable, "-c", PLUGIN_PROBE],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    answer: dict[str, list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def foreign(packages: list[str]) -> list[str]:
    """Return the packages that are neither kie's own nor private (``_name``) modules."""
    return [p for p in packages if not p.startswith(KIE_PACKAGES) and not p.startswith("_")]


def cached_bytecode_env(cache_dir: Path) -> dict[str, str]:
    """Return a worker environment whose bytecode is cached in ``cache_dir``.

    Users run with compiled bytecode (pip compiles on install, Python caches on first import),
    but an environment installed by uv with ``PYTHONDONTWRITEBYTECODE`` set recompiles every
    module at every start. Caching into a folder of the benchmark's own measures what users
    get without writing into the installed packages.
    """
    return worker_env({"PYTHONPYCACHEPREFIX": str(cache_dir)})


def bench_startup(section: Section, *, runs: int, profile_runs: int) -> None:
    """Fill ``section`` with the start-up figures (and the import profile)."""
    with tempfile.TemporaryDirectory(prefix="kie-bench-pyc-") as cache_dir:
        _bench_startup(section, cached_bytecode_env(Path(cache_dir)), runs, profile_runs)


def _bench_startup(section: Section, env: dict[str, str], runs: int, profile_runs: int) -> None:
    table = commands()
    timings = run_interleaved(table, runs, env)
    wall = {label: median(t.wall for t in items) for label, items in timings.items()}
    cpu = {label: median(t.cpu for t in items) for label, items in timings.items()}
    bare, imports = "python -c pass", "import httpx, pydantic"
    section.add(Figure("import httpx, pydantic", wall[imports], "s", wall[bare], bare))
    section.add(Figure("kie --help", wall["kie --help"], "s", wall[imports], imports))
    models = section.add(
        Figure("kie models --json", wall["kie models --json"], "s", wall[imports], imports)
    )
    models.aim = MODELS_AIM
    section.add(
        Figure("kie models --json (CPU)", cpu["kie models --json"], "s", cpu[imports], imports)
    )
    section.add(
        Figure(
            "kie models --json minus python -c pass",
            wall["kie models --json"] - wall[bare],
            "s",
            wall[imports] - wall[bare],
            f"{imports} minus {bare}",
            note="start-up cost of the program itself, without the interpreter's",
        )
    )
    by_plugin = plugin_imports(env)
    heavy = {name: foreign(pkgs) for name, pkgs in by_plugin.items() if foreign(pkgs)}
    section.add(
        Figure(
            "plugins importing other packages at load time",
            float(len(heavy)),
            "",
            aim=Aim("0", 0, at_most=True),
            aim_on="value",
        )
    )
    section.notes.append(
        f"median of {runs} interleaved runs per command (wall and user+system CPU), bytecode "
        "cached (PYTHONPYCACHEPREFIX) after one warm-up run each; "
        f"{len(by_plugin)} plugins installed: {', '.join(sorted(by_plugin))}"
    )
    if heavy:
        section.notes.append(f"plugins importing more than kie_core at load time: {heavy}")
    section.details = {
        "wall": {label: [t.wall for t in items] for label, items in timings.items()},
        "cpu": {label: [t.cpu for t in items] for label, items in timings.items()},
        "commands": table,
        "plugin_imports": by_plugin,
    }
    if models.met is False or profile_runs > 0:
        profile = import_profile([*kie_command(), "models", "--json"], env, max(1, profile_runs))
        baseline = import_profile(["-c", "import httpx, pydantic"], env, max(1, profile_runs))
        section.details["import_profile"] = {"kie models --json": profile, imports: baseline}
        extra = {
            pkg: round(ms - baseline["packages_ms"].get(pkg, 0.0), 1)
            for pkg, ms in profile["packages_ms"].items()
        }
        top = sorted(extra.items(), key=lambda item: -item[1])[:8]
        section.notes.append(
            "import time that `kie models --json` adds over `import httpx, pydantic` "
            "(python -X importtime, ms by top-level package): "
            + ", ".join(f"{pkg} {ms:g}" for pkg, ms in top)
        )
        base_top = list(baseline["packages_ms"].items())[:5]
        section.notes.append(
            f"the baseline itself ({baseline['total_ms']:.0f} ms of imports): "
            + ", ".join(f"{pkg} {ms:g}" for pkg, ms in base_top)
            + " (httpx imports its command line, hence rich and click, when they are installed)"
        )
