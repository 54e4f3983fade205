"""What the gallery tests share: the runs that fill the journal, a served gallery, the browser."""

from __future__ import annotations

import math
import os
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kie_gallery.app import GalleryConfig, create_app

from kie_core.client import Client
from kie_core.journal import Journal
from kie_core.polling import PollPhase, PollSchedule

if TYPE_CHECKING:
    from kie_emulator.pytest_plugin import EmulatorHandle

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


def wait_until(check: Callable[[], bool], seconds: float = 20.0) -> None:
    """Wait for a condition (no timing is asserted: the bound only stops a hung test)."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not become true")
        time.sleep(0.05)


def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[str, int, int, int]]:
    """Yield (type, offset, header size, size) of the MP4 boxes between two offsets."""
    offset = start
    while offset < end:
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        header = 8
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
            header = 16
        yield kind.decode("latin-1"), offset, header, size
        offset += size


def _chunk_tables(data: bytes, start: int, end: int) -> Iterator[int]:
    """Yield the offset of every ``stco`` box (the chunk offsets of a track) under a box."""
    for kind, offset, header, size in _boxes(data, start, end):
        if kind in ("moov", "trak", "mdia", "minf", "stbl"):
            yield from _chunk_tables(data, offset + header, offset + size)
        elif kind == "co64":
            raise ValueError("64-bit chunk offsets are not handled")
        elif kind == "stco":
            yield offset


def spread_mp4(data: bytes, gap: int) -> bytes:
    """Return a fast-start MP4 with ``gap`` unused bytes before each media chunk but the first.

    The same video, only larger: the chunk offsets in ``moov`` point at the moved chunks, so a
    player seeking to a late frame must fetch bytes far beyond the start of the file.
    """
    top = {kind: (at, header, size) for kind, at, header, size in _boxes(data, 0, len(data))}
    moov, mdat = top["moov"], top["mdat"]
    if mdat[0] < moov[0] or mdat[1] != 8:
        raise ValueError("expected a fast-start MP4 (moov before a 32-bit mdat)")
    tables = list(_chunk_tables(data, moov[0] + moov[1], moov[0] + moov[2]))
    starts: set[int] = set()
    for table in tables:
        count = struct.unpack(">I", data[table + 12 : table + 16])[0]
        starts.update(struct.unpack(f">{count}I", data[table + 16 : table + 16 + 4 * count]))
    order = sorted(starts)
    rank = {start: index for index, start in enumerate(order)}
    out = bytearray(data[: mdat[0]])
    for table in tables:
        count = struct.unpack(">I", data[table + 12 : table + 16])[0]
        old = struct.unpack(f">{count}I", data[table + 16 : table + 16 + 4 * count])
        out[table + 16 : table + 16 + 4 * count] = struct.pack(
            f">{count}I", *(offset + gap * rank[offset] for offset in old)
        )
    body_start = mdat[0] + 8
    pieces = [data[body_start : order[0]]]
    for index, start in enumerate(order):
        stop = order[index + 1] if index + 1 < len(order) else mdat[0] + mdat[2]
        if index:
            pieces.append(bytes(gap))
        pieces.append(data[start:stop])
    body = b"".join(pieces)
    out += struct.pack(">I4s", len(body) + 8, b"mdat") + body
    out += data[mdat[0] + mdat[2] :]
    return bytes(out)
