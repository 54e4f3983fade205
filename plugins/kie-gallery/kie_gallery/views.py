"""What the pages show of one journal entry: its prompt, settings, cost, state and video."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kie_core.journal import JournalState
from kie_gallery.reproduce import flat_fields, sent_body

if TYPE_CHECKING:
    from kie_core.journal import JournalEntry

#: States whose entry may still change on its own (the pages follow them live).
LIVE_STATES = frozenset(
    {
        JournalState.SUBMITTING,
        JournalState.CREATED,
        JournalState.RUNNING,
        JournalState.SUCCEEDED,
    }
)

#: States ``resume`` can finish: a task id exists and the result is not saved yet.
RESUMABLE_STATES = frozenset({JournalState.CREATED, JournalState.RUNNING, JournalState.SUCCEEDED})


def _first(fields: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        value = fields.get(key)
        if value not in (None, "", []):
            return value
    return None


def credits_text(value: float | None) -> str:
    """Return ``42`` for a known figure and an en dash for an unknown one."""
    return "\N{EN DASH}" if value is None else f"{value:g}"


@dataclass(frozen=True)
class EntryView:
    """One journal entry as the pages show it.

    Attributes:
        entry: the journal entry.
        prompt: the prompt sent (empty when the payload has none).
        duration: the length asked for, as sent (``5``), or None.
        aspect_ratio: the aspect ratio asked for, as sent, or None.
        resolution: the resolution asked for, as sent, or None.
        actual_credits: what KIE charged, when the journal knows it.
        has_video: whether the saved result file exists on disk.
    """

    entry: JournalEntry
    prompt: str
    duration: str | None
    aspect_ratio: str | None
    resolution: str | None
    actual_credits: float | None
    has_video: bool

    @classmethod
    def of(cls, entry: JournalEntry) -> EntryView:
        """Read the view of an entry from its payload and its file on disk."""
        fields = flat_fields(sent_body(entry.payload))
        duration = _first(fields, "duration", "n_frames")
        ratio = _first(fields, "aspect_ratio", "aspectRatio")
        resolution = _first(fields, "resolution", "quality")
        return cls(
            entry=entry,
            prompt=str(fields.get("prompt") or ""),
            duration=None if duration is None else str(duration),
            aspect_ratio=None if ratio is None else str(ratio),
            resolution=None if resolution is None else str(resolution),
            actual_credits=entry.actual_credits,
            has_video=bool(entry.output_path) and Path(entry.output_path or "").is_file(),
        )

    @property
    def live(self) -> bool:
        """Whether the entry may still change without anyone asking (followed live)."""
        return self.entry.state in LIVE_STATES

    @property
    def resumable(self) -> bool:
        """Whether ``resume`` can wait for the task and save its result."""
        return self.entry.state in RESUMABLE_STATES and self.entry.task_id is not None

    @property
    def downloadable(self) -> bool:
        """Whether the result can be downloaded (again) from KIE."""
        return self.entry.task_id is not None and self.entry.state in (
            JournalState.SUCCEEDED,
            JournalState.DOWNLOADED,
        )

    @property
    def estimated(self) -> str:
        """The estimate as text."""
        return credits_text(self.entry.estimated_credits)

    @property
    def actual(self) -> str:
        """The charge as text."""
        return credits_text(self.actual_credits)

    @property
    def local_time(self) -> str:
        """When the entry was written, in this machine's time zone."""
        return self.entry.created_at.astimezone().strftime("%Y-%m-%d %H:%M")

    @property
    def payload_json(self) -> str:
        """The payload sent, pretty-printed."""
        return json.dumps(self.entry.payload, indent=2, sort_keys=True, ensure_ascii=False)

    @property
    def parameters(self) -> list[tuple[str, str]]:
        """Every generation field of the payload, as text, in payload order."""
        fields = flat_fields(sent_body(self.entry.payload))
        return [
            (key, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
            for key, value in fields.items()
        ]
