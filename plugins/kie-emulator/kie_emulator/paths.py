"""Every route path the emulator serves, and which of them count as creates or queries."""

from __future__ import annotations

MARKET_CREATE = "/api/v1/jobs/createTask"
MARKET_RECORD = "/api/v1/jobs/recordInfo"
VEO_GENERATE = "/api/v1/veo/generate"
VEO_RECORD = "/api/v1/veo/record-info"
VEO_1080P = "/api/v1/veo/get-1080p-video"
VEO_4K = "/api/v1/veo/get-4k-video"
VEO_EXTEND = "/api/v1/veo/extend"
RUNWAY_GENERATE = "/api/v1/runway/generate"
RUNWAY_RECORD = "/api/v1/runway/record-detail"
RUNWAY_EXTEND = "/api/v1/runway/extend"
ALEPH_GENERATE = "/api/v1/aleph/generate"
ALEPH_RECORD = "/api/v1/aleph/record-info"
LUMA_GENERATE = "/api/v1/modify/generate"
LUMA_RECORD = "/api/v1/modify/record-info"
CREDIT = "/api/v1/chat/credit"
DOWNLOAD_URL = "/api/v1/common/download-url"
UPLOAD_BASE64 = "/api/file-base64-upload"
UPLOAD_STREAM = "/api/file-stream-upload"
UPLOAD_URL = "/api/file-url-upload"

CREATE_PATHS: frozenset[str] = frozenset(
    {
        MARKET_CREATE,
        VEO_GENERATE,
        VEO_EXTEND,
        VEO_4K,
        RUNWAY_GENERATE,
        RUNWAY_EXTEND,
        ALEPH_GENERATE,
        LUMA_GENERATE,
    }
)
"""Routes that create (and charge for) a task: limited to 20 per 10 s per key by default."""

QUERY_PATHS: frozenset[str] = frozenset(
    {MARKET_RECORD, VEO_RECORD, VEO_1080P, RUNWAY_RECORD, ALEPH_RECORD, LUMA_RECORD}
)
"""Status-query routes: limited to 10 per second per key by default."""

API_PREFIX = "/api/"
"""Prefix of every authenticated route."""

CONTROL_PREFIX = "/_emulator"
"""Prefix of the unauthenticated control routes, which faults never touch."""
