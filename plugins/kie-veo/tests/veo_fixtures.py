"""The Veo JSON examples of KIE's documentation, verbatim, as test fixtures."""

from __future__ import annotations

from typing import Any

#: record-info, docs example (string times, originUrls and fullResultUrls present).
RECORD_DOCS: dict[str, Any] = {
    "taskId": "veo_task_abcdef123456",
    "paramJson": '{"prompt":"A futuristic city with flying cars at sunset.","waterMark":"KieAI"}',
    "completeTime": "2025-06-06 10:30:00",
    "response": {
        "taskId": "veo_task_abcdef123456",
        "resultUrls": ["http://example.com/video1.mp4"],
        "originUrls": ["http://example.com/original_video1.mp4"],
        "fullResultUrls": ["http://example.com/full_result.mp4"],
        "resolution": "1080p",
    },
    "successFlag": 1,
    "errorCode": None,
    "errorMessage": "",
    "createTime": "2025-06-06 10:25:00",
    "fallbackFlag": False,
}

#: record-info observed live (veo3_fast TEXT_2_VIDEO): epoch-ms times, null origin/full URLs.
RECORD_LIVE: dict[str, Any] = {
    "taskId": "4c9a31a5bb61db65d10f1210d78cc08a",
    "paramJson": '{"aspectRatio":"16:9","enableFallback":false}',
    "response": {
        "taskId": "4c9a31a5bb61db65d10f1210d78cc08a",
        "resolution": "720p",
        "originUrls": None,
        "resultUrls": ["https://tempfile.aiquickdraw.com/v/4c9a31a5_1776728275.mp4"],
        "fullResultUrls": None,
        "hasAudioList": [True],
        "seeds": [61668],
    },
    "successFlag": 1,
    "fallbackFlag": False,
    "completeTime": 1776728275000,
    "createTime": 1776728214000,
    "errorCode": None,
    "errorMessage": None,
}

#: Generation / extension callback, success.
CALLBACK_SUCCESS: dict[str, Any] = {
    "code": 200,
    "msg": "Veo3.1 video generated successfully.",
    "data": {
        "taskId": "veo_task_abcdef123456",
        "info": {
            "resultUrls": ["http://example.com/video1.mp4"],
            "originUrls": ["http://example.com/original_video1.mp4"],
            "resolution": "1080p",
        },
        "promptJson": {
            "aspectRatio": "16:9",
            "callBackUrl": "https://webhook.site/...",
            "enableFallback": False,
            "enableTranslation": True,
            "model": "veo3_fast",
            "prompt": "...",
        },
        "fallbackFlag": False,
    },
}

#: Generation callback, flagged prompt.
CALLBACK_400: dict[str, Any] = {
    "code": 400,
    "msg": "Your prompt was flagged by Website as violating content policies.",
    "data": {"taskId": "veo_task_abcdef123456", "fallbackFlag": False},
}

#: Generation callback, rejected upstream.
CALLBACK_422: dict[str, Any] = {
    "code": 422,
    "msg": "Your request was rejected by Flow(Your prompt was flagged by Website as violating "
    "content policies). You may consider using our other fallback channels, which are likely to "
    "succeed. Please refer to the documentation.",
    "data": {"taskId": "veo_task_abcdef123456", "fallbackFlag": False},
}

#: 4K callback as the page text shows it.
CALLBACK_4K_SUCCESS: dict[str, Any] = {
    "code": 200,
    "msg": "4K Video generated successfully.",
    "data": {
        "taskId": "veo_task_example123",
        "info": {
            "resultUrls": ["https://file.aiquickdraw.com/v/example_task_1234567890.mp4"],
            "imageUrls": ["https://file.aiquickdraw.com/v/example_task_1234567890.jpg"],
        },
    },
}

#: 4K callback failure.
CALLBACK_4K_FAILURE: dict[str, Any] = {
    "code": 500,
    "msg": "The 4K version of this video is unavailable. Please try a different video.",
    "data": {"taskId": "veo_task_abcdef123456"},
}

#: 4K callback as the OpenAPI block of the same page declares it (snake_case).
CALLBACK_4K_OPENAPI: dict[str, Any] = {
    "code": 200,
    "msg": "4K Video generated successfully.",
    "data": {
        "task_id": "veo_task_example123",
        "result_urls": ["https://file.aiquickdraw.com/v/example_task_1234567890.mp4"],
        "media_ids": ["media_1"],
        "image_urls": ["https://file.aiquickdraw.com/v/example_task_1234567890.jpg"],
    },
}

#: get-4k-video answers: accepted, repeated while processing, repeated once generated.
ANSWER_4K_ACCEPTED: dict[str, Any] = {
    "code": 200,
    "msg": "success",
    "data": {"taskId": "veo_task_abcdef123456", "resultUrls": None, "imageUrls": None},
}
ANSWER_4K_PROCESSING: dict[str, Any] = {
    "code": 422,
    "msg": "4k is processing. It should be ready in 5-10 minutes. Please check back shortly.",
    "data": {"taskId": "veo_task_example123", "resultUrls": None, "imageUrls": None},
}
ANSWER_4K_GENERATED: dict[str, Any] = {
    "code": 422,
    "msg": "The video has been generated successfully",
    "data": {
        "taskId": "veo_task_example123",
        "resultUrls": ["https://tempfile.aiquickdraw.com/v/example_task_1234567890.mp4"],
        "imageUrls": ["https://tempfile.aiquickdraw.com/v/example_task_1234567890.jpg"],
    },
}

#: get-1080p-video answer data.
ANSWER_1080P_DATA: dict[str, Any] = {
    "resultUrl": "https://tempfile.aiquickdraw.com/p/42f4f8facbb040c0ade87c27cb2d5e58_1749711595.mp4"
}
