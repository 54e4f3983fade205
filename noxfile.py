"""Development sessions for kie: tests, lint, typecheck, plugins, docs, bench and demo.

`python3 -m nox` runs the whole test suite (the default sessions below); `nox -s demo` runs a
real generation through the CLI against the embedded emulator.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import nox

ROOT = Path(__file__).parent
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

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "typecheck", "tests", "plugins", "docs", "mcp"]


def _editable_all() -> list[str]:
    args = ["-e", ".[server]"]
    for plugin in PLUGINS:
        args += ["-e", str(plugin.relative_to(ROOT))]
    return args


@nox.session
def tests(session: nox.Session) -> None:
    """Core tests (unit, emulator, integration, faults, CLI) with every plugin installed."""
    session.install(*_editable_all(), *TEST_DEPS)
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
