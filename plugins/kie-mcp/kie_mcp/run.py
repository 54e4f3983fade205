"""Running the server on a transport: stdio, or streamable HTTP on a loopback address."""

from __future__ import annotations

import anyio

from kie_mcp.config import McpConfig, check_loopback
from kie_mcp.server import build_server


def serve_stdio(config: McpConfig) -> None:
    """Serve one client over this process's stdin and stdout until it disconnects."""
    from mcp.server.stdio import stdio_server

    server = build_server(config)

    async def main() -> None:
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())

    anyio.run(main)


def serve_http(config: McpConfig, *, host: str, port: int) -> None:
    """Serve streamable HTTP at ``http://<host>:<port>/mcp``; ``host`` must be loopback."""
    import uvicorn
    from mcp.server.transport_security import TransportSecuritySettings

    host = check_loopback(host)
    name = f"[{host}]" if ":" in host else host
    local = [name, "127.0.0.1", "localhost", "[::1]"]
    security = TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=[f"{item}:*" for item in local],
        allowed_origins=[f"http://{item}:*" for item in local],
    )
    app = build_server(config).streamable_http_app(host=host, transport_security=security)
    uvicorn.run(app, host=host, port=port, log_level="warning")
