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
TimeoutOption = Annotated[
    float | None,
    typer.Option(
        "--timeout",
        min=0.0,
        metavar="SECONDS",
        help="Give up waiting after this many seconds (the task may finish).",
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
