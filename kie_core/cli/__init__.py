"""The ``kie`` command line: generate, watch, download and manage KIE.ai video tasks.

``main`` is the console-script entry point; ``app`` is the typer application (for
``typer.testing.CliRunner`` and for embedding).
"""

from __future__ import annotations

from kie_core.cli.app import app, main

__all__ = ["app", "main"]
