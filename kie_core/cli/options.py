"""Options several ``kie`` commands share, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

JsonOption = Annotated[
    bool,
    typer.Option("--json", help="Print the result as JSON on stdout (messages stay on stderr)."),
]
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress display and no informational messages.")
]
OutputDirOption = Annotated[
    Path,
    typer.Option(
        "--output",
        "-o",
        metavar="DIR",
        help="Folder to download results into (created if missing).",
        file_okay=False,
        resolve_path=False,
    ),
]


def _positive_timeout(value: float | None) -> float | None:
    """Refuse ``--timeout`` 0 or less (exit 2, one line) while the options are read."""
    if value is not None and not 0 < value < float("inf"):
        from kie_core.errors import InvalidRequestError

        raise InvalidRequestError(
            f"--timeout {value:g} is not accepted: give a positive number of seconds; "
            "nothing was sent",
            field="timeout",
            value=value,
        )
    return value


TimeoutOption = Annotated[
    float | None,
    typer.Option(
        "--timeout",
        metavar="SECONDS",
        callback=_positive_timeout,
        help="Give up waiting after this many seconds (positive; the task may finish).",
    ),
]
FamilyOption = Annotated[
    str | None,
    typer.Option(
        "--family",
        metavar="FAMILY",
        help="Task family of the id (market, veo, runway...); default: from the journal, "
        "else market.",
    ),
]
