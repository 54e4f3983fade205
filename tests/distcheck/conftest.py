"""The release checks live in `.ci/distcheck`, beside the script CI runs: put them on the path."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / ".ci"))
