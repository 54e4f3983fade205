"""Development sessions for kie: tests, lint, typecheck, plugins, docs, dist, bench and demo.

`python3 -m nox` runs the whole test suite (the default sessions below); `nox -s demo` runs a
real generation through the CLI against the embedded emulator; `nox -s dist` builds, checks and
installs the wheel of every distribution, each in a fresh environment.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import nox

ROOT = Path(__file__).parent
sys.path.insert(0, str(ROOT / ".ci"))  # distcheck: the release checks of the dist session

from distcheck.contents import check_wheel  # noqa: E402
from distcheck.readme import InstallCommand, install_commands  # noqa: E402
from distcheck.versions import (  # noqa: E402
    check_versions,
    install_set,
    third_party,
    workspace_requirements,
)
from distcheck.workspace import Distribution, discover  # noqa: E402

PLUGINS = sorted(p for p in (ROOT / "plugins").glob("kie-*") if (p / "pyproject.toml").exists())
#: The emulator, its pytest fixture and the contract suite: what plugin tests run against.
EMULATOR = ROOT / "plugins" / "kie-emulator"


def _is_provider(path: Path) -> bool:
    meta = tomllib.loads((path / "pyproject.toml").read_text())
    return "kie.providers" in meta["project"].get("entry-points", {})


#: The provider plugins (one model family each); the other distributions under plugins/ add
#: commands or stores.
PROVIDERS = [p for p in PLUGINS if _is_provider(p)]
EXAMPLE_PLUGINS = sorted(
    p for p in (ROOT / "docs" / "examples").glob("kie-*") if (p / "pyproject.toml").exists()
)
TEST_DEPS = ["pytest>=8", "pytest-asyncio>=0.23", "hypothesis>=6.100"]

GALLERY = ROOT / "plugins" / "kie-gallery"
CHROMIUM = Path("/usr/bin/chromium")

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = [
    "lint", "typecheck", "tests", "plugins", "docs", "mcp", "gallery", "postgres", "dist",
]  # fmt: skip


def _editable_all() -> list[str]:
    args = ["-e", ".[server]"]
    for plugin in PLUGINS:
        args += ["-e", str(plugin.relative_to(ROOT))]
    return args


@nox.session
def tests(session: nox.Session) -> None:
    """Core tests (unit, emulator, integration, faults, CLI) with every plugin installed.

    ruff checks the plugin import rule; uv builds the fresh environment of the distribution
    boundary test.
    """
    session.install(*_editable_all(), *TEST_DEPS, "ruff>=0.6", "uv>=0.5")
    session.run("pytest", *(session.posargs or ["tests", "-q", "-p", "no:cacheprovider"]))


@nox.session
@nox.parametrize("plugin", [p.name for p in PROVIDERS + EXAMPLE_PLUGINS])
def plugins(session: nox.Session, plugin: str) -> None:
    """Each provider plugin alone beside kie-core and kie-emulator: its tests and the contract."""
    path = next(p for p in PROVIDERS + EXAMPLE_PLUGINS if p.name == plugin)
    session.install(
        "-e", ".", "-e", str(EMULATOR.relative_to(ROOT)), "-e", str(path.relative_to(ROOT)),
        *TEST_DEPS,
    )  # fmt: skip
    session.run("pytest", str(path / "tests"), "-q", "-p", "no:cacheprovider", *session.posargs)
    _check_only_this_plugin(session, path)


def _check_only_this_plugin(session: nox.Session, path: Path) -> None:
    """With kie-core and one plugin installed, `kie models` lists only that plugin's models."""
    meta = tomllib.loads((path / "pyproject.toml").read_text())
    names = set(meta["project"]["entry-points"]["kie.providers"])
    listing = session.run("kie", "models", "--json", silent=True)
    models = json.loads(str(listing))
    providers = {model["provider"] for model in models}
    if not models or providers != names:
        session.error(f"kie models shows providers {providers}, expected only {names}")
    session.log(f"kie models lists only {sorted(names)}: {[m['name'] for m in models]}")


def _ensure_chromium(session: nox.Session) -> None:
    """Install Debian's chromium when it is missing, so the browser tests run (never skip)."""
    if CHROMIUM.exists():
        return
    import os
    import shutil

    if shutil.which("apt-get") is None:
        session.error(f"{CHROMIUM} is missing and there is no apt-get to install chromium")
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    session.run(*sudo, "apt-get", "update", external=True, env=env)
    session.run(*sudo, "apt-get", "install", "-y", "chromium", external=True, env=env)


