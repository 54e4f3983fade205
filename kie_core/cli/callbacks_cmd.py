"""``kie callbacks serve``: receive KIE's task callbacks and record them in the journal."""

from __future__ import annotations

import socket
from typing import Annotated

import typer

from kie_core.cli.context import get_state
from kie_core.cli.exitcodes import ExitCode

app = typer.Typer(
    name="callbacks",
    help="Receive KIE task callbacks (webhooks).",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command("serve")
def serve(
    ctx: typer.Context,
    *,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", min=1, max=65535, help="Port.")] = 8788,
    hmac_key: Annotated[
        str | None,
        typer.Option(
            "--hmac-key",
            envvar="KIE_WEBHOOK_HMAC_KEY",
            help="The webhookHmacKey of the KIE console (env KIE_WEBHOOK_HMAC_KEY); when set, "
            "unsigned or badly signed callbacks are refused.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Receive KIE callbacks, confirm each through the status endpoint, then journal it.

    Callbacks are accepted on any path (point --callback-url at http://HOST:PORT/kie/callback)
    and answered at once (KIE allows 15 s). A callback's claim is confirmed through the task's
    status endpoint before the journal is updated, so a forged or stale callback never marks a
    task done. GET /healthz answers 200.
    """
    try:
        import starlette  # noqa: F401
        import uvicorn
    except ImportError:
        from kie_core.cli.missing_cmd import SERVER_INSTALL, missing

        raise missing(
            "the callback receiver's web server (starlette, uvicorn)", SERVER_INSTALL
        ) from None

    from kie_core.callbacks import CallbackProcessor
    from kie_core.callbacks_app import create_callback_app

    state = get_state(ctx)
    output = state.output
    output.add_secret(hmac_key)
    client = state.async_client()
    processor = CallbackProcessor(
        client, registry=state.registry(), journal=state.journal(), hmac_key=hmac_key or ""
    )
    if not processor.signed:
        output.warn(
            "no --hmac-key / KIE_WEBHOOK_HMAC_KEY: callbacks are accepted unsigned (each is "
            "still confirmed through the status endpoint)"
        )
    try:
        sock = _listen(host, port)
    except OSError as exc:
        output.error(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
        raise typer.Exit(ExitCode.BAD_INPUT) from None
    output.info(f"receiving KIE callbacks on http://{host}:{port}/ (any path); Ctrl+C stops")
    config = uvicorn.Config(
        create_callback_app(processor, closing=[client]),
        log_level="warning" if output.quiet else "info",
        access_log=not output.quiet,
    )
    uvicorn.Server(config).run(sockets=[sock])


def _listen(host: str, port: int) -> socket.socket:
    """Bind the listening socket first, so a busy port is one clear error line."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock
