"""Run the gallery for ``kie gallery``: the CLI's journal, registry and key, served by uvicorn."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from kie_gallery.security import GallerySecurityError, check_bind

if TYPE_CHECKING:
    from kie_core.client import Client


def gallery_url(host: str, port: int, token: str | None) -> str:
    """Return the address to open (with ``?token=`` when one is required)."""
    shown = f"[{host}]" if ":" in host else host
    base = f"http://{shown}:{port}/"
    return f"{base}?token={token}" if token else base


def serve(
    ctx: typer.Context,
    *,
    host: str,
    port: int,
    allow_remote: bool,
    token: str | None,
    output_dir: Path,
    page_size: int,
    open_browser: bool,
) -> None:
    """Serve the gallery until interrupted (exit 2 for a refused interface)."""
    import uvicorn

    from kie_core.cli.context import command_output, get_state
    from kie_core.cli.exitcodes import ExitCode
    from kie_core.stores import JournalViews
    from kie_gallery.app import GalleryConfig, create_app

    state = get_state(ctx)
    output = command_output(ctx)
    journal = state.journal()
    if not isinstance(journal, JournalViews):
        output.error(f"the journal store {type(journal).__name__} cannot list its entries")
        raise typer.Exit(ExitCode.BAD_INPUT)
    try:
        access_token = check_bind(host, allow_remote=allow_remote, token=token)
    except GallerySecurityError as exc:
        output.error(str(exc))
        raise typer.Exit(ExitCode.BAD_INPUT) from None
    client_factory = None
    if state.settings.api_key is not None:

        def client_factory() -> Client:
            return state.client()

    else:
        output.warn("no KIE.ai API key: the gallery shows the journal but cannot act on KIE")
    config = GalleryConfig(
        journal=journal,
        registry=state.registry(),
        client_factory=client_factory,
        output_dir=output_dir,
        page_size=page_size,
        access_token=access_token,
    )
    url = gallery_url(host, port, access_token)
    output.info(f"kie gallery of the journal {journal.describe()} at {url} (Ctrl+C stops it)")
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning")
