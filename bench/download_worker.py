"""``python -m bench.download_worker``: one download, measured alone in its process.

Reads ``{"url": ..., "dest_dir": ..., "filename": ..., "tool": ...}`` on stdin. Tool
``client`` downloads with :func:`kie_core.files.download_file` over a plain httpx client (no
API key: a file host); ``raw`` streams the same URL to the file with bare httpx (no hash, no
fsync, no resume), the floor any httpx-based downloader starts from; ``raw+sha256`` also
hashes every piece and ``raw+sha256+fsync`` also flushes the file to disk, which is what the
client adds on top, so the three tell where the client's time goes. Prints one JSON line: wall
and CPU seconds of the download, size, resident memory before and at peak.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Any

import httpx

from bench.procs import answer, cpu_seconds, peak_rss_kib, read_payload, rss_kib

#: The bare-httpx tools: what each adds to plain streaming (hashing, flushing to disk).
RAW_TOOLS = {
    "raw": (False, False),
    "raw+sha256": (True, False),
    "raw+sha256+fsync": (True, True),
}


def raw_download(
    http: httpx.Client, url: str, dest: Path, *, sha256: bool = False, fsync: bool = False
) -> int:
    """Stream ``url`` into ``dest`` with bare httpx; return the bytes written."""
    size = 0
    digest = hashlib.sha256()
    with http.stream("GET", url) as response, dest.open("wb") as out:
        response.raise_for_status()
        for piece in response.iter_raw():
            out.write(piece)
            if sha256:
                digest.update(piece)
            size += len(piece)
        if fsync:
            out.flush()
            os.fsync(out.fileno())
    return size


def run(payload: dict[str, Any]) -> dict[str, Any]:
    """Download the file once and return the measurements."""
    from kie_core.files import download_file

    with httpx.Client(timeout=60.0) as http:
        rss_before = rss_kib()
        cpu_before = cpu_seconds()
        start = time.perf_counter()
        tool = payload.get("tool", "client")
        if tool in RAW_TOOLS:
            sha256, fsync = RAW_TOOLS[tool]
            dest = Path(payload["dest_dir"], payload["filename"])
            size = raw_download(http, payload["url"], dest, sha256=sha256, fsync=fsync)
        else:
            size = download_file(
                http, payload["url"], payload["dest_dir"], filename=payload["filename"]
            ).size
        wall = time.perf_counter() - start
        cpu = cpu_seconds() - cpu_before
    return {
        "size": size,
        "wall": wall,
        "cpu": cpu,
        "rss_before_kib": rss_before,
        "peak_rss_kib": peak_rss_kib(),
    }


def main() -> None:
    """Read the payload, download, print the answer."""
    answer(run(read_payload()))


if __name__ == "__main__":
    main()
