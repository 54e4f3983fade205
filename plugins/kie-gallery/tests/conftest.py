"""Fixtures: a journal filled by real runs through the emulator, a gallery serving it, a browser."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from gallery_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    FAILED_PROMPT,
    RUNS,
    Filled,
    RunningGallery,
    serve,
)
from kie_gallery.app import GalleryConfig

from kie_core.errors import TaskFailedError
from kie_core.journal import Journal
from kie_core.registry import default_registry
from kie_core.request import VideoRequest

if TYPE_CHECKING:
    from kie_emulator.pytest_plugin import EmulatorHandle


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
            client.submit(
                VideoRequest(model=model, prompt=prompt, duration=seconds, aspect_ratio=ratio)
            )
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
