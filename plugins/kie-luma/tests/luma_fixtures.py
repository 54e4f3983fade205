"""The Luma Modify JSON examples of KIE's documentation, verbatim, as test fixtures."""

from __future__ import annotations

from typing import Any

TASK = "774d9a7dd608a0e49293903095e45a4c"

#: record-info example.
RECORD: dict[str, Any] = {
    "taskId": TASK,
    "paramJson": '{"callBackUrl":"https://example.com/callback","prompt":"A futuristic cityscape",'
    '"videoUrl":"https://example.com/video.mp4","waterMark":""}',
    "completeTime": 1755078480000,
    "response": {
        "taskId": TASK,
        "originUrls": [
            "https://tempfile.aiquickdraw.com/kieai/file/veo3-video/1755074605154fqb0m8ge.mp4"
        ],
        "resultUrls": [
            "https://tempfile.aiquickdraw.com/l/f782018c-6be4-4990-96ba-7231cd5a39e7.mp4"
        ],
    },
    "successFlag": 1,
    "createTime": 1755078171000,
    "errorCode": None,
    "errorMessage": None,
}

#: Success callback.
CALLBACK_SUCCESS: dict[str, Any] = {
    "code": 200,
    "msg": "Modify record generated successfully.",
    "data": {
        "taskId": TASK,
        "promptJson": '{"callBackUrl":"...","prompt":"...","videoUrl":"...","waterMark":""}',
        "resultUrls": [
            "https://tempfile.aiquickdraw.com/l/f782018c-6be4-4990-96ba-7231cd5a39e7.mp4"
        ],
    },
}

#: Failure callback (the docs abbreviate promptJson as "{...}").
CALLBACK_FAILURE: dict[str, Any] = {
    "code": 500,
    "msg": "Modify record generation failed.",
    "data": {"taskId": TASK, "promptJson": "{...}"},
}
