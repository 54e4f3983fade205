"""The MCP server: the tool list, tool calls, progress notifications and the video resources.

Built on the low-level :class:`mcp.server.Server` of the official SDK, so the tool schemas are
exactly the hand-written ones of :mod:`kie_mcp.tools`. Each connection gets its own
:class:`~kie_mcp.service.KieService` (HTTP client and journal connection) for its lifetime;
de-duplication lives in the journal file, so it survives restarts and is shared by every
server and ``kie`` command using that journal.
"""

from __future__ import annotations

import base64
import json
import mimetypes
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import mcp_types as types
from mcp.server import Server
from mcp.server.context import ServerRequestContext
from mcp.shared.exceptions import MCPError

from kie_core.registry import Registry
from kie_mcp import __version__
from kie_mcp.config import McpConfig, inside
from kie_mcp.service import KieService
from kie_mcp.tools import tool_list

#: What the server tells the agent once, at connection time.
INSTRUCTIONS = (
    "Generate videos with KIE.ai: models -> estimate -> generate -> tasks (wait_seconds) -> "
    "collect. Generation takes minutes: never call generate again for the same request (it "
    "is de-duplicated anyway); call tasks to follow it. Errors carry category, retryable and "
    "next_step."
)

#: The largest file ``resources/read`` returns.
MAX_RESOURCE_BYTES = 200 * 1024 * 1024

#: How many files ``resources/list`` lists, newest first.
MAX_LISTED = 100

_MEDIA_SUFFIXES = frozenset({".mp4", ".mov", ".webm", ".mkv", ".gif", ".png", ".jpg", ".jpeg"})

Context = ServerRequestContext[KieService, Any]


def _json_result(data: dict[str, Any], *, error: bool = False) -> types.CallToolResult:
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=text)],
        structured_content=data,
        is_error=error,
    )


def _resource_link(path: Path) -> types.ResourceLink:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return types.ResourceLink(
        type="resource_link",
        uri=path.resolve().as_uri(),
        name=path.name,
        mime_type=mime,
        size=path.stat().st_size,
    )


def build_server(
    config: McpConfig,
    *,
    registry: Registry | None = None,
    service_factory: Callable[[McpConfig], KieService] | None = None,
) -> Server[KieService]:
    """Return the kie MCP server for ``config``.

    Args:
        config: the operator's configuration (caps, folders, models, credentials).
        registry: the models (default: the installed plugins).
        service_factory: builds each connection's service (tests inject one).
    """
    tools = tool_list()

    def make_service(cfg: McpConfig) -> KieService:
        if service_factory is not None:
            return service_factory(cfg)
        return KieService(cfg, registry=registry)

    @asynccontextmanager
    async def lifespan(_: Server[KieService]) -> AsyncIterator[KieService]:
        service = make_service(config)
        try:
            yield service
        finally:
            await service.aclose()

    async def list_tools(
        ctx: Context, params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=tools)

    async def call_tool(ctx: Context, params: types.CallToolRequestParams) -> types.CallToolResult:
        service = ctx.lifespan_context
        arguments = params.arguments or {}

        async def progress(done: float, total: float | None, message: str) -> None:
            await ctx.session.report_progress(done, total, message)

        try:
            if params.name == "tasks":
                return _json_result(await service.tasks(arguments, progress))
            if params.name == "collect":
                data, files = await service.collect(arguments)
                result = _json_result(data)
                if arguments.get("resources") is True:
                    result.content.extend(_resource_link(path) for path in files)
                return result
            handler = {
                "models": service.models,
                "estimate": service.estimate,
                "generate": service.generate,
                "credits": service.credits,
                "spend": service.spend,
            }.get(params.name)
            if handler is None:
                raise MCPError(
                    code=types.INVALID_PARAMS,
                    message=f"unknown tool {params.name!r}; tools: {[t.name for t in tools]}",
                )
            return _json_result(await handler(arguments))
        except MCPError:
            raise
        except Exception as exc:
            return _json_result({"error": service.describe_error(exc)}, error=True)

    async def list_resources(
        ctx: Context, params: types.PaginatedRequestParams | None
    ) -> types.ListResourcesResult:
        root = config.output_dir.expanduser().resolve()
        files = [
            path
            for path in (root.rglob("*") if root.is_dir() else ())
            if path.is_file() and path.suffix.lower() in _MEDIA_SUFFIXES
        ]
        files.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        links = [_resource_link(path) for path in files[:MAX_LISTED]]
        return types.ListResourcesResult(
            resources=[
                types.Resource(
                    uri=link.uri, name=link.name, mime_type=link.mime_type, size=link.size
                )
                for link in links
            ]
        )

    async def read_resource(
        ctx: Context, params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        path = _resource_path(params.uri, config)
        data = path.read_bytes()
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return types.ReadResourceResult(
            contents=[
                types.BlobResourceContents(
                    uri=params.uri, mime_type=mime, blob=base64.b64encode(data).decode("ascii")
                )
            ]
        )

    return Server(
        "kie",
        version=__version__,
        instructions=INSTRUCTIONS,
        lifespan=lifespan,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_list_resources=list_resources,
        on_read_resource=read_resource,
    )


def _resource_path(uri: str, config: McpConfig) -> Path:
    """Return the file a ``file://`` URI names, refusing anything outside the output folder."""
    parts = urlsplit(uri)
    root = config.output_dir.expanduser().resolve()
    path = Path(unquote(parts.path))
    if parts.scheme != "file" or not path.is_absolute() or not inside(path, root):
        raise MCPError(
            code=types.INVALID_PARAMS,
            message=f"resource {uri!r} is not a file:// URI inside the output folder {root}",
        )
    if not path.is_file():
        raise MCPError(code=types.INVALID_PARAMS, message=f"resource {uri!r} does not exist")
    if path.stat().st_size > MAX_RESOURCE_BYTES:
        raise MCPError(
            code=types.INVALID_PARAMS,
            message=f"resource {uri!r} is larger than {MAX_RESOURCE_BYTES} bytes; open the file",
        )
    return path
