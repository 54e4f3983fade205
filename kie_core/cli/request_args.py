"""Turning command-line flags and batch rows into a checked :class:`VideoRequest`.

Everything here fails with :class:`~kie_core.errors.InvalidRequestError` naming the field (or
flag), the value and what is accepted, before anything is sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kie_core.errors import InvalidRequestError, invalid_request_from
from kie_core.request import InputKind, VideoRequest

if TYPE_CHECKING:
    from kie_core.models import ModelSpec

#: The command-line flag of each media field (and the callback URL), for error messages.
MEDIA_FLAGS: dict[str, str] = {
    "first_frame": "--image",
    "last_frame": "--last-frame",
    "reference_images": "--reference-image",
    "video": "--video",
    "audio": "--audio",
    "callback_url": "--callback-url",
}


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
        raise invalid_request_from(exc, accepted=tuple(VideoRequest.model_fields)) from None
