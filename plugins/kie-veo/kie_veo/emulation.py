"""The emulator declarations of Veo 3.1's endpoints (dedicated.md, Veo section).

One route serves the three models (``model``: ``veo3``, ``veo3_fast``, ``veo3_lite``); a
generation at 1080p or 4k costs the 720p price plus the matching upgrade. The prices of the
dedicated endpoints are the project's chosen defaults (KIE publishes none authoritative).
"""

from __future__ import annotations

from kie_core.plugin import EndpointSchema, ForbiddenInput, InputField, ItemCount, Price

TEXT = "TEXT_2_VIDEO"
FRAMES = "FIRST_AND_LAST_FRAMES_2_VIDEO"
REFERENCE = "REFERENCE_2_VIDEO"

GENERATION = {"veo3": 250.0, "veo3_fast": 80.0, "veo3_lite": 30.0}
"""Credits of one 720p generation, by ``model``."""

UPGRADE_1080P = 5.0
"""Credits of a 1080P upgrade (added to a generation asked at 1080p)."""

UPGRADE_4K = 120.0
"""Credits of a 4K upgrade (added to a generation asked at 4k)."""

_SURCHARGE = {"720p": 0.0, "1080p": UPGRADE_1080P, "4k": UPGRADE_4K}
_EXTEND_MODEL = {"fast": "veo3_fast", "quality": "veo3", "lite": "veo3_lite"}
_ASPECTS = ("16:9", "9:16", "Auto")
_SEEDS = InputField("seeds", "integer", minimum=10000, maximum=99999)

GENERATE = EndpointSchema(
    model="veo3.1",
    route="/api/v1/veo/generate",
    protocol="veo",
    fields=(
        InputField("prompt", "string", required=True),
        InputField("imageUrls", "url_list"),
        InputField("model", "string", enum=tuple(GENERATION), default="veo3_fast"),
        InputField("generationType", "string", enum=(TEXT, FRAMES, REFERENCE)),
        InputField("aspect_ratio", "string", enum=_ASPECTS),
        InputField("aspectRatio", "string", enum=_ASPECTS),
        _SEEDS,
        InputField("callBackUrl", "url"),
        InputField("enableFallback", "boolean"),
        InputField("enableTranslation", "boolean"),
        InputField("watermark", "string"),
        InputField("resolution", "string", enum=tuple(_SURCHARGE), default="720p"),
    ),
    rules=(
        ItemCount(
            "imageUrls", 0, 0, f"imageUrls: {TEXT} takes no images", {"generationType": TEXT}
        ),
        ItemCount(
            "imageUrls",
            1,
            2,
            f"imageUrls: {FRAMES} needs 1 or 2 images",
            {"generationType": FRAMES},
        ),
        ItemCount(
            "imageUrls",
            1,
            3,
            f"imageUrls: {REFERENCE} needs 1 to 3 images",
            {"generationType": REFERENCE},
        ),
        ForbiddenInput(
            {"generationType": REFERENCE, "model": "veo3"},
            f"generationType: {REFERENCE} is not supported by model veo3",
        ),
        ForbiddenInput(
            {"generationType": REFERENCE, "aspect_ratio": "Auto"},
            f"aspect_ratio: {REFERENCE} supports only 16:9 and 9:16",
        ),
    ),
    prices=tuple(
        Price(base + extra, when={"model": model, "resolution": resolution})
        for model, base in GENERATION.items()
        for resolution, extra in _SURCHARGE.items()
    ),
)

EXTEND = EndpointSchema(
    model="veo-extend",
    route="/api/v1/veo/extend",
    protocol="veo",
    operation="extend",
    fields=(
        InputField("taskId", "string", required=True),
        InputField("prompt", "string", required=True),
        _SEEDS,
        InputField("model", "string", enum=tuple(_EXTEND_MODEL), default="fast"),
        InputField("watermark", "string"),
        InputField("callBackUrl", "url"),
    ),
    prices=tuple(
        Price(GENERATION[generation], when={"model": model})
        for model, generation in _EXTEND_MODEL.items()
    ),
)

UPGRADE_1080P_CALL = EndpointSchema(
    model="veo-1080p",
    route="/api/v1/veo/get-1080p-video",
    protocol="veo",
    operation="upgrade-1080p",
    fields=(InputField("taskId", "string", required=True), InputField("index", "integer")),
    prices=(Price(UPGRADE_1080P),),
)

UPGRADE_4K_CALL = EndpointSchema(
    model="veo-4k",
    route="/api/v1/veo/get-4k-video",
    protocol="veo",
    operation="upgrade-4k",
    fields=(
        InputField("taskId", "string", required=True),
        InputField("index", "integer", minimum=0),
        InputField("callBackUrl", "url"),
    ),
    prices=(Price(UPGRADE_4K),),
)

EMULATIONS: tuple[EndpointSchema, ...] = (GENERATE, EXTEND, UPGRADE_1080P_CALL, UPGRADE_4K_CALL)
"""Every Veo endpoint the plugin calls, as KIE documents it."""
