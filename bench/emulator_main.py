"""``python -m bench.emulator_main CONFIG_JSON``: serve an emulator until stdin closes.

The benchmarks run the emulator in its own process so that the client's memory and CPU are
measured alone. The process prints ``{"base_url": ...}`` once it listens, then serves until
its parent closes its stdin.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Start the emulator with the configuration given as JSON, serve until stdin closes."""
    args = list(sys.argv[1:] if argv is None else argv)
    settings = json.loads(args[0]) if args else {}
    from kie_emulator.config import EmulatorConfig
    from kie_emulator.server import EmulatorServer

    server = EmulatorServer(EmulatorConfig(**settings)).start()
    try:
        print(json.dumps({"base_url": server.base_url}), flush=True)
        sys.stdin.read()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
