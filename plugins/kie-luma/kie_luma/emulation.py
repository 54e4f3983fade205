"""The emulator declaration of Luma Modify's endpoint (dedicated.md, Luma section).

Its price is the project's chosen default (KIE publishes none authoritative).
"""

from __future__ import annotations

from kie_core.plugin import EndpointSchema, InputField, Price

MODIFY = EndpointSchema(
    model="luma-modify",
    route="/api/v1/modify/generate",
    protocol="luma",
    fields=(
        InputField("prompt", "string", required=True),
        InputField("videoUrl", "url", required=True),
        InputField("callBackUrl", "url"),
        InputField("watermark", "string"),
    ),
    prices=(Price(60),),
)

EMULATIONS: tuple[EndpointSchema, ...] = (MODIFY,)
"""Every Luma endpoint the plugin calls, as KIE documents it."""
