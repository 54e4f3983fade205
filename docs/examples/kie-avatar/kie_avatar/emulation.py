"""Kling AI Avatar as the offline emulator sees it: the ``input`` KIE documents, and its price.

Written from KIE's docs (market.md section 5), not from :mod:`kie_avatar.models`: the emulator
checks the plugin's payloads against it, so a mistake in either shows up in the contract tests.
"""

from __future__ import annotations

from kie_core.plugin import BilledSeconds, EndpointSchema, InputField, Price

#: KIE bills the seconds of the video, which lasts as long as the audio (at most 15 s). The
#: emulator cannot measure the audio, so it bills the longest video.
BILLED = BilledSeconds(fixed=15)

FIELDS = (
    InputField("image_url", "url", required=True),
    InputField("audio_url", "url", required=True),
    # The prompt field is required, but may be empty.
    InputField("prompt", "string", required=True, max_length=5000, allow_empty=True),
)

EMULATIONS: tuple[EndpointSchema, ...] = (
    EndpointSchema(
        "kling/ai-avatar-standard", FIELDS, (Price(8, per_second=True),), seconds=BILLED
    ),
    EndpointSchema("kling/ai-avatar-pro", FIELDS, (Price(16, per_second=True),), seconds=BILLED),
)
"""The two KIE model ids the plugin calls."""
