"""Fakes for the client tests: a tiny KIE.ai server for httpx.MockTransport, fake time, models.

Nothing here reads the real plugins: the model is registered from a local spec.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx

from kie_core.families.market import MarketModel
from kie_core.hookspecs import hookimpl
from kie_core.models import Mode, ModelSpec, Variant
from kie_core.registry import Registry
from kie_core.request import InputKind
from tests.kling_turbo import turbo_modes

#: A recognizable API key; tests assert it never shows up anywhere.
KEY = "kie-SECRET-5f1e9a7c3b2d4e6f"

API = "https://api.kie.test"
UPLOAD = "https://upload.kie.test"
FILES = "https://tempfile.kie.test"

T, F, L = InputKind.TEXT, InputKind.FIRST_FRAME, InputKind.LAST_FRAME

KLING_TURBO = ModelSpec(
    name="kling-2.5-turbo",
    title="Kling 2.5 Turbo (test copy)",
    family="market",
    aliases=("kling-turbo",),
    prompt_max_length=2500,
    variants=(
        Variant(
            name="pro",
            modes=turbo_modes(),
        ),
    ),
)

OLD_MODEL = ModelSpec(
    name="old-model",
    title="A retired model (test copy)",
    family="market",
    deprecated=date(2026, 9, 24),
    deprecation_note="its API was shut down",
    variants=(
        Variant(
            name="default",
            modes=(
                Mode(
                    name="text-to-video",
                    kie_model="old/text-to-video",
                    requires=frozenset({T}),
                    durations=(10,),
                    default_duration=10,
                ),
            ),
        ),
    ),
)


class _TestPlugin:
    @hookimpl
    def kie_register_models(self, register: Callable[[Any], None]) -> None:
        register(MarketModel(KLING_TURBO, fields={"last_frame": "tail_image_url"}))
        register(MarketModel(OLD_MODEL))


def emulator_settings(kie_emulator: Any, **extra: Any) -> dict[str, Any]:
    """Client arguments for the ``kie_emulator`` fixture: fast polls, short retries, no journal."""
    from kie_core.polling import PollSchedule
    from kie_core.ratelimit import RateLimiter
    from kie_core.retry import RetryPolicy

    values: dict[str, Any] = {
        "base_url": kie_emulator.base_url,
        "upload_base_url": kie_emulator.base_url,
        "registry": make_registry(),
        "poll": PollSchedule.fast(deadline=30.0),
        "retry": RetryPolicy(base_delay=0.05),
        "rate_limiter": RateLimiter(),
        "journal": False,
    }
    values.update(extra)
    return values


def make_registry() -> Registry:
    """Return a registry holding only the test models (no entry points are read)."""
    registry = Registry(sources=[])
    info = registry.register_plugin(_TestPlugin(), "test-kling")
    assert info.ok, info.error
    assert not info.model_errors, info.model_errors
    return registry


class FakeTime:
    """A monotonic clock that only moves when something sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


@dataclass
class Lose:
    """Process the request (a create makes a task) and then lose the answer with ``error``."""

    error: Exception


Scripted = httpx.Response | Exception | Lose | Callable[[httpx.Request], httpx.Response]


def envelope(
    code: int = 200, data: Any = None, msg: str = "success", **extra: Any
) -> dict[str, Any]:
    return {"code": code, "msg": msg, "data": data, **extra}


