"""What each tool does, on kie's async client and journal; the MCP layer only wraps it.

Every method takes the tool's arguments (a mapping, checked here) and returns a JSON-ready
dict, or raises a :class:`~kie_mcp.errors.ToolRefusal` or a :class:`~kie_core.errors.KieError`
that :func:`kie_mcp.errors.describe` turns into a structured error.
"""

from __future__ import annotations

import math
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio

from kie_core.client import AsyncClient, PreparedRequest
from kie_core.errors import (
    AuthenticationError,
    ConfigurationError,
    InsufficientCreditsError,
    KieError,
    UnknownModelError,
)
from kie_core.journal import Journal, JournalEntry, JournalState
from kie_core.polling import PollPhase, PollSchedule
from kie_core.registry import Registry, default_registry
from kie_core.request import INPUT_FIELDS, InputKind, VideoRequest, is_remote
from kie_mcp import args, budget
from kie_mcp.config import McpConfig, inside
from kie_mcp.errors import ToolRefusal, describe
from kie_mcp.spend import spend

#: Reports wait progress: (progress so far, total, message).
Progress = Callable[[float, float | None, str], Awaitable[None]]

#: Journal states after which a task will not change any more.
FINISHED = frozenset(
    {
        JournalState.SUCCEEDED,
        JournalState.DOWNLOADED,
        JournalState.FAILED,
        JournalState.REJECTED,
        JournalState.AMBIGUOUS,
    }
)

#: The longest the status reads of a ``tasks`` call without a wait may take.
READ_BOUND = 15.0

#: Errors after which no further request of a generate call is sent.
_STOP = (AuthenticationError, InsufficientCreditsError, ConfigurationError)

_MEDIA = ("first_frame", "last_frame", "video", "audio")


@dataclass
class _Slot:
    """One task a ``tasks`` call reports: its id as given, its journal entry, its last read."""

    label: str | int
    entry: JournalEntry | None
    state: str | None = None
    progress: int | None = None
    charged: float | None = None
    error: dict[str, Any] | None = None


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value is not None}


