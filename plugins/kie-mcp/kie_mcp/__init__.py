"""kie for agents: an MCP server on kie's client and journal (``kie mcp``).

Seven tools (``models``, ``estimate``, ``generate``, ``tasks``, ``collect``, ``credits``,
``spend``) let a coding or chat agent start KIE.ai video generations and follow them without
blocking, under credit caps and an output folder the agent cannot change. Identical requests are
de-duplicated by the journal, across restarts and between agents sharing it.

Nothing heavy is imported here: :mod:`kie_mcp.command` (the ``kie mcp`` command) loads with the
``kie`` command line, the SDK and the client only when the server starts.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
