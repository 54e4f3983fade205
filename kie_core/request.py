"""The normalized, validated video request that every provider plugin understands."""

from __future__ import annotations

import os
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kie_core.errors import InvalidRequestError


class InputKind(StrEnum):
    """The kinds of input a model may accept or require."""

    TEXT = "text"
    FIRST_FRAME = "first_frame"
    LAST_FRAME = "last_frame"
    REFERENCE_IMAGES = "reference_images"
    VIDEO = "video"
    AUDIO = "audio"
    SOURCE_TASK = "source_task"


#: The request field that carries each input kind, for error messages and CLI flags.
INPUT_FIELDS: dict[InputKind, str] = {
    InputKind.TEXT: "prompt",
    InputKind.FIRST_FRAME: "first_frame",
    InputKind.LAST_FRAME: "last_frame",
    InputKind.REFERENCE_IMAGES: "reference_images",
    InputKind.VIDEO: "video",
    InputKind.AUDIO: "audio",
    InputKind.SOURCE_TASK: "extend_task_id",
}


def is_remote(location: str) -> bool:
    """Return whether an input location is an http(s) URL rather than a local path."""
    return location.startswith(("http://", "https://"))


def check_readable(location: str, *, field: str, label: str | None = None) -> None:
    """Check that a local input file exists and can be read; URLs are not checked.

    Args:
        location: a path or an http(s) URL.
        field: the request field it fills (the error's ``field``).
        label: how the field is named in the message (a CLI flag, a batch column); default
            ``field``.

    Raises:
        InvalidRequestError: naming the label and the path, and what the problem is.
    """
    if is_remote(location) or "://" in location:
        check_url(location, field=field, label=label)
        return
    path = Path(location).expanduser()
    if not path.exists():
        problem = "no such file"
    elif not path.is_file():
        problem = "not a file"
    elif not os.access(path, os.R_OK):
        problem = "permission denied"
    else:
        return
    raise InvalidRequestError(
        f"{label or field}: cannot read {location!r}: {problem} (give a readable file or an "
        "http(s) URL)",
        field=field,
        value=location,
    )


def check_url(location: str, *, field: str, label: str | None = None) -> None:
    """Check that a URL is http(s) with a host name (``https:///x.png`` is refused).

    Raises:
        InvalidRequestError: naming the label and the URL.
    """
    try:
        parts = urlsplit(location)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if parts is None or parts.scheme not in ("http", "https") or not host:
        raise InvalidRequestError(
            f"{label or field}: {location!r} is not a usable URL: it needs http:// or https:// "
            "and a host name (for example https://example.com/frame.png); nothing was sent",
            field=field,
            value=location,
        )


def check_local_files(request: VideoRequest, labels: Mapping[str, str] | None = None) -> None:
    """Check every local media input is a readable file and every URL has a host.

    The callback URL, when given, must be an http(s) URL with a host too.

    Args:
        request: the request.
        labels: how each field is named in messages (CLI flags, batch columns).
    """
    names = labels or {}
    for field, value in request.media_inputs().items():
        for item in value if isinstance(value, tuple) else (value,):
            check_readable(item, field=field, label=names.get(field))
    if request.callback_url is not None:
        check_url(request.callback_url, field="callback_url", label=names.get("callback_url"))


class VideoRequest(BaseModel):
    """One video generation request, independent of the model that will serve it.

    Media inputs (``first_frame``, ``last_frame``, ``reference_images``, ``video``, ``audio``) are
    http(s) URLs or local file paths; the client uploads local files before the request is sent.
    Model-specific settings go in ``options`` and are checked by the model's own options model,
    which rejects unknown keys.

    Example:
        >>> VideoRequest(model="kling-2.5-turbo", prompt="a fox runs", duration=5).duration
        5
    """

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    model: str = Field(min_length=1, description="Model name or alias, e.g. `veo-3.1-fast`.")
    prompt: str = Field(default="", description="What the video should show.")
    duration: int | None = Field(default=None, gt=0, description="Length in seconds.")
    aspect_ratio: str | None = Field(default=None, description="For example `16:9`.")
    resolution: str | None = Field(default=None, description="For example `720p` or `1080P`.")
    first_frame: str | None = Field(default=None, description="Image URL or path: first frame.")
    last_frame: str | None = Field(default=None, description="Image URL or path: last frame.")
    reference_images: tuple[str, ...] = Field(default=(), description="Reference image URLs.")
    video: str | None = Field(default=None, description="Source video URL or path.")
    audio: str | None = Field(default=None, description="Audio URL or path.")
    extend_task_id: str | None = Field(
        default=None, description="Continue (extend) the video of this earlier KIE task."
    )
    negative_prompt: str | None = Field(default=None, description="What to avoid.")
    seed: int | None = Field(default=None, description="Seed for reproducible output.")
    callback_url: str | None = Field(default=None, description="KIE POSTs the result here.")
    options: dict[str, Any] = Field(
        default_factory=dict, description="Model-specific settings, checked by the model."
    )

    @field_validator("callback_url")
    @classmethod
    def _check_callback_url(cls, value: str | None) -> str | None:
        if value is not None and not is_remote(value):
            raise ValueError(f"callback_url must be an http(s) URL, got {value!r}")
        return value

    @field_validator("first_frame", "last_frame", "video", "audio", "extend_task_id")
    @classmethod
    def _no_blank(cls, value: str | None) -> str | None:
        if value is not None and not value:
            raise ValueError("must not be empty")
        return value

    @field_validator("reference_images")
    @classmethod
    def _no_blank_items(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not item for item in value):
            raise ValueError("reference image locations must not be empty")
        return value

    def input_kinds(self) -> frozenset[InputKind]:
        """Return the kinds of input this request carries."""
        kinds: set[InputKind] = set()
        if self.prompt:
            kinds.add(InputKind.TEXT)
        if self.first_frame:
            kinds.add(InputKind.FIRST_FRAME)
        if self.last_frame:
            kinds.add(InputKind.LAST_FRAME)
        if self.reference_images:
            kinds.add(InputKind.REFERENCE_IMAGES)
        if self.video:
            kinds.add(InputKind.VIDEO)
        if self.audio:
            kinds.add(InputKind.AUDIO)
        if self.extend_task_id:
            kinds.add(InputKind.SOURCE_TASK)
        return frozenset(kinds)

    def media_inputs(self) -> dict[str, str | tuple[str, ...]]:
        """Return the media fields that are set, by field name."""
        fields: dict[str, str | tuple[str, ...]] = {}
        for name in ("first_frame", "last_frame", "video", "audio"):
            value = getattr(self, name)
            if value:
                fields[name] = value
        if self.reference_images:
            fields["reference_images"] = self.reference_images
        return fields

    def with_media(self, mapping: Mapping[str, str]) -> VideoRequest:
        """Return this request with each media location found in ``mapping`` replaced.

        The client uses it to put the URLs of uploaded files in place of their local paths.
        """
        update: dict[str, Any] = {}
        for name, value in self.media_inputs().items():
            if isinstance(value, tuple):
                update[name] = tuple(mapping.get(item, item) for item in value)
            else:
                update[name] = mapping.get(value, value)
        return self.model_copy(update=update)

    def local_files(self) -> list[str]:
        """Return every media input that is a local path (to be uploaded before sending)."""
        paths: list[str] = []
        for value in self.media_inputs().values():
            items = value if isinstance(value, tuple) else (value,)
            paths.extend(item for item in items if not is_remote(item))
        return paths
