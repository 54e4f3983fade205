"""The gallery in a real browser (Debian's chromium, headless), over emulator-made tasks."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from gallery_support import FAILED_PROMPT, IMAGES, RUNS, Filled, RunningGallery, spread_mp4

from kie_core.request import VideoRequest

pytestmark = pytest.mark.browser

#: How long a task the test finishes itself runs (it moves the emulator's clock instead).
HELD = 300.0

#: A video element has its current frame (HAVE_CURRENT_DATA) and a known length.
PLAYABLE = "v => v.readyState >= 2 && v.duration > 0"


def _cards(page: Any) -> list[str]:
    return [text.strip() for text in page.locator("article.card h2").all_inner_texts()]


def _charges(filled: Filled) -> int:
    return sum(1 for entry in filled.emulator.ledger if entry.kind == "charge")


def test_the_grid_shows_every_task_newest_first(
    gallery: RunningGallery, filled: Filled, page: Any
) -> None:
    page.goto(gallery.url + "/")
    prompts = [prompt for _, prompt, _, _ in RUNS]
    assert _cards(page) == [FAILED_PROMPT, *reversed(prompts)]
    assert page.locator("article.card video").count() == len(RUNS)
    failed = page.locator("article.card.state-failed")
    assert failed.locator(".badge").inner_text() == "failed"
    first = page.locator("#card-1")
    assert "kling-2.5-turbo" in first.inner_text()
    assert "5 s" in first.inner_text() and "16:9" in first.inner_text()
    totals = page.locator("#totals").inner_text()
    assert totals.startswith("4 tasks")
    IMAGES.mkdir(parents=True, exist_ok=True)
    for video in page.locator("video").all():
        video.evaluate("v => v.readyState >= 2 || new Promise(r => v.onloadeddata = r)")
    page.screenshot(path=str(IMAGES / "gallery-grid.png"), full_page=True)


def test_a_video_plays_inline_and_seeks_through_range_requests(
    gallery: RunningGallery, filled: Filled, page: Any
) -> None:
    entry = filled.journal.get_entry(1)
    assert entry is not None and entry.output_path
    # The same video spread over 48 MiB, so a late frame lies far past what the first request
    # of the browser reads (the 9 KB sample would be read whole by the first request).
    saved = Path(entry.output_path)
    saved.write_bytes(spread_mp4(saved.read_bytes(), 1 << 20))
    media: list[Any] = []
    page.on("response", lambda r: media.append(r) if "/media/" in r.url else None)
    page.goto(gallery.url + "/tasks/1")
    video = page.locator("video")
    video.evaluate(f"v => ({PLAYABLE})(v) || new Promise(r => v.onloadeddata = r)")
    assert video.evaluate(PLAYABLE)
    duration = video.evaluate("v => v.duration")
    assert duration > 0
    # Only a server that answers Range requests gets a seekable range over the whole video.
    assert video.evaluate("v => v.seekable.length === 1 && v.seekable.end(0) === v.duration")
    before_seek = len(media)
    reached = max(_range_start(r) for r in media)
    landed = video.evaluate(
        "v => new Promise(r => { v.onseeked = () => r(v.currentTime); "
        "v.currentTime = v.duration * 0.9; })"
    )
    assert landed == pytest.approx(duration * 0.9, abs=0.05)
    video.evaluate(f"v => ({PLAYABLE})(v) || new Promise(r => v.oncanplay = r)")
    after = media[before_seek:]
    assert after, "seeking sent no request"
    assert max(_range_start(r) for r in after) > reached
    size = saved.stat().st_size
    for response in media:
        assert response.status == 206
        start = _range_start(response)
        assert response.headers["content-range"].startswith(f"bytes {start}-")
        assert response.headers["content-range"].endswith(f"/{size}")


def _range_start(response: Any) -> int:
    header = response.request.headers["range"]
    assert header.startswith("bytes="), header
    return int(header.removeprefix("bytes=").split("-")[0])


def test_filters_and_search_narrow_the_grid(gallery: RunningGallery, page: Any) -> None:
    page.goto(gallery.url + "/")
    page.select_option("select[name=model]", "veo-3.1-fast")
    page.click("form.filters button[type=submit]")
    assert _cards(page) == ["a paper boat drifts down a rainy street"]
    page.goto(gallery.url + "/")
    page.fill("input[name=q]", "LIGHTHOUSE")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=LIGHTHOUSE**")
    assert _cards(page) == ["a lighthouse beam sweeps over a stormy sea"]
    page.goto(gallery.url + "/?state=failed")
    assert _cards(page) == [FAILED_PROMPT]
    assert page.locator("#totals").inner_text().startswith("1 task match")
    page.goto(gallery.url + "/?day=2001-01-01")
    assert _cards(page) == []
    assert "No tasks match" in page.inner_text("main")


def test_the_task_page_shows_the_failure_payload_and_command(
    gallery: RunningGallery, page: Any
) -> None:
    page.goto(gallery.url + "/tasks/4")
    assert page.locator("#failure").inner_text().startswith("Failure reason:")
    page.goto(gallery.url + "/tasks/1")
    command = page.locator("#command").inner_text()
    assert command == (
        "kie generate kling-2.5-turbo 'a red fox runs through fresh snow at dawn' "
        "--duration 5 --aspect-ratio 16:9"
    )
    assert '"prompt": "a red fox runs through fresh snow at dawn"' in page.inner_text(".payload")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.click("button.copy")
    page.wait_for_function("document.querySelector('button.copy').textContent === 'Copied'")
    assert page.evaluate("navigator.clipboard.readText()") == command
    page.locator("video").evaluate("v => v.readyState >= 2 || new Promise(r => v.onloadeddata = r)")
    page.screenshot(path=str(IMAGES / "gallery-task.png"), full_page=True)


def test_confirm_and_generate_creates_one_task_that_turns_playable_without_reload(
    gallery: RunningGallery, filled: Filled, page: Any
) -> None:
    charges = _charges(filled)
    kling = "kling/v2-5-turbo-text-to-video-pro"
    created = filled.emulator.create_count(kling)
    # The new task runs until the test moves the emulator's clock: no race with the page.
    filled.emulator.configure(task_seconds=HELD)
    page.goto(gallery.url + "/tasks/1")
    page.click("text=Generate again with edits")
    page.fill("textarea[name=prompt]", "a red fox runs through fresh snow at dusk")
    page.click("text=Check and estimate")
    assert page.locator("#estimate").inner_text() == "Estimated cost: 42 credits"
    assert _charges(filled) == charges, "nothing may be sent before the confirmation"
    # A double click on the confirmation still creates one task.
    page.dblclick("#confirm")
    page.wait_for_url("**/tasks/5")
    page.evaluate("window.sameDocument = true")
    assert page.locator("#live .placeholder").count() == 1
    assert page.locator("#live").get_attribute("data-live") == "/fragments/task/5"
    filled.emulator.advance(HELD)
    video = page.locator("#live video")
    video.wait_for(timeout=30_000)
    video.evaluate("v => v.readyState >= 2 || new Promise(r => v.onloadeddata = r)")
    assert video.evaluate(PLAYABLE)
    assert page.evaluate("window.sameDocument === true"), "the page was reloaded"
    assert _charges(filled) == charges + 1
    assert filled.emulator.create_count(kling) == created + 1
    entry = filled.journal.get_entry(5)
    assert entry is not None and entry.payload["input"]["prompt"].endswith("at dusk")


def test_a_running_task_in_the_grid_turns_into_a_video_without_reload(
    gallery: RunningGallery, filled: Filled, page: Any
) -> None:
    filled.emulator.configure(task_seconds=HELD)
    client = filled.client()
    handle = client.submit(VideoRequest(model="veo-3.1-fast", prompt="a kite over the dunes"))
    page.goto(gallery.url + "/")
    page.evaluate("window.sameDocument = true")
    card = page.locator("#card-5")
    assert card.get_attribute("data-live") == "/fragments/card/5"

    def finish() -> None:
        with client:
            client.download(client.wait(handle), filled.videos)

    worker = threading.Thread(target=finish)
    worker.start()
    assert page.locator("#card-5 .placeholder").inner_text().lower() in ("created…", "running…")
    filled.emulator.advance(HELD)
    page.locator("#card-5 video").wait_for(timeout=30_000)
    worker.join()
    playable = page.locator("#card-5 video")
    playable.evaluate("v => v.readyState >= 2 || new Promise(r => v.onloadeddata = r)")
    assert playable.evaluate(PLAYABLE)
    assert page.evaluate("window.sameDocument === true")
    assert page.locator("#card-5").get_attribute("data-live") is None


def test_the_grid_is_usable_at_phone_width_and_by_keyboard(
    gallery: RunningGallery, page: Any
) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(gallery.url + "/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(IMAGES / "gallery-phone.png"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "brand"
    page.focus("#card-1 h2 a")
    page.keyboard.press("Enter")
    page.wait_for_url("**/tasks/1")


def test_the_pages_read_without_javascript(gallery: RunningGallery, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(gallery.url + "/?q=paper")
        assert _cards(page) == ["a paper boat drifts down a rainy street"]
        page.click("#card-2 h2 a")
        assert "kie generate veo-3.1-fast" in page.inner_text("#command")
    finally:
        context.close()
