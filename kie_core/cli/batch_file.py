"""Reading a ``kie batch`` file: JSON Lines or CSV, one request per line or row.

Each line (or row, under a header row) names the request fields: ``model``, ``prompt``,
``duration``, ``aspect_ratio``, ``resolution``, ``image`` (or ``first_frame``), ``last_frame``,
``reference_images``, ``video``, ``audio``, ``extend_task_id``, ``negative_prompt``, ``seed``,
``callback_url`` and ``options`` (a JSON object). In CSV, empty cells are absent,
``reference_images`` is a JSON array or ``;``-separated, and ``options`` is a JSON object.
Relative file paths are relative to the batch file's folder. Blank lines and lines starting
with ``#`` are skipped.

A malformed line is refused with :class:`~kie_core.errors.InvalidRequestError` naming the file,
the line number and the field, before anything is sent. Parsing is strict: an unterminated
quote, a column named twice in the CSV header, or a JSON object naming a key twice is refused
rather than read as something else. A quoted CSV cell may span lines; a row is named by the line
it starts on.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kie_core.cli.request_args import build_request
from kie_core.errors import InvalidRequestError
from kie_core.request import VideoRequest, is_remote

#: Columns a batch line may hold.
BATCH_FIELDS: tuple[str, ...] = (
    "model",
    "prompt",
    "duration",
    "aspect_ratio",
    "resolution",
    "image",
    "first_frame",
    "last_frame",
    "reference_images",
    "video",
    "audio",
    "extend_task_id",
    "negative_prompt",
    "seed",
    "callback_url",
    "options",
)

#: Batch columns that name a media file, and the request field each fills.
MEDIA_COLUMNS: dict[str, str] = {
    "first_frame": "image",
    "last_frame": "last_frame",
    "reference_images": "reference_images",
    "video": "video",
    "audio": "audio",
}

_INT_FIELDS = ("duration", "seed")


@dataclass(frozen=True)
class BatchLine:
    """One request of a batch file and where it came from."""

    number: int
    request: VideoRequest


def read_batch(path: Path) -> list[BatchLine]:
    """Read and check the shape of every line of a batch file.

    Raises:
        InvalidRequestError: the file cannot be read, has an unknown format, or a line is
            malformed (the message names the line number and the field).
    """
    suffix = path.suffix.lower()
    if suffix not in (".jsonl", ".ndjson", ".csv"):
        raise InvalidRequestError(
            f"batch file {str(path)!r} must end in .jsonl or .csv",
            field="file",
            value=str(path),
            accepted=(".jsonl", ".csv"),
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise InvalidRequestError(
            f"cannot read batch file {str(path)!r}: {reason}", field="file", value=str(path)
        ) from None
    rows = _csv_rows(path, text) if suffix == ".csv" else _jsonl_rows(path, text)
    lines = [
        BatchLine(number, _request(path, number, row, base=path.parent)) for number, row in rows
    ]
    if not lines:
        raise InvalidRequestError(
            f"batch file {str(path)!r} holds no requests", field="file", value=str(path)
        )
    return lines


def line_error(
    path: Path, number: int, field: str, message: str, value: Any = None
) -> InvalidRequestError:
    """Return the error for a malformed line: ``<file>, line N, field F: message``."""
    return InvalidRequestError(
        f"{path.name}, line {number}, field {field!r}: {message}",
        field=f"line {number}: {field}",
        value=value,
    )


class _DuplicateKey(ValueError):
    """A JSON object names the same key twice."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def strict_json(text: str) -> Any:
    """Parse JSON refusing an object that names a key twice (``json`` keeps the last one).

    Raises:
        json.JSONDecodeError: not valid JSON.
        ValueError: a duplicate key (its ``key`` attribute names it).
    """
    return json.loads(text, object_pairs_hook=_unique_object)


