"""The protocol routes the emulator serves, and which of them count as queries.

Create routes of dedicated endpoints come from the plugins' declarations
(:attr:`kie_emulator.catalog.Catalog.create_paths`).
"""

from __future__ import annotations

from kie_core import emulation

MARKET_CREATE = emulation.MARKET_CREATE
MARKET_RECORD = "/api/v1/jobs/recordInfo"
VEO_RECORD = "/api/v1/veo/record-info"
VEO_1080P = "/api/v1/veo/get-1080p-video"
RUNWAY_RECORD = "/api/v1/runway/record-detail"
ALEPH_RECORD = "/api/v1/aleph/record-info"
LUMA_RECORD = "/api/v1/modify/record-info"
CREDIT = "/api/v1/chat/credit"
DOWNLOAD_URL = "/api/v1/common/download-url"
UPLOAD_BASE64 = "/api/file-base64-upload"
UPLOAD_STREAM = "/api/file-stream-upload"
UPLOAD_URL = "/api/file-url-upload"

QUERY_PATHS: frozenset[str] = frozenset(
    {MARKET_RECORD, VEO_RECORD, VEO_1080P, RUNWAY_RECORD, ALEPH_RECORD, LUMA_RECORD}
)
"""Status-query routes: limited to 10 per second per key by default."""

API_PREFIX = "/api/"
"""Prefix of every authenticated route."""

CONTROL_PREFIX = "/_emulator"
"""Prefix of the unauthenticated control routes, which faults never touch."""
