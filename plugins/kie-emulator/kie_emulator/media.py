"""The bytes behind every served file: the sample video, its padded variant, uploads."""

from __future__ import annotations

import hashlib
import struct
from collections.abc import AsyncIterator
from functools import cache
from importlib import resources
from typing import Protocol

CHUNK = 256 * 1024
"""Size of the pieces a file body is sent in."""

_ZEROS = bytes(CHUNK)


@cache
def sample_bytes(name: str) -> bytes:
    """Return a file shipped in ``kie_emulator/data`` (``sample.mp4``, ``sample.png``...)."""
    return resources.files("kie_emulator").joinpath("data", name).read_bytes()


def sample_video() -> bytes:
    """Return the small playable H.264 MP4 every result video is made of."""
    return sample_bytes("sample.mp4")


class Content(Protocol):
    """Something a file link can serve."""

    @property
    def size(self) -> int:
        """Total size in bytes."""
        ...

    @property
    def etag(self) -> str:
        """A strong entity tag, quotes included."""
        ...

    @property
    def media_type(self) -> str:
        """The MIME type."""
        ...

    def iter_range(self, start: int, end: int) -> AsyncIterator[bytes]:
        """Yield the bytes from ``start`` to ``end`` inclusive, in chunks."""
        ...


class BytesContent:
    """Content held in memory (the sample files and uploaded files)."""

    def __init__(self, data: bytes, media_type: str) -> None:
        self._data = data
        self._media_type = media_type
        self._etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'

    @property
    def size(self) -> int:
        """Total size in bytes."""
        return len(self._data)

    @property
    def etag(self) -> str:
        """A strong entity tag derived from the bytes."""
        return self._etag

    @property
    def media_type(self) -> str:
        """The MIME type."""
        return self._media_type

    @property
    def data(self) -> bytes:
        """The bytes themselves."""
        return self._data

    async def iter_range(self, start: int, end: int) -> AsyncIterator[bytes]:
        """Yield the bytes from ``start`` to ``end`` inclusive, in chunks."""
        view = memoryview(self._data)
        pos = start
        while pos <= end:
            stop = min(pos + CHUNK, end + 1)
            yield bytes(view[pos:stop])
            pos = stop


def free_box_header(box_size: int) -> bytes:
    """Return the header of a top-level ISO-BMFF ``free`` box of ``box_size`` bytes in total."""
    if box_size < 2**32:
        return struct.pack(">I4s", box_size, b"free")
    return struct.pack(">I4sQ", 1, b"free", box_size)


class PaddedVideo:
    """The sample MP4 followed by one ``free`` box so the file is exactly ``total`` bytes.

    The bytes are produced on the fly; nothing beyond the sample is ever held in memory.
    Players skip ``free`` boxes, so the file stays playable.
    """

    def __init__(self, sample: bytes, total: int) -> None:
        padding = total - len(sample)
        if padding != 0 and padding < 8:
            raise ValueError(
                f"result_bytes must equal the sample size ({len(sample)}) or exceed it by 8 or more"
            )
        header = b""
        if padding:
            header = free_box_header(padding)
            if len(header) > padding:
                raise ValueError("result_bytes too close to the sample size for a large free box")
        self._prefix = sample + header
        self._total = total
        digest = hashlib.sha256(sample).hexdigest()[:24]
        self._etag = f'"{digest}-{total:x}"'

    @property
    def size(self) -> int:
        """Total size in bytes."""
        return self._total

    @property
    def etag(self) -> str:
        """A strong entity tag derived from the sample and the size."""
        return self._etag

    @property
    def media_type(self) -> str:
        """The MIME type."""
        return "video/mp4"

    def read(self, start: int, end: int) -> bytes:
        """Return the bytes from ``start`` to ``end`` inclusive (for small ranges and tests)."""
        prefix = self._prefix[start : end + 1] if start < len(self._prefix) else b""
        zeros = (end + 1 - start) - len(prefix)
        return prefix + bytes(zeros)

    async def iter_range(self, start: int, end: int) -> AsyncIterator[bytes]:
        """Yield the bytes from ``start`` to ``end`` inclusive, in chunks."""
        pos = start
        prefix_len = len(self._prefix)
        while pos <= end:
            stop = min(pos + CHUNK, end + 1)
            if pos < prefix_len:
                stop = min(stop, prefix_len)
                yield self._prefix[pos:stop]
            elif stop - pos == CHUNK:
                yield _ZEROS
            else:
                yield _ZEROS[: stop - pos]
            pos = stop


def result_video(result_bytes: int | None) -> Content:
    """Return the content every result-video link serves, given the configured size."""
    sample = sample_video()
    if result_bytes is None or result_bytes == len(sample):
        return _sample_content("sample.mp4", "video/mp4")
    return PaddedVideo(sample, result_bytes)


@cache
def _sample_content(name: str, media_type: str) -> BytesContent:
    return BytesContent(sample_bytes(name), media_type)


def thumbnail_png() -> Content:
    """Return the cover image served for Runway and Aleph results."""
    return _sample_content("sample.png", "image/png")


def thumbnail_jpg() -> Content:
    """Return the still image served with Veo 4K results."""
    return _sample_content("sample.jpg", "image/jpeg")
