"""A journal filled by real runs through the emulator, a gallery serving it, a real browser."""

from __future__ import annotations

import math
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from kie_core.client import Client
from kie_core.errors import TaskFailedError
from kie_core.journal import Journal
from kie_core.polling import PollPhase, PollSchedule
from kie_core.registry import default_registry
from kie_core.request import VideoRequest
from kie_gallery.app import GalleryConfig, create_app

if TYPE_CHECKING:
    from kie_core.emulator.pytest_plugin import EmulatorHandle

#: Debian's chromium (apt package ``chromium``); the nox session installs it when missing.
CHROMIUM = os.environ.get("KIE_GALLERY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: Where the screenshots go (shown in the README and the docs).
IMAGES = Path(__file__).resolve().parents[3] / "docs" / "images"

#: The requests the filled journal is made of: (model, prompt, duration, aspect ratio).
RUNS: tuple[tuple[str, str, int | None, str | None], ...] = (
    ("kling-2.5-turbo", "a red fox runs through fresh snow at dawn", 5, "16:9"),
    ("veo-3.1-fast", "a paper boat drifts down a rainy street", None, "9:16"),
    ("kling-2.5-turbo", "a lighthouse beam sweeps over a stormy sea", 10, "1:1"),
)

#: The prompt of the run that fails.
FAILED_PROMPT = "a glass city melts in the summer heat"

FAST_POLL = PollSchedule(phases=(PollPhase(math.inf, 0.05, 0.05),))


def make_client(emulator: EmulatorHandle, journal: Journal) -> Client:
    """Return a client of the emulator that journals into ``journal`` and polls fast."""
    return Client(
        emulator.api_key,
        base_url=emulator.base_url,
        upload_base_url=emulator.base_url,
        journal=journal,
        poll=FAST_POLL,
        # A handful of creates per test stays far below KIE's limits: no even spacing.
        rate_limiter=False,
    )


@dataclass
class Filled:
    """A journal filled by real generations, and where their videos are."""

    journal: Journal
    emulator: EmulatorHandle
    videos: Path

    def client(self) -> Client:
        return make_client(self.emulator, self.journal)


@pytest.fixture
def filled(kie_emulator: EmulatorHandle, tmp_path: Path) -> Iterator[Filled]:
    """Three videos generated and downloaded, and one failed task, all through the emulator."""
    journal = Journal(tmp_path / "journal.sqlite3")
    videos = tmp_path / "videos"
    videos.mkdir()
    filled = Filled(journal, kie_emulator, videos)
    with filled.client() as client:
        # Created one after the other (ids in this order), then followed together.
        handles = [
            client.submit(VideoRequest(model=model, prompt=prompt, duration=seconds, aspect_ratio=ratio))
            for model, prompt, seconds, ratio in RUNS
        ]
        kie_emulator.set_fault("task-fail", times=1)
        failing = client.submit(VideoRequest(model="kling-2.5-turbo", prompt=FAILED_PROMPT))
        kie_emulator.clear_faults()
        for handle in handles:
            client.download(client.wait(handle), videos)
        with pytest.raises(TaskFailedError):
            client.wait(failing)
    try:
        yield filled
    finally:
        journal.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningGallery:
    """A gallery served by uvicorn in a thread."""

    url: str
    config: GalleryConfig


def serve(config: GalleryConfig) -> Iterator[RunningGallery]:
    """Serve a gallery on a free loopback port until the generator is closed."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(config), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the gallery server did not start")
        time.sleep(0.02)
    try:
        yield RunningGallery(f"http://127.0.0.1:{port}", config)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def gallery(filled: Filled) -> Iterator[RunningGallery]:
    """The gallery of the filled journal, able to act on the emulator."""
    config = GalleryConfig(
        journal=filled.journal,
        registry=default_registry(),
        client_factory=filled.client,
        output_dir=filled.videos,
        poll_seconds=0.2,
    )
    yield from serve(config)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, driven by Playwright (its bundled driver, no download)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install -y chromium`; "
            "`nox -s gallery` does it) or point KIE_GALLERY_CHROMIUM at a Chromium binary"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser page (its own context: no cookies or cache shared between tests)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


def wait_until(check: Callable[[], bool], seconds: float = 20.0) -> None:
    """Wait for a condition (no timing is asserted: the bound only stops a hung test)."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not become true")
        time.sleep(0.05)
