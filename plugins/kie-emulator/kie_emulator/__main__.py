"""``python -m kie_emulator``: run the KIE.ai emulator in the foreground."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from kie_emulator.config import FAULT_KINDS, EmulatorConfig, parse_fault


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser."""
    parser = argparse.ArgumentParser(
        prog="python -m kie_emulator",
        description="Run an offline emulator of the KIE.ai HTTP API.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8787, help="port to bind; 0 picks a free one")
    parser.add_argument("--api-key", default=None, help="the accepted key (default: any key)")
    parser.add_argument("--credits", type=float, default=10000.0, help="starting balance")
    parser.add_argument("--task-seconds", type=float, default=6.0, help="seconds a task takes")
    parser.add_argument("--link-ttl", type=float, default=3600.0, help="result link lifetime (s)")
    parser.add_argument("--webhook-hmac-key", default=None, help="sign callbacks with this key")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="KIND=PROBABILITY",
        help=f"inject a fault (repeatable); kinds: {', '.join(FAULT_KINDS)}; "
        "full form KIND=PROBABILITY[:TIMES[:PATH,...]]",
    )
    parser.add_argument("--seed", type=int, default=None, help="seed for deterministic faults")
    parser.add_argument(
        "--result-bytes", type=int, default=None, help="pad result videos to exactly N bytes"
    )
    parser.add_argument(
        "--public-base-url",
        default=None,
        help="base URL used in issued links (default: request host)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and serve until interrupted."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = EmulatorConfig(
            api_key=args.api_key,
            credits=args.credits,
            task_seconds=args.task_seconds,
            link_ttl=args.link_ttl,
            webhook_hmac_key=args.webhook_hmac_key,
            faults=[parse_fault(spec) for spec in args.fault],
            seed=args.seed,
            result_bytes=args.result_bytes,
            public_base_url=args.public_base_url,
        )
    except ValueError as exc:
        parser.error(str(exc))
    from kie_emulator.server import run

    run(config, args.host, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
