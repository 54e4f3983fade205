"""Kling AI Avatar as data: which KIE model id serves which variant, and what each costs.

Both KIE models (``kling/ai-avatar-standard`` at 720p, ``kling/ai-avatar-pro`` at 1080p) take
the same ``input``: an avatar image (``image_url``), the speech to lip-sync (``audio_url``) and a
``prompt`` that may be empty. They speak KIE's Market API, so the model is a
:class:`~kie_core.MarketModel`: a spec plus a field map, no code of its own.
"""

from __future__ import annotations

from kie_core.plugin import InputKind, MarketModel, Mode, ModelSpec, PriceRow, Variant

#: Every avatar request needs the face and the audio; a prompt (text) is optional.
REQUIRES = frozenset({InputKind.FIRST_FRAME, InputKind.AUDIO})
ACCEPTS = frozenset({InputKind.TEXT})

#: KIE's limit on the (optional) prompt.
PROMPT_MAX_LENGTH = 5000

#: KIE bills the avatar per second of video, and a video lasts as long as its audio, at most
#: this many seconds.
MAX_SECONDS = 15


def _mode(kie_model: str, resolution: str, credits_per_second: int) -> Mode:
    # No durations: the video is as long as the audio, so KIE takes no duration field. The
    # resolution is fixed by the KIE model id; listing it lets users see (and ask for) it.
    # The price is the ceiling (a per-second row would need a duration to multiply), so a
    # budget check never lets a request through that could cost more than it allows.
    return Mode(
        name="image-and-audio-to-video",
        kie_model=kie_model,
        requires=REQUIRES,
        accepts=ACCEPTS,
        resolutions=(resolution,),
        default_resolution=resolution,
        prices=(
            PriceRow(
                credits=credits_per_second * MAX_SECONDS,
                note=(
                    f"at most: {credits_per_second} credits per second of audio, "
                    f"up to {MAX_SECONDS} s"
                ),
            ),
        ),
    )


AVATAR_SPEC = ModelSpec(
    name="kling-avatar",
    title="Kling AI Avatar",
    aliases=("kling-ai-avatar",),
    description=(
        "A talking-head video from one portrait image and one audio track; the face "
        "lip-syncs to the audio. Standard renders 720p, pro 1080p."
    ),
    variants=(
        Variant(
            name="standard",
            aliases=("kling-avatar-standard",),
            description="kling/ai-avatar-standard: 720p, 8 credits per second.",
            modes=(_mode("kling/ai-avatar-standard", "720p", 8),),
        ),
        Variant(
            name="pro",
            aliases=("kling-avatar-pro",),
            description="kling/ai-avatar-pro: 1080p, 16 credits per second.",
            modes=(_mode("kling/ai-avatar-pro", "1080p", 16),),
        ),
    ),
    prompt_max_length=PROMPT_MAX_LENGTH,
    # KIE requires the prompt *field* but allows it to be empty; MarketModel always sends it.
    prompt_required=False,
)

#: The avatar's ``input`` keys. Image and audio use KIE's names; the resolution is chosen by
#: the model id and never sent.
FIELDS: dict[str, str | None] = {
    "first_frame": "image_url",
    "audio": "audio_url",
    "resolution": None,
}

KLING_AVATAR = MarketModel(AVATAR_SPEC, fields=FIELDS)

#: Every model this plugin registers.
MODELS: tuple[MarketModel, ...] = (KLING_AVATAR,)
