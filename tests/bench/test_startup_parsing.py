"""Reading ``python -X importtime`` output and the plugin import probe's answers."""

from __future__ import annotations

import sys
from pathlib import Path

from bench.startup import (
    ImportRow,
    cached_bytecode_env,
    commands,
    foreign,
    parse_importtime,
    self_time_by_package,
)

IMPORTTIME = """\
import time: self [us] | cumulative | imported package
import time:       133 |        133 |   _io
import time:      2000 |       2500 |     pydantic.main
import time:       500 |       3000 |   pydantic
import time:      1000 |       1000 |   kie_core.models
import time:       300 |       4300 | kie_core
Traceback (most recent call last): unrelated noise
"""


def test_importtime_lines_become_rows() -> None:
    rows = parse_importtime(IMPORTTIME)
    assert rows[0] == ImportRow("_io", 133, 133, 1)
    assert rows[1] == ImportRow("pydantic.main", 2000, 2500, 2)
    assert rows[-1] == ImportRow("kie_core", 300, 4300, 0)
    assert len(rows) == 5


def test_import_time_is_grouped_by_top_level_package() -> None:
    totals = self_time_by_package(parse_importtime(IMPORTTIME))
    assert totals == {"pydantic": 2500, "kie_core": 1300, "_io": 133}
    assert list(totals) == ["pydantic", "kie_core", "_io"]


def test_only_other_peoples_packages_count_as_foreign() -> None:
    assert foreign(["kie_kling", "kie_core", "_strptime", "numpy", "rich"]) == ["numpy", "rich"]


def test_the_commands_and_their_baselines() -> None:
    table = commands()
    assert table["python -c pass"] == [sys.executable, "-c", "pass"]
    assert table["kie models --json"][-2:] == ["models", "--json"]
    assert table["kie --help"][-1] == "--help"


def test_bytecode_is_cached_in_the_benchmark_folder(tmp_path: Path) -> None:
    env = cached_bytecode_env(tmp_path)
    assert env["PYTHONPYCACHEPREFIX"] == str(tmp_path)
    assert "PYTHONDONTWRITEBYTECODE" not in env
