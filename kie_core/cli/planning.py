"""A request checked locally and turned into the call it would make, before anything is sent.

``kie generate`` and ``kie batch`` plan every request first: model lookup, local files,
validation against the model's spec, the endpoint call (local files shown as upload
placeholders) and the credit estimate. A request that fails here costs nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kie_core.cli.request_args import (
    MEDIA_FLAGS,
    check_local_files,
    with_upload_placeholders,
)

if TYPE_CHECKING:
    from kie_core.calls import EndpointCall
    from kie_core.models import ResolvedRequest, VideoModel
    from kie_core.registry import Registry
    from kie_core.request import VideoRequest


@dataclass(frozen=True)
class Plan:
    """What a request would do, known without the network.

    Attributes:
        request: the request as the user gave it (local paths included).
        model: the installed model that serves it.
        resolved: the request checked against the model, defaults filled in.
        call: the create call, with each local file shown as ``<upload: path>``.
        estimate: the estimated credits, or None when no published price matches.
        provider: the plugin that provides the model.
    """

    request: VideoRequest
    model: VideoModel
    resolved: ResolvedRequest
    call: EndpointCall
    estimate: float | None
    provider: str = ""

    @property
    def uploads(self) -> list[str]:
        """The local files that would be uploaded first."""
        return self.request.local_files()

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
    model = registry.get(request.model)
    check_local_files(request, flags)
    resolved = model.resolve(request)
    shown = model.resolve(with_upload_placeholders(request))
    return Plan(
        request=request,
        model=model,
        resolved=resolved,
        call=model.build_call(shown),
        estimate=resolved.estimate_credits(),
        provider=registry.provider_of(model),
    )