class KieService:
    """The tools' logic over one :class:`AsyncClient` and one :class:`Journal`.

    Args:
        config: the operator's configuration.
        registry: the models (default: the installed plugins).
    """

    def __init__(self, config: McpConfig, *, registry: Registry | None = None) -> None:
        self.config = config
        self.registry = registry or default_registry()
        self.journal = Journal(config.journal)
        step = config.poll_seconds
        self.client = AsyncClient(
            config.api_key,
            base_url=config.base_url,
            upload_base_url=config.upload_base_url,
            registry=self.registry,
            journal=self.journal,
            poll=PollSchedule(phases=(PollPhase(math.inf, step, step),)),
        )
        self._secret = config.api_key or os.environ.get("KIE_API_KEY") or None
        self._allowed = self._allowed_names()
        #: The longest the status reads of a ``tasks`` call without a wait may take.
        self.read_bound = READ_BOUND

    async def aclose(self) -> None:
        """Close the HTTP connections and the journal."""
        await self.client.close()
        self.journal.close()

    def redact(self, text: str) -> str:
        """Remove the API key from a text."""
        if self._secret and len(self._secret) >= 4:
            text = text.replace(self._secret, "***")
        return text

    # --- configuration -------------------------------------------------------------------

    def _allowed_names(self) -> frozenset[str]:
        if not self.config.allowed_models:
            return frozenset(spec.name for spec in self.registry.specs())
        return frozenset(self.registry.get(name).spec.name for name in self.config.allowed_models)

    def _check_allowed(self, request: VideoRequest, index: int) -> None:
        try:
            spec = self.registry.get(request.model).spec
        except UnknownModelError:
            spec = None
        if spec is None or spec.name not in self._allowed:
            raise ToolRefusal(
                "invalid_input",
                f"model {request.model!r} is not "
                + ("installed" if spec is None else "allowed on this server"),
                "Use one of the accepted models (the models tool lists them).",
                field="model",
                value=request.model,
                accepted=sorted(self._allowed),
                index=index,
            )

    def _output_dir(self) -> Path:
        folder = self.config.output_dir.expanduser().resolve()
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def caps(self) -> dict[str, Any]:
        """Return the caps and what today (UTC) has already committed."""
        return budget.caps_view(self.config, self.journal)

    # --- requests ------------------------------------------------------------------------

    def _local_inputs(self, request: VideoRequest, index: int) -> VideoRequest:
        """Make local input paths absolute and refuse any outside the allowed folders.

        Relative paths are in the output folder.
        """
        roots = (self._output_dir(), *self.config.input_dirs)
        update: dict[str, Any] = {}

        def place(name: str, location: str) -> str:
            if is_remote(location):
                return location
            path = Path(location).expanduser()
            if not path.is_absolute():
                path = roots[0] / path
            if not any(inside(path, root) for root in roots):
                raise ToolRefusal(
                    "invalid_input",
                    f"{name} {location!r} is outside the folders this server may read",
                    "Use an http(s) URL, or a file inside one of the accepted folders.",
                    field=name,
                    value=location,
                    accepted=[str(root) for root in roots],
                    index=index,
                )
            return str(path)

        for name in _MEDIA:
            value = getattr(request, name)
            if value:
                update[name] = place(name, value)
        if request.reference_images:
            update["reference_images"] = tuple(
                place("reference_images", item) for item in request.reference_images
            )
        return request.model_copy(update=update) if update else request

    def _prepare(self, raw: Mapping[str, Any], index: int) -> tuple[VideoRequest, PreparedRequest]:
        request = args.video_request(raw, index)
        try:
            self._check_allowed(request, index)
            request = self._local_inputs(request, index)
            return request, self.client.prepare(request)
        except KieError as error:
            raise _Indexed(error, index) from error

    def _existing(self, prepared: PreparedRequest) -> tuple[str, JournalEntry | None]:
        """Return the request's journal identity and an identical entry still alive, if any.

        This is the client's own rule (the fingerprint of the create call, local files by
        content), so what is reported here is what :meth:`AsyncClient.submit` will do.
        """
        identity = self.client.identity(prepared)
        return identity, self.journal.find_active(identity, self.client.base_url)

    @staticmethod
    def _describe_prepared(prepared: PreparedRequest) -> dict[str, Any]:
        resolved = prepared.resolved
        return _drop_none(
            {
                "model": resolved.spec.name,
                "mode": resolved.mode.name,
                "duration": resolved.request.duration,
                "aspect_ratio": resolved.request.aspect_ratio,
                "resolution": resolved.request.resolution,
                "estimated_credits": prepared.estimated_credits,
                "warnings": list(prepared.warnings) or None,
            }
        )

    # --- tools ---------------------------------------------------------------------------

    async def models(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """List the allowed models (the ``models`` tool)."""
        from kie_core.cli.models_cmd import describe_prices

        args.only(arguments, ("name",))
        needle = (args.text(arguments, "name") or "").lower()
        listed = []
        for spec in self.registry.specs():
            if spec.name not in self._allowed:
                continue
            if needle and not any(needle in name.lower() for name in spec.all_names()):
                continue
            options = spec.options_model or spec.default_variant.options_model
            listed.append(
                _drop_none(
                    {
                        "name": spec.name,
                        "title": spec.title,
                        "aliases": list(spec.all_names()[1:]) or None,
                        "durations": list(spec.durations) or None,
                        "aspect_ratios": list(spec.aspect_ratios) or None,
                        "resolutions": list(spec.resolutions) or None,
                        "inputs": [INPUT_FIELDS[InputKind(kind)] for kind in spec.inputs],
                        "options": list(options.model_fields) if options else None,
                        "credits": describe_prices(spec),
                        "deprecated": spec.deprecated.isoformat() if spec.deprecated else None,
                    }
                )
            )
        return {"models": listed}

    async def estimate(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """Check and price requests; nothing is sent (the ``estimate`` tool)."""
        args.only(arguments, ("requests",))
        items: list[dict[str, Any]] = []
        total = 0.0
        unpriced = False
        seen: set[str] = set()
        for index, raw in enumerate(args.requests(arguments)):
            try:
                _, prepared = self._prepare(raw, index)
                identity, existing = self._existing(prepared)
            except (ToolRefusal, _Indexed) as error:
                items.append({"index": index, "ok": False, "error": self.describe_error(error)})
                continue
            item = {"index": index, "ok": True, **self._describe_prepared(prepared)}
            if existing is not None or identity in seen:
                item["follows"] = existing.id if existing is not None else "an earlier request"
            elif prepared.estimated_credits is None:
                unpriced = True
            else:
                total += prepared.estimated_credits
            seen.add(identity)
            items.append(item)
        result: dict[str, Any] = {
            "items": items,
            "new_credits": round(total, 2),
            "caps": self.caps(),
        }
        if unpriced:
            result["note"] = "some models publish no price: their credits are unknown"
        return result

    def _plan(self, raw_requests: list[Mapping[str, Any]]) -> list[budget.Planned]:
        planned: list[budget.Planned] = []
        seen: set[str] = set()
        for index, raw in enumerate(raw_requests):
            request, prepared = self._prepare(raw, index)
            identity, existing = self._existing(prepared)
            planned.append(
                budget.Planned(
                    index, request, prepared, identity, existing, repeat=identity in seen
                )
            )
            seen.add(identity)
        return planned

    async def generate(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """Check every request and the caps, then create the tasks (the ``generate`` tool)."""
        args.only(arguments, ("requests",))
        planned = self._plan(args.requests(arguments))
        total = budget.check_caps(planned, self.config, self.journal)
        if total > 0:
            budget.check_balance(total, await self.client.credits())
        items: list[dict[str, Any]] = []
        stopped: dict[str, Any] | None = None
        for item in planned:
            if stopped is not None:
                items.append({"index": item.index, "sent": False, "error": stopped})
                continue
            # Another agent on the journal may have started it since the check above.
            known = self.journal.find_active(item.identity, self.client.base_url)
            followed = item.repeat or (known is not None and known.task_id is not None)
            try:
                handle = await self.client.submit(item.prepared)
            except KieError as error:
                described = self.describe_error(error, index=item.index)
                items.append({"index": item.index, "error": described})
                if isinstance(error, _STOP):
                    stopped = {**described, "message": "not sent: " + described["message"]}
                continue
            entry = self.journal.get(handle.task_id)
            items.append(
                _drop_none(
                    {
                        "index": item.index,
                        "entry_id": entry.id if entry is not None else None,
                        "task_id": handle.task_id,
                        "model": handle.model,
                        "estimated_credits": item.prepared.estimated_credits,
                        "followed": followed,
                        "state": entry.state.value if entry is not None else None,
                    }
                )
            )
        return {"items": items, "new_credits": total, "caps": self.caps()}

    # --- following tasks -----------------------------------------------------------------

    def _entries_for(self, wanted: list[str | int]) -> list[tuple[str | int, JournalEntry | None]]:
        found: list[tuple[str | int, JournalEntry | None]] = []
        for item in wanted:
            if isinstance(item, int):
                found.append((item, self.journal.get_entry(item)))
            else:
                found.append((item, self.journal.get(item)))
        return found

    @staticmethod
    def _task_id(label: str | int, entry: JournalEntry | None) -> str | None:
        if entry is not None:
            return entry.task_id
        return label if isinstance(label, str) else None

    async def _read(self, slot: _Slot) -> None:
        """Read one task's status once (the client records it in the journal)."""
        task_id = self._task_id(slot.label, slot.entry)
        if task_id is None:
            return
        try:
            status = await self.client.status(task_id)
        except KieError as error:
            slot.error = self.describe_error(error)
            return
        slot.error = None
        slot.entry = self.journal.get(task_id)
        slot.state = status.state.value
        slot.progress = status.progress
        slot.charged = status.credits

    def _unknown(self, label: str | int) -> dict[str, Any]:
        return args.bad("ids", label, f"no journal entry or task {label!r}").to_dict()

    def _slot_view(self, slot: _Slot) -> dict[str, Any]:
        entry = slot.entry
        if entry is None and self._task_id(slot.label, None) is None:
            return {"id": slot.label, "error": self._unknown(slot.label)}
        data: dict[str, Any] = {"id": slot.label}
        if entry is not None:
            data.update(
                _drop_none(
                    {
                        "entry_id": entry.id,
                        "task_id": entry.task_id,
                        "model": entry.model,
                        "state": entry.state.value,
                        "estimated_credits": entry.estimated_credits,
                        "file": entry.output_path,
                        "error": self.redact(entry.error) if entry.error else None,
                        "created_at": entry.created_at.isoformat(timespec="seconds"),
                    }
                )
            )
        elif slot.state is not None:
            data["state"] = slot.state
        if slot.progress is not None and data.get("state") not in ("succeeded", "downloaded"):
            data["progress"] = slot.progress
        if slot.charged is not None:
            data["charged"] = slot.charged
        if slot.error is not None:
            data["status_error"] = slot.error
        return data

    def _finished(self, slot: _Slot) -> bool:
        if slot.entry is not None:
            return slot.entry.state in FINISHED or slot.entry.task_id is None
        if self._task_id(slot.label, None) is None:
            return True
        return slot.error is not None or slot.state in ("succeeded", "failed")

    async def tasks(
        self, arguments: Mapping[str, Any], progress: Progress | None = None
    ) -> dict[str, Any]:
        """Read task states, optionally waiting a bounded time (the ``tasks`` tool)."""
        args.only(arguments, ("ids", "wait_seconds", "limit"))
        wanted = args.ids(arguments, required=False)
        wait = min(args.number(arguments, "wait_seconds", 0, 45), self.config.max_wait_seconds)
        limit = args.integer(arguments, "limit", 1, 50, 10)
        if wanted:
            slots = [_Slot(label, entry) for label, entry in self._entries_for(wanted)]
        else:
            slots = [_Slot(e.id, e) for e in self.journal.entries(limit=limit)]

        async def read_open() -> None:
            for slot in slots:
                if not self._finished(slot):
                    await self._read(slot)

        def open_count() -> int:
            return sum(not self._finished(slot) for slot in slots)

        clock = anyio.current_time
        started = clock()
        waited = False
        # Status reads retry on their own; the whole call, reads included, stays bounded.
        with anyio.move_on_after(max(wait, min(self.read_bound, self.config.max_wait_seconds))):
            await read_open()
            while open_count() and clock() - started < wait:
                waited = True
                if progress is not None:
                    done = len(slots) - open_count()
                    message = f"{done} of {len(slots)} finished"
                    await progress(round(clock() - started, 3), wait, message)
                await anyio.sleep(min(self.config.poll_seconds, wait - (clock() - started)))
                await read_open()
        result: dict[str, Any] = {
            "tasks": [self._slot_view(slot) for slot in slots],
            "still_running": open_count(),
        }
        if waited:
            result["waited_seconds"] = round(clock() - started, 1)
        if result["still_running"]:
            result["next_step"] = "Call tasks again with wait_seconds to keep waiting."
        return result

    async def collect(self, arguments: Mapping[str, Any]) -> tuple[dict[str, Any], list[Path]]:
        """Download results into the output folder (the ``collect`` tool)."""
        args.only(arguments, ("ids", "folder", "resources"))
        wanted = args.ids(arguments, required=True)
        args.flag(arguments, "resources")
        root = self._output_dir()
        folder = args.text(arguments, "folder")
        target = root
        if folder is not None:
            target = Path(folder).expanduser()
            target = target if target.is_absolute() else root / target
            if not inside(target, root):
                raise ToolRefusal(
                    "invalid_input",
                    f"folder {folder!r} is outside this server's output folder",
                    "Pass a sub-folder of the output folder (a relative path), or no folder.",
                    field="folder",
                    value=folder,
                    accepted=[str(root)],
                )
        items: list[dict[str, Any]] = []
        files: list[Path] = []
        for label, entry in self._entries_for(wanted):
            task_id = self._task_id(label, entry)
            if task_id is None:
                items.append({"id": label, "error": self._unknown(label)})
                continue
            kept = self._already_downloaded(entry, root)
            if kept is not None:
                items.append({"id": label, "task_id": task_id, "files": [str(kept)]})
                files.append(kept)
                continue
            target.mkdir(parents=True, exist_ok=True)
            try:
                paths = await self.client.download_all(task_id, target)
            except KieError as error:
                items.append({"id": label, "task_id": task_id, "error": self.describe_error(error)})
                continue
            items.append({"id": label, "task_id": task_id, "files": [str(p) for p in paths]})
            files.extend(paths)
        return {"items": items, "folder": str(target)}, files

    @staticmethod
    def _already_downloaded(entry: JournalEntry | None, root: Path) -> Path | None:
        if entry is None or entry.state is not JournalState.DOWNLOADED or not entry.output_path:
            return None
        path = Path(entry.output_path)
        return path if path.is_file() and inside(path, root) else None

    async def credits(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """Return the balance and the caps (the ``credits`` tool)."""
        args.only(arguments, ())
        return {"credits": await self.client.credits(), "caps": self.caps()}

    async def spend(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """Summarize committed credits (the ``spend`` tool)."""
        args.only(arguments, ("days",))
        return spend(self.journal, args.integer(arguments, "days", 1, 90, 7))

    def describe_error(self, error: BaseException, *, index: int | None = None) -> dict[str, Any]:
        """Return the structured form of any error a tool raised (the key redacted)."""
        if isinstance(error, _Indexed):
            return describe(error.error, redact=self.redact, index=error.index)
        return describe(error, redact=self.redact, index=index)


class _Indexed(Exception):
    """A kie error raised while checking the request at ``index`` of a batch."""

    def __init__(self, error: KieError, index: int) -> None:
        super().__init__(str(error))
        self.error = error
        self.index = index
