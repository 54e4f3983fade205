"""Turning command-line flags and batch rows into a checked :class:`VideoRequest`.

Everything here fails with :class:`~kie_core.errors.InvalidRequestError` naming the field (or
flag), the value and what is accepted, before anything is sent.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kie_core.errors import InvalidRequestError
from kie_core.request import InputKind, VideoRequest, is_remote

if TYPE_CHECKING:
    from kie_core.models import ModelSpec

#: The command-line flag of each media field of a request, for error messages.
MEDIA_FLAGS: dict[str, str] = {
    "first_frame": "--image",
    "last_frame": "--last-frame",
    "reference_images": "--reference-image",
    "video": "--video",
    "audio": "--audio",
}

#: How a local input shows in ``--dry-run`` output: it would be uploaded first.
UPLOAD_PLACEHOLDER = "<upload: {path}>"


def parse_option(text: str) -> tuple[str, Any]:
    """Parse one ``--option KEY=VALUE``; the value is read as JSON when it is valid JSON.

    ``cfg_scale=0.5`` gives a float, ``camera_fixed=true`` a boolean, ``seeds=[1,2]`` a list and
    ``style=anime`` the string ``"anime"``.

    Raises:
        InvalidRequestError: there is no ``=`` or the key is empty.
    """
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise InvalidRequestError(
            f"--option {text!r} is not KEY=VALUE (for example --option cfg_scale=0.5)",
            field="option",
            value=text,
        )
    try:
        value: Any = json.loads(raw)
    except ValueError:
        value = raw
    return key, value


def parse_options(items: Iterable[str]) -> dict[str, Any]:
    """Parse every ``--option KEY=VALUE`` into a dict (a later key wins)."""
    return dict(parse_option(item) for item in items)


def check_readable(flag: str, location: str) -> None:
    """Check that a local input file exists and can be read; URLs are not checked.

    Raises:
        InvalidRequestError: naming the flag and the path.
    """
    if is_remote(location) or "://" in location:
        check_url(flag, location)
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
        f"{flag}: cannot read {location!r}: {problem} (give a readable file or an http(s) URL)",
        field=flag.lstrip("-").replace("-", "_"),
        value=location,
    )


def check_url(flag: str, location: str) -> None:
    """Check that a URL is http(s) with a host name (``https:///x.png`` is refused).

    Raises:
        InvalidRequestError: naming the flag and the URL.
    """
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(location)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if parts is None or parts.scheme not in ("http", "https") or not host:
        raise InvalidRequestError(
            f"{flag}: {location!r} is not a usable URL: it needs http:// or https:// and a "
            "host name (for example https://example.com/frame.png); nothing was sent",
            field=flag.lstrip("-").replace("-", "_"),
            value=location,
        )


def check_local_files(request: VideoRequest, flags: Mapping[str, str] = MEDIA_FLAGS) -> None:
    """Check every local media input is a readable file and every URL has a host.

    The callback URL, when given, must be an http(s) URL with a host too.
    """
    for field_name, value in request.media_inputs().items():
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            check_readable(flags.get(field_name, field_name), item)
    if request.callback_url is not None:
        check_url(flags.get("callback_url", "--callback-url"), request.callback_url)


def assign_images(
    spec: ModelSpec,
    images: Sequence[str],
    last_frame: str | None,
    reference_images: Sequence[str],
) -> tuple[str | None, str | None, tuple[str, ...]]:
    """Place repeated ``--image`` values according to what the model accepts.

    The first image is the first frame; a second one is the last frame when the model takes one
    and ``--last-frame`` was not given. A model that takes reference images but no first frame
    gets every ``--image`` as a reference image.

    Returns:
        ``(first_frame, last_frame, reference_images)``.

    Raises:
        InvalidRequestError: more images than the model has places for.
    """
    inputs = set(spec.inputs)
    refs = tuple(reference_images)
    if not images:
        return None, last_frame, refs
    if InputKind.FIRST_FRAME.value not in inputs and InputKind.REFERENCE_IMAGES.value in inputs:
        return None, last_frame, (*images, *refs)
    first, *rest = images
    if rest and last_frame is None and InputKind.LAST_FRAME.value in inputs:
        last_frame, *rest = rest
    if rest:
        places = "--image (first frame)"
        if InputKind.LAST_FRAME.value in inputs:
            places += " and --last-frame"
        raise InvalidRequestError(
            f"--image given {len(images)} times but {spec.name} takes {places}; "
            "use --reference-image for reference images",
            field="image",
            value=list(images),
        )
    return first, last_frame, refs


def build_request(fields: Mapping[str, Any]) -> VideoRequest:
    """Build a :class:`VideoRequest`, turning pydantic's errors into one clear line.

    Raises:
        InvalidRequestError: naming the field, the value and the rule it breaks.
    """
    from pydantic import ValidationError

    data = {key: value for key, value in fields.items() if value is not None}
    try:
        return VideoRequest.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "request"
        value = error.get("input")
        if error["type"] == "extra_forbidden":
            accepted = tuple(VideoRequest.model_fields)
            raise InvalidRequestError(
                f"unknown field {where!r}; accepted: {', '.join(accepted)}",
                field=where,
                value=value,
                accepted=accepted,
            ) from None
        message = error["msg"].removeprefix("Value error, ")
        raise InvalidRequestError(
            f"{where} {value!r} is invalid: {message}", field=where, value=value
        ) from None


def with_upload_placeholders(request: VideoRequest) -> VideoRequest:
    """Return ``request`` with each local file shown as ``<upload: path>`` (for ``--dry-run``)."""

    def mark(location: str) -> str:
        return location if is_remote(location) else UPLOAD_PLACEHOLDER.format(path=location)

    update: dict[str, Any] = {}
    for field_name, value in request.media_inputs().items():
        if isinstance(value, tuple):
            update[field_name] = tuple(mark(item) for item in value)
        else:
            update[field_name] = mark(value)
    return request.model_copy(update=update)