def _jsonl_rows(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            row = strict_json(stripped)
        except json.JSONDecodeError as exc:
            raise InvalidRequestError(
                f"{path.name}, line {number}: not valid JSON ({exc.msg} at column {exc.colno})",
                field=f"line {number}",
                value=stripped[:80],
            ) from None
        except _DuplicateKey as exc:
            raise line_error(
                path, number, exc.key, "the key is given twice; give each key once", exc.key
            ) from None
        if not isinstance(row, dict):
            raise InvalidRequestError(
                f"{path.name}, line {number}: expected a JSON object, got {type(row).__name__}",
                field=f"line {number}",
                value=stripped[:80],
            )
        yield number, row


def _csv_records(path: Path, text: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (first line, cells) of each CSV record; a quoted cell may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            reason = str(exc)
            if "unexpected end of data" in reason:
                reason = "a quoted cell opened on this line is never closed (unterminated quote)"
            raise InvalidRequestError(
                f"{path.name}, line {start}: malformed CSV: {reason}; nothing was sent",
                field=f"line {start}",
            ) from None
        yield start, cells


def _csv_rows(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    records = _csv_records(path, text)
    first = next(records, None)
    if first is None:
        return
    header_line, header = first
    names = [name.strip() for name in header]
    for index, name in enumerate(names):
        if name and name in names[:index]:
            raise line_error(
                path,
                header_line,
                name,
                "the column is named twice in the header; name each column once",
                name,
            )
    for number, raw_cells in records:
        if len(raw_cells) > len(names):
            raise line_error(path, number, "(extra cells)", "more cells than header columns")
        padded = [*raw_cells, *([""] * (len(names) - len(raw_cells)))]
        cells = {key: value.strip() for key, value in zip(names, padded, strict=True) if key}
        if not any(cells.values()) or next(iter(cells.values()), "").startswith("#"):
            continue
        data: dict[str, Any] = {}
        for key, value in cells.items():
            if value == "":
                continue
            if key == "options":
                data[key] = _json_cell(path, number, key, value)
            elif key == "reference_images":
                data[key] = (
                    _json_cell(path, number, key, value)
                    if value.startswith("[")
                    else [part.strip() for part in value.split(";") if part.strip()]
                )
            else:
                data[key] = value
        yield number, data


def _json_cell(path: Path, number: int, key: str, value: str) -> Any:
    try:
        return strict_json(value)
    except json.JSONDecodeError as exc:
        raise line_error(path, number, key, f"not valid JSON ({exc.msg})", value) from None
    except _DuplicateKey as exc:
        raise line_error(
            path, number, f"{key}.{exc.key}", "the key is given twice; give each key once", value
        ) from None


def _request(path: Path, number: int, row: Mapping[str, Any], *, base: Path) -> VideoRequest:
    unknown = [key for key in row if key not in BATCH_FIELDS]
    if unknown:
        raise line_error(
            path,
            number,
            unknown[0],
            f"unknown field; accepted: {', '.join(BATCH_FIELDS)}",
            row[unknown[0]],
        )
    if "model" not in row or not isinstance(row["model"], str) or not row["model"].strip():
        raise line_error(path, number, "model", "a model name is required", row.get("model"))
    if "image" in row and "first_frame" in row:
        raise line_error(path, number, "image", "give image or first_frame, not both")
    fields: dict[str, Any] = {key: value for key, value in row.items() if key != "image"}
    if "image" in row:
        fields["first_frame"] = row["image"]
    for key in _INT_FIELDS:
        if key in fields:
            fields[key] = _integer(path, number, key, fields[key])
    if "options" in fields and not isinstance(fields["options"], dict):
        raise line_error(path, number, "options", "must be a JSON object", fields["options"])
    if "reference_images" in fields:
        refs = fields["reference_images"]
        if isinstance(refs, str):
            refs = [refs]
        if not isinstance(refs, list) or not all(isinstance(item, str) for item in refs):
            raise line_error(path, number, "reference_images", "must be a list of paths or URLs")
        fields["reference_images"] = tuple(refs)
    for field_name in MEDIA_COLUMNS:
        value = fields.get(field_name)
        if isinstance(value, str):
            fields[field_name] = _locate(base, value)
        elif isinstance(value, tuple):
            fields[field_name] = tuple(_locate(base, item) for item in value)
        elif value is not None:
            raise line_error(path, number, field_name, "must be a path or URL", value)
    try:
        return build_request(fields)
    except InvalidRequestError as exc:
        raise line_error(path, number, exc.field, exc.message, exc.value) from None


def _integer(path: Path, number: int, key: str, value: Any) -> int:
    if isinstance(value, bool):
        raise line_error(path, number, key, "must be a whole number", value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise line_error(path, number, key, f"{value!r} is not a whole number", value)


def _locate(base: Path, location: str) -> str:
    if is_remote(location) or not location:
        return location
    candidate = Path(location).expanduser()
    return str(candidate if candidate.is_absolute() else base / candidate)