@nox.session
def gallery(session: nox.Session) -> None:
    """kie-gallery's tests, its browser tests included (Playwright driving Debian's chromium)."""
    _ensure_chromium(session)
    # Playwright's wheel bundles its driver; the browser is Debian's (`playwright install` is
    # never run: it downloads a browser).
    session.install(*_editable_all(), *TEST_DEPS, "httpx>=0.27", "playwright>=1.45")
    tests = str(GALLERY / "tests")
    session.run("pytest", tests, "-q", "-p", "no:cacheprovider", *session.posargs)


def _postgres_bindir() -> Path | None:
    """Return the folder of the PostgreSQL server binaries (initdb, pg_ctl), if installed."""
    candidates = [Path(os.environ["PG_BIN"])] if os.environ.get("PG_BIN") else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    return next((c for c in candidates if (c / "initdb").exists()), None)


def _ensure_postgres(session: nox.Session) -> None:
    """Install the PostgreSQL server with apt-get when it is missing (as root), else fail."""
    if _postgres_bindir() is not None:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        session.error(
            "the postgres session needs the PostgreSQL server binaries (initdb, pg_ctl): "
            "install them (apt-get install postgresql) or set PG_BIN"
        )
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    session.run("apt-get", "update", "-q", external=True, env=env)
    session.run("apt-get", "install", "-y", "-q", "postgresql", external=True, env=env)
    if _postgres_bindir() is None:
        session.error("apt-get installed postgresql but no initdb was found")


@nox.session
def postgres(session: nox.Session) -> None:
    """kie-postgres: the PostgreSQL journal, rate limiter and workers, on a throw-away cluster."""
    _ensure_postgres(session)
    path = ROOT / "plugins" / "kie-postgres"
    kling = ROOT / "plugins" / "kie-kling"
    # kie-gallery: its views are tested on the PostgreSQL journal too.
    session.install(
        "-e", ".", "-e", str(EMULATOR.relative_to(ROOT)), "-e", str(kling.relative_to(ROOT)),
        "-e", str(path.relative_to(ROOT)), "-e", "plugins/kie-gallery", *TEST_DEPS,
    )  # fmt: skip
    session.run("pytest", str(path / "tests"), "-q", "-p", "no:cacheprovider", *session.posargs)


@nox.session
def mcp(session: nox.Session) -> None:
    """The MCP server (kie-mcp) driven by the MCP SDK's client, in memory and over stdio/HTTP."""
    session.install(
        "-e", ".", "-e", str(EMULATOR.relative_to(ROOT)), "-e", "plugins/kie-kling",
        "-e", "plugins/kie-mcp", *TEST_DEPS,
    )  # fmt: skip
    session.run("pytest", "plugins/kie-mcp/tests", "-q", "-p", "no:cacheprovider", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff lint and format check over the whole repository."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on kie_core and on every plugin package."""
    session.install(*_editable_all(), "mypy>=1.10", *TEST_DEPS)
    session.run("mypy", "kie_core")
    for plugin in PLUGINS:
        package = plugin.name.replace("-", "_")
        session.run("mypy", "--strict", str(plugin / package))
    session.run("mypy", "--strict", ".ci/distcheck")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site in strict mode (broken links fail)."""
    if not (ROOT / "mkdocs.yml").exists():
        session.skip("no mkdocs.yml yet")
    # ruff formats the separated signatures of the API reference.
    session.install(
        *_editable_all(), "mkdocs-material>=9.5", "mkdocstrings[python]>=0.25", "ruff>=0.6"
    )
    site = str(ROOT / "site")
    session.run("mkdocs", "build", "--strict", "--site-dir", site, env={"NO_MKDOCS_2_WARNING": "1"})


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks side by side with baselines; writes bench-report.json and prints a table."""
    session.install(*_editable_all())
    session.run("python", "-m", "bench", *session.posargs, env={"PYTHONPATH": str(ROOT)})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the emulator exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the emulator did not answer at {url}")


@nox.session
def demo(session: nox.Session) -> None:
    """Start the emulator, run `kie generate` through the CLI against it, keep the MP4."""
    session.install(*_editable_all())
    output = ROOT / "kie-demo-output"
    output.mkdir(exist_ok=True)
    before = set(output.glob("*.mp4"))
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    key = "demo-key-not-secret"
    python = Path(session.bin) / ("python.exe" if sys.platform == "win32" else "python")
    emulator = subprocess.Popen(
        [str(python), "-m", "kie_core.cli", "emulator", "--port", str(port),
         "--api-key", key, "--task-seconds", "4"],
    )  # fmt: skip
    try:
        _wait_ready(f"{base_url}/_emulator/state", emulator)
        env = {
            "KIE_API_KEY": key,
            "KIE_BASE_URL": base_url,
            "KIE_UPLOAD_BASE_URL": base_url,
            "KIE_JOURNAL": str(output / "journal.sqlite3"),
        }
        for model, prompt, extra in (
            ("kling-2.5-turbo", "a red fox runs through fresh snow at dawn", ["--duration", "5"]),
            ("veo-3.1-fast", "a paper boat drifts down a rainy street", ["--aspect-ratio", "9:16"]),
        ):
            session.run("kie", "generate", model, prompt, *extra, "-o", str(output), "--yes",
                        env=env)  # fmt: skip
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)
    videos = sorted(set(output.glob("*.mp4")) - before)
    if len(videos) < 2:
        session.error("the demo produced no MP4")
    for video in videos:
        head = video.read_bytes()[:12]
        if head[4:8] != b"ftyp":
            session.error(f"{video} is not an MP4 (no ftyp box)")
        session.log(f"MP4 on disk: {video} ({video.stat().st_size} bytes)")


