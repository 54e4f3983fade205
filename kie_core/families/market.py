"""The Market family: ``POST /api/v1/jobs/createTask`` and ``GET /api/v1/jobs/recordInfo``.

Sora 2, Kling, Hailuo/MiniMax, Wan and Seedance all speak it. A Market model is mostly data: a
:class:`~kie_core.models.ModelSpec` whose modes name their KIE model ids, plus a map from the
common request fields to the model's ``input`` keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kie_core.calls import EndpointCall
from kie_core.errors import MalformedResponseError
from kie_core.families.base import (
    TaskFamily,
    float_or_none,
    int_or_none,
    json_object,
    require_mapping,
    text_or_none,
    url_list,
)
from kie_core.models import ModelSpec, ResolvedRequest, VideoModel
from kie_core.status import CallbackEvent, TaskState, TaskStatus, from_epoch_ms

CREATE_PATH = "/api/v1/jobs/createTask"
STATUS_PATH = "/api/v1/jobs/recordInfo"

#: Market ``state`` values and what they mean. Anything else that is not terminal is running.
MARKET_STATES: dict[str, TaskState] = {
    "waiting": TaskState.PENDING,
    "queuing": TaskState.PENDING,
    "generating": TaskState.RUNNING,
    "success": TaskState.SUCCEEDED,
    "fail": TaskState.FAILED,
}


class MarketFamily(TaskFamily):
    """Reads Market task records and callbacks (the callback body has the record's shape)."""

    name = "market"

    def status_call(self, task_id: str) -> EndpointCall:
        """Return ``GET /api/v1/jobs/recordInfo?taskId=...``."""
        return EndpointCall(method="GET", path=STATUS_PATH, params={"taskId": task_id})

    def parse_status(self, task_id: str, data: Any) -> TaskStatus:
        """Read a recordInfo ``data`` object (``resultJson`` is a JSON string or empty)."""
        record = require_mapping(data, "Market task record")
        raw_state = record.get("state")
        if not isinstance(raw_state, str) or not raw_state:
            raise MalformedResponseError("Market task record has no state", task_id=task_id)
        state = MARKET_STATES.get(raw_state.lower(), TaskState.RUNNING)
        result = json_object(record.get("resultJson"), "resultJson")
        urls = url_list(result.get("resultUrls"))
        if state is TaskState.SUCCEEDED and not urls:
            urls = url_list(result.get("resultWaterMarkUrls"))
        return TaskStatus(
            task_id=text_or_none(record.get("taskId")) or task_id,
            state=state,
            raw_state=raw_state,
            result_urls=urls,
            thumbnail_urls=url_list(result.get("firstFrameUrl")),
            fail_code=text_or_none(record.get("failCode")),
            fail_message=text_or_none(record.get("failMsg")),
            progress=int_or_none(record.get("progress")),
            credits=float_or_none(record.get("creditsConsumed")),
            created_at=from_epoch_ms(record.get("createTime")),
            completed_at=from_epoch_ms(record.get("completeTime")),
            raw=dict(record),
        )

    def parse_callback(self, body: Any) -> CallbackEvent:
        """Read a Market callback: ``{code, msg, data: <record>}``."""
        envelope = require_mapping(body, "Market callback")
        data = require_mapping(envelope.get("data"), "Market callback data")
        task_id = text_or_none(data.get("taskId"))
        if task_id is None:
            raise MalformedResponseError("Market callback has no data.taskId")
        status = self.parse_status(task_id, data)
        code = int_or_none(envelope.get("code"))
        if code is not None and code != 200 and not status.done:
            status = status.model_copy(update={"state": TaskState.FAILED})
        return CallbackEvent(
            task_id=task_id,
            family=self.name,
            status=status,
            code=code,
            message=text_or_none(envelope.get("msg")),
        )


#: The one shared Market family object.
MARKET = MarketFamily()

#: Default map from common request fields to Market ``input`` keys.
DEFAULT_FIELDS: dict[str, str | None] = {
    "prompt": "prompt",
    "first_frame": "image_url",
    "last_frame": "tail_image_url",
    "reference_images": None,
    "video": "video_url",
    "audio": "audio_url",
    "duration": "duration",
    "aspect_ratio": "aspect_ratio",
    "resolution": "resolution",
    "negative_prompt": "negative_prompt",
    "seed": "seed",
}


class MarketModel(VideoModel):
    """A Market model described by data.

    Args:
        spec: the model's capabilities; each mode's ``kie_model`` is the KIE model id used.
        fields: common field name to ``input`` key (``None`` = never sent); a key ending in
            ``[]`` is sent as a one-item list (Sora's ``image_urls``).
        per_model_fields: overrides of ``fields`` for one KIE model id.
        value_maps: per common field, a map from our value to KIE's (Sora ``16:9`` →
            ``landscape``).
        fixed_input: ``input`` keys always sent (options may override them).
        duration_as_string: Market durations are strings (``"5"``) in every shipped schema.

    Raises:
        PluginError: ``spec`` declares a family other than ``market``.
    """

    family = MARKET

    def __init__(
        self,
        spec: ModelSpec,
        *,
        fields: Mapping[str, str | None] | None = None,
        per_model_fields: Mapping[str, Mapping[str, str | None]] | None = None,
        value_maps: Mapping[str, Mapping[Any, Any]] | None = None,
        fixed_input: Mapping[str, Any] | None = None,
        duration_as_string: bool = True,
    ) -> None:
        spec.check_family(self.family.name)
        self.spec = spec
        self.fields = {**DEFAULT_FIELDS, **(fields or {})}
        self.per_model_fields = {k: dict(v) for k, v in (per_model_fields or {}).items()}
        self.value_maps = {k: dict(v) for k, v in (value_maps or {}).items()}
        self.fixed_input = dict(fixed_input or {})
        self.duration_as_string = duration_as_string

    def build_input(self, resolved: ResolvedRequest) -> dict[str, Any]:
        """Return the ``input`` object for a resolved request."""
        mode = resolved.mode
        request = resolved.request
        fields = {**self.fields, **self.per_model_fields.get(mode.kie_model or "", {})}
        values: dict[str, Any] = {
            "prompt": request.prompt,
            "first_frame": request.first_frame,
            "last_frame": request.last_frame,
            "reference_images": list(request.reference_images) or None,
            "video": request.video,
            "audio": request.audio,
            "duration": request.duration if mode.durations else None,
            "aspect_ratio": request.aspect_ratio if mode.aspect_ratios else None,
            "resolution": request.resolution if mode.resolutions else None,
            "negative_prompt": request.negative_prompt,
            "seed": request.seed,
        }
        payload: dict[str, Any] = dict(self.fixed_input)
        for common, target in fields.items():
            value = values.get(common)
            if target is None or value is None:
                continue
            key = target
            if common == "duration" and self.duration_as_string:
                value = str(value)
            if common in self.value_maps:
                value = self.value_maps[common].get(value, value)
            if key.endswith("[]"):
                key = key[:-2]
                value = value if isinstance(value, list) else [value]
            payload[key] = value
        payload.update(resolved.options)
        return payload

    def build_call(self, resolved: ResolvedRequest) -> EndpointCall:
        """Return ``POST /api/v1/jobs/createTask`` with ``{model, input, callBackUrl?}``."""
        if not resolved.mode.kie_model:
            raise ValueError(f"mode {resolved.mode.name!r} of {self.spec.name} has no kie_model")
        body: dict[str, Any] = {
            "model": resolved.mode.kie_model,
            "input": self.build_input(resolved),
        }
        if resolved.request.callback_url:
            body["callBackUrl"] = resolved.request.callback_url
        return EndpointCall(method="POST", path=CREATE_PATH, body=body)
