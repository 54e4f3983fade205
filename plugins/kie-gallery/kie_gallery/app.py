"""The gallery's web application: server-rendered pages over the journal.

Every page is plain HTML that works without JavaScript; a small script only follows running
tasks live (it fetches the server-rendered fragment of each one until it settles) and copies
the reproducing command. Videos are served from disk by :class:`~starlette.responses.FileResponse`,
which answers ``Range`` requests, so seeking works.
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from kie_core.errors import KieError
from kie_gallery.actions import Actions, NoClientError
from kie_gallery.filters import FilterError, parse_query
from kie_gallery.reproduce import reproduce
from kie_gallery.security import CSRF_FIELD, AccessTokenMiddleware, CsrfGuard
from kie_gallery.views import EntryView

if TYPE_CHECKING:
    from kie_core.client import Client
    from kie_core.journal import JournalEntry
    from kie_core.registry import Registry
    from kie_core.request import VideoRequest
    from kie_core.stores import JournalViews

#: Host names a loopback gallery answers to (anything else may be DNS rebinding).
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")

#: The request fields "generate again" lets the user edit.
EDITABLE = ("prompt", "duration", "aspect_ratio", "resolution", "negative_prompt", "seed")


@dataclass
class GalleryConfig:
    """What a gallery shows and how it may act.

    Attributes:
        journal: the journal to show: the SQLite ``Journal`` or ``PostgresJournal`` alike.
        registry: the installed models (to read payloads back and estimate new requests).
        client_factory: returns a new client for actions; None shows without acting.
        output_dir: where results go when a task has no folder of its own.
        page_size: tasks per grid page.
        access_token: required on every request when set (a non-loopback interface).
        poll_seconds: how often pages refresh running tasks.
    """

    journal: JournalViews
    registry: Registry
    client_factory: Callable[[], Client] | None = None
    output_dir: Path = field(default_factory=Path)
    page_size: int = 12
    access_token: str | None = None
    poll_seconds: float = 2.0


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kie_gallery", "templates"),
        autoescape=jinja2.select_autoescape(default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


class Gallery:
    """The pages and actions of one gallery server."""

    def __init__(self, config: GalleryConfig) -> None:
        self.config = config
        config.journal.ensure_view_indexes()
        self.csrf = CsrfGuard()
        self.actions = Actions(config.journal, config.client_factory, config.output_dir)
        self.env = _environment()

    # --- rendering ---------------------------------------------------------------------------

    def render(self, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        """Render a template with the values every page uses."""
        html = self.env.get_template(name).render(
            csrf_field=CSRF_FIELD,
            csrf_token=self.csrf.token,
            poll_ms=int(self.config.poll_seconds * 1000),
            actions_enabled=self.actions.enabled,
            **context,
        )
        return HTMLResponse(html, status_code=status_code)

    def error(self, status_code: int, message: str) -> HTMLResponse:
        """Render an error page with one clear message."""
        return self.render("error.html", status_code=status_code, message=message)

    def _entry(self, request: Request) -> JournalEntry | None:
        raw = request.path_params["entry_id"]
        return self.config.journal.get_entry(int(raw))

    # --- pages -------------------------------------------------------------------------------

    def grid(self, request: Request) -> Response:
        """Show the grid: newest first, filtered, one keyset page, with the view's spend totals."""
        try:
            query = parse_query(request.query_params)
        except FilterError as exc:
            return self.error(400, str(exc))
        journal = self.config.journal
        entry_filter = query.entry_filter()
        size = self.config.page_size
        entries = journal.page(entry_filter, before_id=query.before, limit=size + 1)
        more = len(entries) > size
        views = [EntryView.of(entry) for entry in entries[:size]]
        next_link = query.link(before=views[-1].entry.id) if more and views else None
        return self.render(
            "grid.html",
            query=query,
            views=views,
            totals=journal.totals(entry_filter),
            models=journal.models(),
            states=_states(),
            next_link=next_link,
        )

    def task(self, request: Request) -> Response:
        """Show one task: every parameter, the payload, the failure, the command, the actions."""
        entry = self._entry(request)
        if entry is None:
            return self.error(404, f"there is no journal entry {request.path_params['entry_id']}")
        return self.render(
            "task.html",
            view=EntryView.of(entry),
            reproduction=reproduce(self.config.registry, entry),
            note=self.actions.note(entry.id),
            message=request.query_params.get("message", ""),
        )

    def card_fragment(self, request: Request) -> Response:
        """Render one grid card, for the live refresh of a running task."""
        entry = self._entry(request)
        if entry is None:
            return self.error(404, "no such entry")
        return self.render("card.html", view=EntryView.of(entry))

    def task_fragment(self, request: Request) -> Response:
        """Render the live part of a task page (state, video, action progress)."""
        entry = self._entry(request)
        if entry is None:
            return self.error(404, "no such entry")
        return self.render(
            "task_live.html", view=EntryView.of(entry), note=self.actions.note(entry.id)
        )

    def media(self, request: Request) -> Response:
        """Serve the saved video of an entry, with Range support (only files the journal names)."""
        entry = self._entry(request)
        if entry is None or not entry.output_path or not Path(entry.output_path).is_file():
            return Response("no saved video for this entry", status_code=404)
        guessed, _ = mimetypes.guess_type(entry.output_path)
        return FileResponse(entry.output_path, media_type=guessed or "video/mp4")

    # --- actions -----------------------------------------------------------------------------

    async def _checked_form(self, request: Request) -> tuple[dict[str, str], str | None]:
        form = await request.form()
        values = {key: value for key, value in form.items() if isinstance(value, str)}
        return values, self.csrf.problem(request, values.get(CSRF_FIELD))

    async def act(self, request: Request) -> Response:
        """Resume or download again (no credits spent), then back to the task page."""
        _, problem = await self._checked_form(request)
        if problem is not None:
            return self.error(403, problem)
        entry = await run_in_threadpool(self._entry, request)
        if entry is None:
            return self.error(404, "no such entry")
        action = request.path_params["action"]
        if action not in ("resume", "download"):
            return self.error(404, f"there is no action {action!r}; accepted: resume, download")
        try:
            if action == "resume":
                self.actions.resume(entry)
            else:
                self.actions.download(entry)
        except (NoClientError, KieError) as exc:
            return self.error(409, str(exc))
        return RedirectResponse(f"/tasks/{entry.id}", status_code=303)

    def again_form(self, request: Request) -> Response:
        """Show the editable request of a task, to generate it again (nothing is sent yet)."""
        entry = self._entry(request)
        if entry is None:
            return self.error(404, "no such entry")
        reproduction = reproduce(self.config.registry, entry)
        if reproduction.request is None:
            return self.error(409, f"this task cannot be generated again: {reproduction.note}")
        return self.render(
            "again.html",
            view=EntryView.of(entry),
            values=_form_values(reproduction.request),
            problem="",
        )

    async def again_preview(self, request: Request) -> Response:
        """Check the edited request and show its payload and estimate, asking to confirm."""
        form, problem = await self._checked_form(request)
        if problem is not None:
            return self.error(403, problem)
        entry = await run_in_threadpool(self._entry, request)
        if entry is None:
            return self.error(404, "no such entry")
        try:
            edited = await run_in_threadpool(self._edited_request, entry, form)
            from kie_core.cli.planning import plan_request

            plan = await run_in_threadpool(plan_request, self.config.registry, edited)
        except (KieError, ValueError) as exc:
            return self.render(
                "again.html",
                status_code=400,
                view=EntryView.of(entry),
                values={name: form.get(name, "") for name in EDITABLE},
                problem=str(exc),
            )
        return self.render(
            "confirm.html",
            view=EntryView.of(entry),
            values=_form_values(edited),
            payload=plan.call.payload_json(),
            estimate=plan.estimate,
            confirmation=self.actions.issue_confirmation(),
        )

    async def again_confirm(self, request: Request) -> Response:
        """Create the edited task (once per confirmation) and go to its page."""
        form, problem = await self._checked_form(request)
        if problem is not None:
            return self.error(403, problem)
        entry = await run_in_threadpool(self._entry, request)
        if entry is None:
            return self.error(404, "no such entry")
        if form.get("confirm") != "yes":
            return self.error(400, "confirm=yes is required to spend credits; nothing was sent")
        try:
            edited = await run_in_threadpool(self._edited_request, entry, form)
            new_id = await run_in_threadpool(
                self.actions.generate,
                edited,
                self.actions.folder_for(entry),
                form.get("confirmation", ""),
            )
        except (KieError, ValueError, NoClientError) as exc:
            return self.error(409, f"nothing was created: {exc}")
        return RedirectResponse(f"/tasks/{new_id}", status_code=303)

    def _edited_request(self, entry: JournalEntry, form: dict[str, str]) -> VideoRequest:
        base = reproduce(self.config.registry, entry).request
        if base is None:
            raise ValueError("this task's request cannot be read back from its payload")
        changes: dict[str, Any] = {}
        for name in EDITABLE:
            raw = form.get(name, "").strip()
            if name == "prompt":
                changes[name] = raw
            elif name in ("duration", "seed"):
                if raw and not raw.lstrip("-").isdigit():
                    raise ValueError(f"{name} must be a whole number, got {raw!r}")
                changes[name] = int(raw) if raw else None
            else:
                changes[name] = raw or None
        return base.model_validate({**base.model_dump(), **changes})

    def app(self) -> Starlette:
        """Return the ASGI application."""
        routes = [
            Route("/", self.grid),
            Route("/tasks/{entry_id:int}", self.task),
            Route("/tasks/{entry_id:int}/again", self.again_form),
            Route("/tasks/{entry_id:int}/again", self.again_preview, methods=["POST"]),
            Route("/tasks/{entry_id:int}/again/confirm", self.again_confirm, methods=["POST"]),
            Route("/tasks/{entry_id:int}/{action:str}", self.act, methods=["POST"]),
            Route("/fragments/card/{entry_id:int}", self.card_fragment),
            Route("/fragments/task/{entry_id:int}", self.task_fragment),
            Route("/media/{entry_id:int}", self.media),
            Mount("/static", StaticFiles(packages=[("kie_gallery", "static")]), name="static"),
        ]
        middleware = []
        if self.config.access_token is not None:
            middleware.append(Middleware(AccessTokenMiddleware, token=self.config.access_token))
        else:
            middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=LOOPBACK_HOSTS))
        app = Starlette(routes=routes, middleware=middleware)
        app.state.gallery = self
        return app


def _states() -> list[str]:
    from kie_core.journal import JournalState

    return [state.value for state in JournalState]


def _form_values(request: VideoRequest) -> dict[str, str]:
    values = {}
    for name in EDITABLE:
        value = getattr(request, name)
        values[name] = "" if value is None else str(value)
    values["options"] = json.dumps(request.options, sort_keys=True) if request.options else ""
    return values


def create_app(config: GalleryConfig) -> Starlette:
    """Return the gallery application for a configuration."""
    return Gallery(config).app()
