"""The emulator declarations of Runway's and Runway Aleph's endpoints (dedicated.md).

The prices of the dedicated endpoints are the project's chosen defaults (KIE publishes none
authoritative).
"""

from __future__ import annotations

from kie_core.plugin import EndpointSchema, ForbiddenInput, InputField, Price, RequiredWithout

_QUALITY = InputField("quality", "string", required=True, enum=("720p", "1080p"))

GENERATE = EndpointSchema(
    model="runway",
    route="/api/v1/runway/generate",
    protocol="runway",
    fields=(
        InputField("prompt", "string", required=True, max_length=1800),
        InputField("imageUrl", "url"),
        InputField("duration", "number", required=True, enum=(5, 10)),
        _QUALITY,
        InputField("aspectRatio", "string", enum=("16:9", "4:3", "1:1", "3:4", "9:16")),
        InputField("waterMark", "string"),
        InputField("callBackUrl", "url"),
    ),
    rules=(
        ForbiddenInput(
            {"duration": 10, "quality": "1080p"},
            "duration: 10-second videos are not available at 1080p quality",
        ),
        RequiredWithout(
            "aspectRatio",
            "imageUrl",
            "aspectRatio: This field is required when imageUrl is not given",
        ),
    ),
    prices=(
        Price(12, when={"quality": "720p", "duration": 5}),
        Price(30, when={"quality": "720p", "duration": 10}),
        Price(30, when={"quality": "1080p", "duration": 5}),
    ),
    # The docs' own example carries a stray "model" field; it is tolerated and ignored.
    ignored=("model",),
)

EXTEND = EndpointSchema(
    model="runway-extend",
    route="/api/v1/runway/extend",
    protocol="runway",
    operation="extend",
    fields=(
        InputField("taskId", "string", required=True),
        InputField("prompt", "string", required=True, max_length=1800),
        _QUALITY,
        InputField("waterMark", "string"),
        InputField("callBackUrl", "url"),
    ),
    prices=(Price(12, when={"quality": "720p"}), Price(30, when={"quality": "1080p"})),
    # The docs' example body also carries imageUrl and expandPrompt; both are tolerated.
    ignored=("imageUrl", "expandPrompt"),
)

ALEPH = EndpointSchema(
    model="runway-aleph",
    route="/api/v1/aleph/generate",
    protocol="aleph",
    fields=(
        InputField("prompt", "string", required=True),
        InputField("videoUrl", "url", required=True),
        InputField("callBackUrl", "url"),
        InputField("waterMark", "string"),
        InputField("uploadCn", "boolean"),
        InputField("aspectRatio", "string", enum=("16:9", "9:16", "4:3", "3:4", "1:1", "21:9")),
        InputField("seed", "integer"),
        InputField("referenceImage", "url"),
    ),
    prices=(Price(30),),
)

EMULATIONS: tuple[EndpointSchema, ...] = (GENERATE, EXTEND, ALEPH)
"""Every Runway and Aleph endpoint the plugin calls, as KIE documents it."""
