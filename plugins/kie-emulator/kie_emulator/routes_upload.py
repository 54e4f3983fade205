"""The file-upload host: base64, multipart stream and URL uploads."""

from __future__ import annotations

import base64
import binascii
import mimetypes
import posixpath
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kie_emulator.common import base_url, emulator_of, iso_time_ms
from kie_emulator.envelope import ApiError, envelope
from kie_emulator.media import BytesContent
from kie_emulator.paths import UPLOAD_BASE64, UPLOAD_STREAM, UPLOAD_URL

URL_FETCH_TIMEOUT = 30.0
"""Seconds the URL upload waits for the remote file."""

URL_FETCH_LIMIT = 100 * 1024 * 1024
"""Largest file the URL upload fetches."""


def _missing(name: str) -> ApiError:
    return ApiError(400, f"Missing required parameter: {name}")


def _invalid(message: str) -> ApiError:
    return ApiError(400, f"Invalid parameter: {message}")


def _text(data: Any, name: str, *, required: bool) -> str | None:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise _missing(name)
        return None
    if not isinstance(value, str):
        raise _invalid(f"{name} must be a string")
    return value


def _upload_path(value: str) -> str:
    if value.startswith("/") or value.endswith("/"):
        raise _invalid("uploadPath must not start or end with '/'")
    if any(part in {"", ".", ".."} for part in value.split("/")):
        raise _invalid("uploadPath must not contain empty, '.' or '..' segments")
    return value


def _file_name(value: str | None, fallback: str) -> str:
    name = value or fallback
    if "/" in name or name in {".", ".."}:
        raise _invalid("fileName must be a plain file name")
    return name


def _media_type(name: str, declared: str | None) -> str:
    if declared and declared != "application/octet-stream":
        return declared.split(";")[0].strip()
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def _random_name(request: Request, media_type: str | None) -> str:
    extension = mimetypes.guess_extension(media_type or "") or ".bin"
    return emulator_of(request).new_id()[:16] + extension


async def _json(request: Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError as exc:
        raise ApiError(400, "Invalid JSON body") from exc
    if not isinstance(data, dict):
        raise ApiError(400, "Invalid JSON body")
    return data


def _stored(
    request: Request, upload_path: str, name: str, payload: bytes, media_type: str
) -> Response:
    em = emulator_of(request)
    entry = em.add_upload(f"{upload_path}/{name}", BytesContent(payload, media_type))
    data = {
        "fileName": name,
        "filePath": f"{upload_path}/{name}",
        "downloadUrl": entry.url(base_url(request)),
        "fileSize": len(payload),
        "mimeType": media_type,
        "uploadedAt": iso_time_ms(em.clock.now()),
    }
    return envelope(200, "File uploaded successfully", data, upload=True)


async def upload_base64(request: Request) -> Response:
    """``POST /api/file-base64-upload``: store raw base64 or a ``data:`` URL."""
    data = await _json(request)
    encoded = _text(data, "base64Data", required=True) or ""
    upload_path = _upload_path(_text(data, "uploadPath", required=True) or "")
    declared: str | None = None
    if encoded.startswith("data:"):
        header, comma, encoded = encoded.partition(",")
        if not comma or not header.endswith(";base64"):
            raise ApiError(400, "Base64 decoding failed: Invalid Base64 format")
        declared = header[len("data:") : -len(";base64")] or None
    try:
        payload = base64.b64decode("".join(encoded.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ApiError(400, "Base64 decoding failed: Invalid Base64 format") from exc
    if not payload:
        raise ApiError(400, "Base64 decoding failed: Invalid Base64 format")
    name = _file_name(_text(data, "fileName", required=False), _random_name(request, declared))
    return _stored(request, upload_path, name, payload, _media_type(name, declared))


async def upload_stream(request: Request) -> Response:
    """``POST /api/file-stream-upload``: store a multipart ``file``."""
    try:
        form = await request.form()
    except Exception as exc:
        raise ApiError(400, "Invalid multipart/form-data body") from exc
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise _missing("file")
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        upload_path = _upload_path(_text(fields, "uploadPath", required=True) or "")
        fallback = upload.filename or _random_name(request, upload.content_type)
        name = _file_name(_text(fields, "fileName", required=False), posixpath.basename(fallback))
        payload = await upload.read()
    finally:
        await form.close()
    return _stored(request, upload_path, name, payload, _media_type(name, upload.content_type))


async def _fetch(request: Request, url: str) -> tuple[bytes, str | None]:
    em = emulator_of(request)
    entry = em.files.entry_for_url(url)
    if entry is not None and isinstance(entry.content, BytesContent):
        return entry.content.data, entry.content.media_type
    try:
        async with (
            httpx.AsyncClient(timeout=URL_FETCH_TIMEOUT, follow_redirects=True) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                raise ApiError(400, f"File download failed: HTTP {response.status_code}")
            chunks: list[bytes] = []
            total = 0
            async for chunk in response.aiter_bytes():
                total += len(chunk)
                if total > URL_FETCH_LIMIT:
                    raise ApiError(400, "File download failed: file larger than 100 MB")
                chunks.append(chunk)
            return b"".join(chunks), response.headers.get("content-type")
    except httpx.HTTPError as exc:
        raise ApiError(400, f"File download failed: {exc.__class__.__name__}") from exc


async def upload_url(request: Request) -> Response:
    """``POST /api/file-url-upload``: fetch ``fileUrl`` and store it."""
    data = await _json(request)
    url = _text(data, "fileUrl", required=True) or ""
    upload_path = _upload_path(_text(data, "uploadPath", required=True) or "")
    if not url.startswith(("http://", "https://")):
        raise _invalid("fileUrl must be an http(s) URL")
    payload, declared = await _fetch(request, url)
    fallback = unquote(posixpath.basename(urlsplit(url).path)) or _random_name(request, declared)
    name = _file_name(_text(data, "fileName", required=False), fallback)
    return _stored(request, upload_path, name, payload, _media_type(name, declared))


ROUTES = [
    Route(UPLOAD_BASE64, upload_base64, methods=["POST"]),
    Route(UPLOAD_STREAM, upload_stream, methods=["POST"]),
    Route(UPLOAD_URL, upload_url, methods=["POST"]),
]
"""The upload-host routes."""
