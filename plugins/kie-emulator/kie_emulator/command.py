"""``kie emulator``: serve the offline KIE.ai emulator in the foreground.

Added to the ``kie`` command line through the ``kie.commands`` entry point group, replacing the
core's placeholder that only says how to install this distribution.
"""

from __future__ import annotations

from typing import Annotated

import typer

from kie_core.cli.context import get_state
from kie_core.cli.exitcodes import ExitCode
from kie_core.hookspecs import hookimpl


def emulator(
    ctx: typer.Context,
    *,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", "-p", min=0, max=65535, help="Port; 0 picks a free one.")
    ] = 8787,
    api_key: Annotated[
        str | None,
        typer.Option(
            "--api-key", help="The key the emulator accepts (default: any key).", show_default=False
        ),
    ] = None,
    credits: Annotated[
        float, typer.Option("--credits", min=0.0, help="Starting balance.")
    ] = 10000.0,
    task_seconds: Annotated[
        float, typer.Option("--task-seconds", min=0.0, help="Seconds a task takes to finish.")
    ] = 6.0,
    link_ttl: Annotated[
        float, typer.Option("--link-ttl", min=0.001, help="Seconds a result link stays valid.")
    ] = 3600.0,
    webhook_hmac_key: Annotated[
        str | None,
        typer.Option(
            "--webhook-hmac-key",
            envvar="KIE_WEBHOOK_HMAC_KEY",
            help="Sign callbacks with this HMAC key (env KIE_WEBHOOK_HMAC_KEY).",
            show_default=False,
        ),
    ] = None,
    fault: Annotated[
        list[str] | None,
        typer.Option(
            "--fault",
            metavar="KIND=PROBABILITY",
            help="Inject a fault (repeatable): rate-limit, server-error, maintenance, "
            "error-in-200, slow, drop-connection, malformed-json, lost-create-response, "
            "task-fail, expired-link. Full form KIND=PROBABILITY[:TIMES[:PATH,...]].",
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed for reproducible faults and ids.")
    ] = None,
    result_bytes: Annotated[
        int | None,
        typer.Option("--result-bytes", min=1, help="Pad result videos to exactly N bytes."),
    ] = None,
    public_base_url: Annotated[
        str | None,
        typer.Option(
            "--public-base-url", help="Base URL of issued links (default: the request's host)."
        ),
    ] = None,
) -> None:
    """Run an offline KIE.ai emulator: try kie, or test your code, without spending credits.

    Then point kie at it: KIE_BASE_URL=http://127.0.0.1:8787 KIE_UPLOAD_BASE_URL=same URL.
    """
    from kie_core.errors import InvalidRequestError
    from kie_emulator.config import EmulatorConfig, parse_fault

    output = get_state(ctx).output
    output.add_secret(api_key)
    output.add_secret(webhook_hmac_key)
    try:
        config = EmulatorConfig(
            api_key=api_key,
            credits=credits,
            task_seconds=task_seconds,
            link_ttl=link_ttl,
            webhook_hmac_key=webhook_hmac_key,
            faults=[parse_fault(spec) for spec in fault or []],
            seed=seed,
            result_bytes=result_bytes,
            public_base_url=public_base_url,
        )
    except ValueError as exc:
        raise InvalidRequestError(f"emulator settings: {exc}", field="emulator") from None
    from kie_emulator.server import run

    try:
        run(config, host, port)
    except OSError as exc:
        output.error(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
        raise typer.Exit(ExitCode.BAD_INPUT) from None
    except KeyboardInterrupt:
        output.info("emulator stopped")


@hookimpl
def kie_register_commands(cli: typer.Typer) -> None:
    """Add ``kie emulator`` to the command line."""
    cli.command("emulator")(emulator)
