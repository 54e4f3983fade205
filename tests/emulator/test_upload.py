"""The upload host: base64, stream and URL uploads, their errors, and serving the bytes back."""

from __future__ import annotations

import base64
import re

import httpx
import pytest
from kie_emulator.pytest_plugin import EmulatorHandle

from .conftest import STATIC_BYTES, Receiver

B64 = "/api/file-base64-upload"
STREAM = "/api/file-stream-upload"
URL = "/api/file-url-upload"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def uploaded(response: httpx.Response) -> dict[str, object]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    assert body["code"] == 200
    assert body["msg"] == "File uploaded successfully"
    data = body["data"]
    assert set(data) == {
        "fileName",
        "filePath",
        "downloadUrl",
        "fileSize",
        "mimeType",
        "uploadedAt",
    }
    assert ISO_MS.match(data["uploadedAt"])
    assert isinstance(data, dict)
    return data


def failed(response: httpx.Response, code: int, needle: str) -> None:
    body = response.json()
    assert body["success"] is False
    assert body["code"] == code
    assert needle in body["msg"], body


def test_base64_upload_round_trip(
    kie_emulator: EmulatorHandle, client: httpx.Client, http: httpx.Client
) -> None:
    body = {
        "base64Data": "data:image/png;base64," + base64.b64encode(PNG).decode(),
        "uploadPath": "images/user-uploads",
        "fileName": "frame.png",
    }
    data = uploaded(client.post(B64, json=body))
    assert data["fileName"] == "frame.png"
    assert data["filePath"] == "images/user-uploads/frame.png"
    assert data["fileSize"] == len(PNG)
    assert data["mimeType"] == "image/png"
    url = str(data["downloadUrl"])
    assert url.startswith(kie_emulator.base_url + "/files/")
    assert url.endswith("/images/user-uploads/frame.png")
    served = http.get(url)
    assert served.content == PNG
    assert served.headers["content-type"] == "image/png"


def test_raw_base64_without_name_gets_a_generated_name(client: httpx.Client) -> None:
    body = {"base64Data": base64.b64encode(b"abc").decode(), "uploadPath": "x"}
    data = uploaded(client.post(B64, json=body))
    assert data["fileSize"] == 3
    assert str(data["filePath"]).startswith("x/")


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"uploadPath": "x"}, "Missing required parameter: base64Data"),
        ({"base64Data": "YWJj"}, "Missing required parameter: uploadPath"),
        ({"base64Data": "not base64!", "uploadPath": "x"}, "Base64 decoding failed"),
        ({"base64Data": "YWJj", "uploadPath": "/x/"}, "uploadPath"),
        ({"base64Data": "YWJj", "uploadPath": "x", "fileName": "a/b.png"}, "fileName"),
    ],
)
def test_base64_errors(client: httpx.Client, body: dict[str, str], needle: str) -> None:
    failed(client.post(B64, json=body), 400, needle)


def test_stream_upload_round_trip(client: httpx.Client, http: httpx.Client) -> None:
    response = client.post(
        STREAM,
        files={"file": ("clip.mp4", b"\x00\x00\x00\x18ftypmp42", "video/mp4")},
        data={"uploadPath": "videos"},
    )
    data = uploaded(response)
    assert data["fileName"] == "clip.mp4"
    assert data["mimeType"] == "video/mp4"
    assert http.get(str(data["downloadUrl"])).content == b"\x00\x00\x00\x18ftypmp42"


def test_stream_upload_errors(client: httpx.Client) -> None:
    failed(client.post(STREAM, data={"uploadPath": "x"}), 400, "file")
    no_path = client.post(STREAM, files={"file": ("a.png", PNG, "image/png")})
    failed(no_path, 400, "uploadPath")


def test_url_upload_fetches_the_file(
    client: httpx.Client, receiver: Receiver, http: httpx.Client
) -> None:
    body = {"fileUrl": f"{receiver.base_url}/static/hello.txt", "uploadPath": "docs"}
    data = uploaded(client.post(URL, json=body))
    assert data["fileName"] == "hello.txt"
    assert data["fileSize"] == len(STATIC_BYTES)
    assert http.get(str(data["downloadUrl"])).content == STATIC_BYTES


def test_url_upload_of_an_emulator_link_and_errors(
    client: httpx.Client, receiver: Receiver, http: httpx.Client
) -> None:
    first = uploaded(
        client.post(B64, json={"base64Data": "YWJj", "uploadPath": "a", "fileName": "a.txt"})
    )
    copy = uploaded(
        client.post(
            URL, json={"fileUrl": first["downloadUrl"], "uploadPath": "b", "fileName": "c.txt"}
        )
    )
    assert http.get(str(copy["downloadUrl"])).content == b"abc"
    failed(client.post(URL, json={"uploadPath": "x"}), 400, "fileUrl")
    failed(client.post(URL, json={"fileUrl": "ftp://x/y", "uploadPath": "x"}), 400, "fileUrl")
    missing = {"fileUrl": f"{receiver.base_url}/static/nope.txt", "uploadPath": "x"}
    failed(client.post(URL, json=missing), 400, "404")


def test_uploaded_link_can_be_refreshed_through_download_url(
    client: httpx.Client, http: httpx.Client
) -> None:
    data = uploaded(client.post(B64, json={"base64Data": "YWJj", "uploadPath": "a"}))
    fresh = client.post("/api/v1/common/download-url", json={"url": data["downloadUrl"]}).json()
    assert fresh["code"] == 200
    assert http.get(fresh["data"]).content == b"abc"
