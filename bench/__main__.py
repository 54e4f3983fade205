"""``python -m bench``: run the benchmarks, print the table, write ``bench-report.json``."""

from __future__ import annotations

import sys

from bench.cli import main

if __name__ == "__main__":
    sys.exit(main())
