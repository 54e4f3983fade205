"""Endpoint calls: the plain description of one HTTP request to KIE.ai that plugins produce."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

#: Which KIE host a call goes to: the generation API or the file-upload host.
Host = Literal["api", "upload"]


class EndpointCall(BaseModel):
    """One request to KIE.ai, described without doing it.

    Plugins return these; the core's transport sends them. ``body`` is the JSON body of a POST,
    ``params`` the query string of a GET.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    method: Literal["GET", "POST"]
    path: str = Field(pattern=r"^/")
    body: dict[str, Any] | None = None
    params: dict[str, str] | None = None
    host: Host = "api"

    def describe(self) -> str:
        """Return a one-line description, e.g. ``POST /api/v1/jobs/createTask``."""
        return f"{self.method} {self.path}"

    def payload_json(self) -> str:
        """Return the body as stable, indented JSON (for `--dry-run` and the journal)."""
        return json.dumps(self.body or {}, indent=2, sort_keys=True, ensure_ascii=False)
