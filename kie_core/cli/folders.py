"""The output folder of the commands that download results."""

from __future__ import annotations

from pathlib import Path


def ensure_folder(folder: Path) -> None:
    """Create the output folder, refusing (exit 2) when it cannot be made or written into."""
    import tempfile

    from kie_core.errors import InvalidRequestError

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidRequestError(
            f"--output: cannot create folder {str(folder)!r}: {exc.strerror}; nothing was sent",
            field="output",
            value=str(folder),
        ) from None
    try:
        # A real write: permission bits, read-only mounts and ACLs all show up here.
        with tempfile.TemporaryFile(dir=folder, prefix=".kie-write-check-"):
            pass
    except OSError as exc:
        raise InvalidRequestError(
            f"--output: cannot write into folder {str(folder)!r}: {exc.strerror}; nothing was sent",
            field="output",
            value=str(folder),
        ) from None
