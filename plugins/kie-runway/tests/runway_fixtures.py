"""The Runway and Aleph JSON examples of KIE's documentation, verbatim, as test fixtures."""

from __future__ import annotations

from typing import Any

#: record-detail example assembled from the schema fields.
RUNWAY_RECORD: dict[str, Any] = {
    "taskId": "ee603959-debb-48d1-98c4-a6d1c717eba6",
    "parentTaskId": "",
    "generateParam": {
        "prompt": "A fluffy orange cat ...",
        "imageUrl": "https://example.com/image.jpg",
        "expandPrompt": True,
    },
    "state": "success",
    "generateTime": "2023-08-15 14:30:45",
    "videoInfo": {
        "videoId": "485da89c-7fca-4340-8c04-101025b2ae71",
        "taskId": "ee603959-debb-48d1-98c4-a6d1c717eba6",
        "videoUrl": "https://file.com/k/xxxxxxx.mp4",
        "imageUrl": "https://file.com/m/xxxxxxxx.png",
    },
    "failCode": None,
    "failMsg": "",
    "expireFlag": 0,
}

#: record-detail quickstart example: only taskId, state, generateTime, videoInfo, expireFlag.
RUNWAY_RECORD_QUICKSTART: dict[str, Any] = {
    "taskId": "ee603959-debb-48d1-98c4-a6d1c717eba6",
    "state": "success",
    "generateTime": "2023-08-15 14:30:45",
    "videoInfo": {
        "videoId": "485da89c-7fca-4340-8c04-101025b2ae71",
        "taskId": "ee603959-debb-48d1-98c4-a6d1c717eba6",
        "videoUrl": "https://file.com/k/xxxxxxx.mp4",
        "imageUrl": "https://file.com/m/xxxxxxxx.png",
    },
    "expireFlag": 0,
}

#: Runway callback (generate and extend), success.
RUNWAY_CALLBACK: dict[str, Any] = {
    "code": 200,
    "msg": "All generated successfully.",
    "data": {
        "task_id": "ee603959-debb-48d1-98c4-a6d1c717eba6",
        "video_id": "485da89c-7fca-4340-8c04-101025b2ae71",
        "video_url": "https://file.com/k/xxxxxxx.mp4",
        "image_url": "https://file.com/m/xxxxxxxx.png",
    },
}

#: Aleph record-info example.
ALEPH_RECORD: dict[str, Any] = {
    "taskId": "ee603959-debb-48d1-98c4-a6d1c717eba6",
    "paramJson": '{"prompt":"A majestic eagle soaring through mountain clouds at sunset",'
    '"videoUrl":"https://example.com/input-video.mp4"}',
    "response": {
        "taskId": "ee603959-debb-48d1-98c4-a6d1c717eba6",
        "resultVideoUrl": "https://file.com/k/xxxxxxx.mp4",
        "resultImageUrl": "https://file.com/m/xxxxxxxx.png",
    },
    "completeTime": "2023-08-15T14:30:45Z",
    "createTime": "2023-08-15T14:25:00Z",
    "successFlag": 1,
    "errorCode": 0,
    "errorMessage": "",
}

#: Aleph callback as the callback guide page shows it (task id at the top level).
ALEPH_CALLBACK_GUIDE: dict[str, Any] = {
    "code": 200,
    "msg": "success",
    "data": {
        "result_video_url": "https://file.com/k/xxxxxxx.mp4",
        "result_image_url": "https://file.com/m/xxxxxxxx.png",
    },
    "taskId": "ee603959-debb-48d1-98c4-a6d1c717eba6",
}

#: Aleph callback error as the guide page shows it.
ALEPH_CALLBACK_GUIDE_ERROR: dict[str, Any] = {
    "code": 400,
    "msg": "Your prompt was caught by our AI moderator. Please adjust it and try again!",
    "data": None,
    "taskId": "ee603959-debb-48d1-98c4-a6d1c717eba6",
}

#: Aleph callback as the generate page's OpenAPI block declares it (the Runway body).
ALEPH_CALLBACK_OPENAPI: dict[str, Any] = {
    "code": 200,
    "msg": "All generated successfully.",
    "data": {
        "task_id": "ee603959-debb-48d1-98c4-a6d1c717eba6",
        "video_id": "485da89c-7fca-4340-8c04-101025b2ae71",
        "video_url": "https://file.com/k/xxxxxxx.mp4",
        "image_url": "https://file.com/m/xxxxxxxx.png",
    },
}