class FakeKie:
    """A small KIE.ai server: Market create and recordInfo, credits, download-url, upload, files.

    Each task walks through ``steps`` (one per status query). ``script(path, ...)`` queues
    answers for the next requests to a path: a response, an exception raised before the server
    sees the request, a :class:`Lose` (the server acts, then the answer is lost) or a function.
    """

    def __init__(
        self,
        *,
        steps: tuple[str, ...] = ("waiting", "generating", "success"),
        results: int = 1,
        fail_code: str = "500",
        fail_msg: str = "Internal server error",
    ) -> None:
        self.steps = steps
        self.results = results
        self.fail_code = fail_code
        self.fail_msg = fail_msg
        self.lock = threading.Lock()
        self.requests: list[httpx.Request] = []
        self.tasks: dict[str, dict[str, Any]] = {}
        self.polls: dict[str, int] = defaultdict(int)
        self.scripts: dict[str, deque[Scripted]] = defaultdict(deque)
        self.files: dict[str, bytes] = {}
        self.expired: set[str] = set()
        self.uploads: list[dict[str, Any]] = []
        self.on_create: Callable[[httpx.Request], None] | None = None

    # --- control ---------------------------------------------------------------------

    def script(self, path: str, *items: Scripted) -> None:
        self.scripts[path].extend(items)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)

    def sent(self, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == path]

    @property
    def creates(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.sent("/api/v1/jobs/createTask")]

    # --- serving ---------------------------------------------------------------------

    def handler(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            queued = self.scripts[request.url.path]
            item = queued.popleft() if queued else None
        if isinstance(item, Exception):
            raise item
        self.requests.append(request)
        if isinstance(item, httpx.Response):
            return item
        if callable(item) and not isinstance(item, Lose):
            return item(request)
        response = self.serve(request)
        if isinstance(item, Lose):
            raise item.error
        return response

    def serve(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        host = f"{request.url.scheme}://{request.url.host}"
        if host == FILES:
            return self.serve_file(request)
        if request.headers.get("Authorization") != f"Bearer {KEY}":
            return httpx.Response(200, json=envelope(401, msg="You do not have access permissions"))
        if path == "/api/v1/jobs/createTask":
            if self.on_create is not None:
                self.on_create(request)
            body = json.loads(request.content)
            with self.lock:
                task_id = f"task{len(self.tasks) + 1:04d}"
                self.tasks[task_id] = body
            return httpx.Response(200, json=envelope(data={"taskId": task_id}))
        if path == "/api/v1/jobs/recordInfo":
            return self.serve_record(request.url.params.get("taskId", ""))
        if path == "/api/v1/chat/credit":
            return httpx.Response(200, json=envelope(data=1234))
        if path == "/api/v1/common/download-url":
            url = json.loads(request.content)["url"]
            return httpx.Response(200, json=envelope(data=url + "?fresh=1"))
        if host == UPLOAD and path == "/api/file-stream-upload":
            return self.serve_upload(request)
        return httpx.Response(404, json=envelope(404, msg="not found"))

    def serve_record(self, task_id: str) -> httpx.Response:
        if task_id not in self.tasks:
            return httpx.Response(200, json=envelope(404, msg="Task not found"))
        with self.lock:
            index = min(self.polls[task_id], len(self.steps) - 1)
            self.polls[task_id] += 1
        state = self.steps[index]
        record: dict[str, Any] = {
            "taskId": task_id,
            "model": self.tasks[task_id].get("model"),
            "state": state,
            "param": json.dumps(self.tasks[task_id]),
            "resultJson": "",
            "failCode": "",
            "failMsg": "",
            "createTime": 1764331200000,
        }
        if state == "success":
            urls = [f"{FILES}/{task_id}/{n}.mp4" for n in range(self.results)]
            for url in urls:
                self.files.setdefault(url, f"video bytes of {url}".encode() * 10)
            record["resultJson"] = json.dumps({"resultUrls": urls})
        if state == "fail":
            record["failCode"] = self.fail_code
            record["failMsg"] = self.fail_msg
        return httpx.Response(200, json=envelope(data=record))

    def serve_upload(self, request: httpx.Request) -> httpx.Response:
        content = request.content
        name = "upload.bin"
        for part in content.split(b"\r\n"):
            if part.startswith(b"Content-Disposition") and b'name="file"' in part:
                name = part.split(b'filename="')[1].split(b'"')[0].decode()
        self.uploads.append({"name": name, "body": content})
        url = f"{FILES}/kie/inputs/{len(self.uploads)}-{name}"
        return httpx.Response(
            200,
            json=envelope(
                data={"downloadUrl": url, "fileName": name}, msg="File uploaded", success=True
            ),
        )

    def serve_file(self, request: httpx.Request) -> httpx.Response:
        url = f"{FILES}{request.url.path}"
        if "fresh=1" not in str(request.url) and url in self.expired:
            return httpx.Response(403, text="expired")
        body = self.files.get(url)
        if body is None:
            return httpx.Response(404, text="no such file")
        return httpx.Response(200, content=body, headers={"Content-Length": str(len(body))})
