"""A request checked locally and turned into the call it would make, before anything is sent.

``kie generate`` and ``kie batch`` plan every request first: model lookup, local files,
validation against the model's spec, the endpoint call and the credit estimate, all done once
by :meth:`PreparedRequest.of <kie_core.results.PreparedRequest.of>`; the client then sends that
same prepared request. A request that fails here costs nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from kie_core.cli.request_args import MEDIA_FLAGS

if TYPE_CHECKING:
    from kie_core.calls import EndpointCall
    from kie_core.models import ResolvedRequest, VideoModel
    from kie_core.registry import Registry
    from kie_core.request import VideoRequest
    from kie_core.results import PreparedRequest


@dataclass(frozen=True)
class Plan:
    """What a request would do, known without the network.

    Attributes:
        prepared: the request resolved and its create call built (what the client sends).
        provider: the plugin that provides the model.
    """

    prepared: PreparedRequest
    provider: str = ""

    @property
    def request(self) -> VideoRequest:
        """The request with the model's defaults filled in (local paths included)."""
        return self.prepared.request

    @property
    def model(self) -> VideoModel:
        """The installed model that serves the request."""
        return self.prepared.model

    @property
    def resolved(self) -> ResolvedRequest:
        """The request checked against the model, defaults filled in."""
        return self.prepared.resolved

    @cached_property
    def call(self) -> EndpointCall:
        """The create call, with each local file shown as ``<upload: path>``."""
        return self.prepared.shown_call

    @property
    def estimate(self) -> float | None:
        """The estimated credits, or None when no published price matches."""
        return self.prepared.estimated_credits

    @property
    def uploads(self) -> list[str]:
        """The local files that would be uploaded first."""
        return self.prepared.local_files

    def describe(self) -> dict[str, Any]:
        """Return the plan as JSON-ready data (``--dry-run --json``)."""
        resolved = self.resolved
        return {
            "model": resolved.spec.name,
            "provider": self.provider,
            "variant": resolved.variant.name,
            "mode": resolved.mode.name,
            "kie_model": resolved.mode.kie_model,
            "endpoint": {
                "method": self.call.method,
                "path": self.call.path,
                "host": self.call.host,
            },
            "payload": self.call.body,
            "params": self.call.params,
            "estimated_credits": self.estimate,
            "uploads": self.uploads,
            "warnings": list(resolved.warnings),
        }


def plan_request(
    registry: Registry, request: VideoRequest, flags: Mapping[str, str] = MEDIA_FLAGS
) -> Plan:
    """Check ``request`` completely without sending anything.

    Args:
        registry: where the model is looked up.
        request: the request.
        flags: how each media field is named in error messages (flags or batch columns).

    Raises:
        UnknownModelError: the model is not installed (the message lists the installed ones).
        InvalidRequestError: a file is unreadable or the model does not accept a value.
    """
    from kie_core.results import PreparedRequest

    model = registry.get(request.model)
    return Plan(
        PreparedRequest.of(model, request, labels=flags), provider=registry.provider_of(model)
    )
