"""The output folder of the commands that download results."""

from __future__ import annotations

from pathlib import Path


def ensure_folder(folder: Path) -> None:
    """Create the output folder, refusing (exit 2) when it cannot be made."""
    from kie_core.errors import InvalidRequestError

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidRequestError(
            f"--output: cannot create folder {str(folder)!r}: {exc.strerror}",
            field="output",
            value=str(folder),
        ) from None