# --- dist: every distribution built, checked and installed from its wheel alone ------------

#: Where the release builds go; third-party examples (never uploaded) go to dist/examples/.
DIST_DIR = ROOT / "dist"
#: The provider plugin whose contract tests and emulator generation run from installed wheels.
SMOKE_PLUGIN = "kie-kling"
#: Folders never copied into the fresh clone the README commands run in.
CLONE_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", ".nox", "dist", "build", "site", "kie-demo-output", "__pycache__",
    "*.egg-info", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis", "bench-report*",
)  # fmt: skip


def _clean_env(venv: Path | None, home: Path) -> dict[str, str]:
    """The environment of a user's shell: no KIE settings, no active venv, ``venv`` first."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIE_") and k != "VIRTUAL_ENV"}
    env.pop("PYTHONPATH", None)
    env["KIE_CONFIG"] = str(home / "no-config.toml")
    env["KIE_JOURNAL"] = str(home / "journal.sqlite3")
    if venv is not None:
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


def _run(
    session: nox.Session,
    args: list[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    expect: int = 0,
    what: str,
) -> subprocess.CompletedProcess[str]:
    """Run a command outside the session venv; fail the session naming ``what`` on surprise."""
    session.log(f"[{what}] $ {' '.join(args)}")
    done = subprocess.run(
        args, cwd=cwd, env=dict(env), capture_output=True, text=True, timeout=900, check=False
    )
    if done.returncode != expect or "Traceback" in done.stderr:
        session.error(
            f"{what}: `{' '.join(args)}` exited {done.returncode} (expected {expect})\n"
            f"stdout:\n{done.stdout[-3000:]}\nstderr:\n{done.stderr[-3000:]}"
        )
    return done


def _out_dir(dist: Distribution) -> Path:
    return DIST_DIR / "examples" if dist.example else DIST_DIR


def _built(session: nox.Session, dist: Distribution, pattern: str) -> Path:
    found = sorted(_out_dir(dist).glob(f"{dist.stem}-{dist.version}{pattern}"))
    if len(found) != 1:
        session.error(f"{dist.name}: expected one {pattern} built in dist/, found {found}")
    return found[0]


def _fresh_venv(
    session: nox.Session,
    where: Path,
    dists: Iterable[Distribution],
    workspace: list[Distribution],
    extra: Iterable[str] = (),
) -> Path:
    """A new venv holding the wheels of ``dists`` and of the workspace distributions they need.

    Workspace distributions come from the built wheel files only (never editable, never an
    index); their third-party dependencies and ``extra`` come from the package index.
    """
    shutil.rmtree(where, ignore_errors=True)
    python = Path(session.bin) / "python"
    session.run("uv", "venv", "-q", "--python", str(python), str(where), silent=True)
    wanted = install_set(dists, workspace)
    requirements = []
    for dist, extras in wanted:
        wheel = _built(session, dist, "-*.whl")
        suffix = f"[{','.join(sorted(extras))}]" if extras else ""
        requirements.append(f"{dist.name}{suffix} @ {wheel.as_uri()}")
    session.run(
        "uv", "pip", "install", "-q", "--python", str(where / "bin" / "python"),
        "--find-links", str(DIST_DIR), *requirements, *extra, silent=True,
    )  # fmt: skip
    modules = sorted({Path(p).name for dist, _ in wanted for p in dist.packages})
    probe = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    path = importlib.import_module(name).__file__ or ''\n"
        f"    if not path.startswith({str(where)!r}):\n"
        "        sys.exit(f'{name} imported from {path}, not from the installed wheel')\n"
    )
    _run(session, [str(where / "bin" / "python"), "-c", probe], cwd=where, env=_clean_env(where,
         where), what=f"{', '.join(d.name for d, _ in wanted)} installed from wheels")  # fmt: skip
    return where


def _prompt_only_model(models: list[dict[str, Any]]) -> str | None:
    """A model name (or variant alias) with a mode needing nothing but a prompt, for a dry run."""
    for model in models:
        for index, variant in enumerate(model["variants"]):
            names = [model["name"]] if index == 0 else list(variant["aliases"])
            if names and any(set(mode["requires"]) <= {"text"} for mode in variant["modes"]):
                return str(names[0])
    return None


_COMMANDS_PROBE = """
import json
from kie_core.cli.app import app
from kie_core.cli.extensions import register_command_plugins
infos = register_command_plugins(app)
print(json.dumps({i.name: {"error": i.error, "commands": list(i.commands)} for i in infos}))
"""


def _command_plugins(session: nox.Session, dist: Distribution, venv: Path) -> None:
    """Each ``kie.commands`` entry point of ``dist`` loads and its commands answer ``--help``."""
    env = _clean_env(venv, venv)
    what = f"{dist.name} commands"
    probe = _run(session, [str(venv / "bin" / "python"), "-c", _COMMANDS_PROBE], cwd=venv,
                 env=env, what=what)  # fmt: skip
    seen = json.loads(probe.stdout.strip().splitlines()[-1])
    for name in dist.entry_points["kie.commands"]:
        info = seen.get(name)
        if info is None or info["error"] or not info["commands"]:
            session.error(f"{what}: entry point {name!r} did not add commands: {info}")
        for command in info["commands"]:
            _run(session, [str(venv / "bin" / "kie"), command, "--help"], cwd=venv, env=env,
                 what=what)  # fmt: skip
        session.log(f"{what}: {name} adds {info['commands']}, each answers --help")


def _smoke(session: nox.Session, dist: Distribution, venv: Path) -> None:
    """`kie` from the installed wheel: models, plugins, a dry run (or a clean refusal)."""
    env = _clean_env(venv, venv)
    kie = str(venv / "bin" / "kie")
    what = f"{dist.name} smoke"
    _run(session, [kie, "--help"], cwd=venv, env=env, what=what)
    if dist.entry_points.get("kie.commands"):
        _command_plugins(session, dist, venv)
    models = json.loads(
        _run(session, [kie, "models", "--json"], cwd=venv, env=env, what=what).stdout
    )
    plugins = json.loads(
        _run(session, [kie, "plugins", "--json"], cwd=venv, env=env, what=what).stdout
    )
    broken = [p for p in plugins if not p["ok"] or p.get("model_errors")]
    if broken:
        session.error(f"{what}: plugins failed to load: {broken}")
    providers = {model["provider"] for model in models}
    if providers != set(dist.providers) or (dist.providers and not models):
        session.error(
            f"{what}: kie models shows providers {providers}, expected {set(dist.providers)}"
        )
    if not dist.providers:
        refused = _run(session, [kie, "generate", "kling-2.5-turbo", "a fox", "--dry-run"],
                       cwd=venv, env=env, expect=2, what=what)  # fmt: skip
        if "unknown model" not in refused.stderr:
            session.error(f"{what}: with no plugin, generate should say 'unknown model': {refused}")
        session.log(f"{what}: no models; generate refuses cleanly: {refused.stderr.strip()}")
        return
    model = _prompt_only_model(models)
    if model is None:
        session.log(f"{what}: models {[m['name'] for m in models]}; none takes a prompt alone")
        return
    dry = _run(session, [kie, "generate", model, "a red fox runs through snow", "--dry-run"],
               cwd=venv, env=env, what=what)  # fmt: skip
    if "nothing was sent" not in dry.stdout + dry.stderr:
        session.error(f"{what}: the dry run of {model} did not say nothing was sent")
    session.log(f"{what}: kie models lists {[m['name'] for m in models]}; {model} dry run ok")


def _emulator_generation(session: nox.Session, venv: Path, model: str) -> None:
    """`kie emulator` from the installed wheels serves one generation to an MP4."""
    env = _clean_env(venv, venv)
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    key = "dist-key-not-secret"
    log = venv / "emulator.log"
    with log.open("wb") as sink:
        emulator = subprocess.Popen(
            [str(venv / "bin" / "kie"), "emulator", "--port", str(port), "--api-key", key,
             "--task-seconds", "1"],
            cwd=venv, env=env, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
    output = venv / "videos"
    try:
        try:
            _wait_ready(f"{base_url}/_emulator/state", emulator)
        except RuntimeError as exc:
            session.error(f"emulator from the installed wheel: {exc}\n{log.read_text()[-3000:]}")
        env.update(KIE_API_KEY=key, KIE_BASE_URL=base_url, KIE_UPLOAD_BASE_URL=base_url)
        _run(session, [str(venv / "bin" / "kie"), "generate", model, "a red fox runs at dawn",
                       "-o", str(output), "--yes"], cwd=venv, env=env, what="emulator")  # fmt: skip
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)
    videos = sorted(output.glob("*.mp4"))
    if not videos or videos[0].read_bytes()[4:8] != b"ftyp":
        session.error(f"emulator: no MP4 from {model} in {output}: {videos}")
    session.log(f"emulator: {model} -> {videos[0].name} ({videos[0].stat().st_size} bytes)")


def _contract_tests(session: nox.Session, plugin: Distribution, venv: Path) -> None:
    """The plugin's own tests, contract suite included, against the installed wheels."""
    if plugin.tests is None:
        session.error(f"{plugin.name}: no tests/ folder to run against its wheel")
    where = venv / "contract"
    shutil.rmtree(where, ignore_errors=True)
    shutil.copytree(plugin.tests, where / "tests", ignore=CLONE_IGNORE)
    shutil.copy2(plugin.path / "pyproject.toml", where / "pyproject.toml")
    python = str(venv / "bin" / "python")
    done = _run(session, [python, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider"],
                cwd=where, env=_clean_env(venv, where), what=f"{plugin.name} tests")  # fmt: skip
    session.log(
        f"{plugin.name} tests from installed wheels: {done.stdout.strip().splitlines()[-1]}"
    )


def _readme_commands(session: nox.Session, workspace: list[Distribution], tmp: Path) -> None:
    """Each from-a-clone and from-wheels install command of the README, run as written."""
    commands = [c for c in install_commands((ROOT / "README.md").read_text(encoding="utf-8"))
                if c.kind in ("clone", "wheels")]  # fmt: skip
    if not any(c.kind == "clone" for c in commands):
        session.error("README: no from-a-clone install command in its Install section")
    clone = tmp / "clone"
    shutil.rmtree(clone, ignore_errors=True)
    shutil.copytree(ROOT, clone, ignore=CLONE_IGNORE)
    shutil.copytree(DIST_DIR, clone / "dist")
    for command in commands:
        shutil.rmtree(clone / ".venv", ignore_errors=True)
        chosen = _chosen(session, command, workspace, clone)
        env = _clean_env(None, tmp)
        env["PATH"] = f"{session.bin}{os.pathsep}{env['PATH']}"  # python3 and uv, as a user has
        started = time.monotonic()
        _run(session, ["bash", "-euo", "pipefail", "-c", command.line], cwd=clone, env=env,
             what=f"README `{command.line}`")  # fmt: skip
        listing = _run(session, [str(clone / ".venv" / "bin" / "kie"), "models", "--json"],
                       cwd=tmp, env=env, what=f"README `{command.line}`")  # fmt: skip
        providers = {model["provider"] for model in json.loads(listing.stdout)}
        expected = {name for dist in chosen for name in dist.providers}
        if providers != expected:
            session.error(f"README `{command.line}`: kie models shows {providers}, not {expected}")
        plugins = _run(session, [str(clone / ".venv" / "bin" / "kie"), "plugins", "--json"],
                       cwd=tmp, env=env, what=f"README `{command.line}`")  # fmt: skip
        loaded = {p["name"] for p in json.loads(plugins.stdout) if p["ok"]}
        wanted = {name for dist in chosen for name in dist.entry_points.get("kie.commands", {})}
        if not wanted <= loaded:
            session.error(f"README `{command.line}`: command plugins {wanted - loaded} not loaded")
        session.log(f"README `{command.line}`: kie models lists {sorted(providers)} "
                    f"({time.monotonic() - started:.0f} s)")  # fmt: skip


def _chosen(
    session: nox.Session, command: InstallCommand, workspace: list[Distribution], clone: Path
) -> list[Distribution]:
    by_path = {dist.path.resolve().relative_to(ROOT.resolve()): dist for dist in workspace}
    by_name = {dist.name: dist for dist in workspace}
    chosen = []
    for target in command.targets:
        if command.kind == "clone":
            dist = by_path.get((clone / target).resolve().relative_to(clone.resolve()))
        else:
            dist = by_name.get(target)
        if dist is None:
            session.error(
                f"README `{command.line}`: {target} is no distribution of this repository"
            )
        chosen.append(dist)
    return chosen


@nox.session
def dist(session: nox.Session) -> None:
    """Build every distribution, check metadata and wheel contents, install each wheel alone."""
    started = time.monotonic()
    # twine 6.1 reads the metadata 2.4 (License-Expression) that hatchling writes
    session.install("uv>=0.5", "twine>=6.1")
    workspace = discover(ROOT)
    session.log(f"distributions: {', '.join(f'{d.name} {d.version}' for d in workspace)}")
    problems = check_versions(workspace)
    if problems:
        session.error("version policy (docs/releasing.md):\n" + "\n".join(problems))
    shutil.rmtree(DIST_DIR, ignore_errors=True)
    for dist in workspace:
        session.run("uv", "build", "-q", "--no-sources", "--out-dir", str(_out_dir(dist)),
                    str(dist.path), silent=True)  # fmt: skip
    built = sorted(str(p) for p in DIST_DIR.rglob("*") if p.name.endswith((".whl", ".tar.gz")))
    session.run("twine", "check", "--strict", *built, silent=True)
    for dist in workspace:
        _built(session, dist, ".tar.gz")
        problems += check_wheel(dist, _built(session, dist, "-*.whl"))
    if problems:
        session.error("wheels missing what their source holds:\n" + "\n".join(problems))
    session.log(f"built and checked {len(workspace)} sdists and wheels: contents, metadata")
    tmp = Path(session.create_tmp()).resolve() / "dist"
    for dist in workspace:
        venv = _fresh_venv(session, tmp / f"venv-{dist.name}", [dist], workspace)
        _smoke(session, dist, venv)
    emulators = [dist for dist in workspace if dist.serves_emulator]
    plugin = next((d for d in workspace if d.name == SMOKE_PLUGIN), None) or next(
        d for d in workspace if d.providers and d.tests
    )
    if not emulators:
        session.error("no distribution serves the emulator (kie.commands emulator or pytest11)")
    test_extra = plugin.optional_dependencies.get("test", ())
    needed = [*emulators, plugin]
    needed += [t for _, t in workspace_requirements(plugin, workspace) if t not in needed]
    extra = [*TEST_DEPS, *third_party(test_extra, workspace)]
    venv = _fresh_venv(session, tmp / "venv-emulator", needed, workspace, extra)
    models = json.loads(_run(session, [str(venv / "bin" / "kie"), "models", "--json"], cwd=venv,
                             env=_clean_env(venv, venv), what="emulator").stdout)  # fmt: skip
    model = _prompt_only_model(models)
    if model is None:
        session.error(f"{plugin.name} has no prompt-only model to generate with")
    _emulator_generation(session, venv, model)
    _contract_tests(session, plugin, venv)
    _readme_commands(session, workspace, tmp)
    shutil.rmtree(tmp, ignore_errors=True)  # kept only when a check failed, to look into
    session.log(f"dist: {len(workspace)} distributions in {time.monotonic() - started:.0f} s")
