"""The plugin SDK: everything a kie provider plugin imports, in one module.

A provider plugin (a distribution with a `kie.providers` entry point) imports only from here and
from the top-level `kie_core`; the other `kie_core` modules are the core's own and may change
between releases. A lint rule holds the shipped plugins and the documented example to it. A
Market model is mostly data:

```python
from kie_core.plugin import MarketModel, Mode, ModelSpec, PriceRow, Variant, hookimpl

MY_MODEL = MarketModel(ModelSpec(name="my-model", title="My Model", variants=(...)))

@hookimpl
def kie_register_models(register):
    register(MY_MODEL)
```

A model with its own endpoints subclasses `VideoModel` and brings a `TaskFamily` built with the
readers below. The names, by what they are for:

- hooks: `hookimpl`;
- describing a model: `ModelSpec`, `Variant`, `Mode`, `PriceRow`, `Forbidden`,
  `DeprecatedModelWarning`;
- models and calls: `VideoModel`, `MarketModel`, `ResolvedRequest`, `EndpointCall`;
- requests: `VideoRequest`, `InputKind`, `is_remote`;
- options: `ProviderOptions`, the base of a model's own options model;
- task families: `TaskFamily`, `MarketFamily`, `MARKET`, and the tolerant readers
  `require_mapping`, `json_object`, `text_or_none`, `int_or_none`, `float_or_none`, `url_list`,
  `from_epoch_ms`, `coded_callback`;
- task state: `TaskState`, `TaskStatus`, `TaskHandle`, `CallbackEvent`;
- the emulator declaration of a model's endpoint (data only, read by kie-emulator and the
  contract suite): `EndpointSchema`, `InputField`, `FieldType`, `Price`, `BilledSeconds`, the
  rules `ForbiddenInput`, `RequiredWithout`, `ItemCount`, `Rule`, and `Operation`, `Protocol`,
  `ResultKind`, `MARKET_CREATE`;
- errors a plugin raises: `InvalidRequestError` (a request the model refuses),
  `MalformedResponseError` (an answer the family cannot read), `error_for_code` (the error
  class of a KIE envelope code).

Importing this module imports none of them: each name loads its module on first use, so a
plugin's `__init__` that takes only `hookimpl` stays cheap (`kie --help` start-up is measured).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, str] = {
    "hookimpl": "kie_core.hookspecs",
    "ModelSpec": "kie_core.models",
    "Variant": "kie_core.models",
    "Mode": "kie_core.models",
    "PriceRow": "kie_core.models",
    "Forbidden": "kie_core.models",
    "DeprecatedModelWarning": "kie_core.models",
    "ProviderOptions": "kie_core.models",
    "VideoModel": "kie_core.models",
    "ResolvedRequest": "kie_core.models",
    "EndpointCall": "kie_core.calls",
    "VideoRequest": "kie_core.request",
    "InputKind": "kie_core.request",
    "is_remote": "kie_core.request",
    "TaskFamily": "kie_core.families.base",
    "coded_callback": "kie_core.families.base",
    "float_or_none": "kie_core.families.base",
    "int_or_none": "kie_core.families.base",
    "json_object": "kie_core.families.base",
    "require_mapping": "kie_core.families.base",
    "text_or_none": "kie_core.families.base",
    "url_list": "kie_core.families.base",
    "MARKET": "kie_core.families.market",
    "MarketFamily": "kie_core.families.market",
    "MarketModel": "kie_core.families.market",
    "CallbackEvent": "kie_core.status",
    "TaskHandle": "kie_core.status",
    "TaskState": "kie_core.status",
    "TaskStatus": "kie_core.status",
    "from_epoch_ms": "kie_core.status",
    "InvalidRequestError": "kie_core.errors",
    "MalformedResponseError": "kie_core.errors",
    "error_for_code": "kie_core.errors",
    "MARKET_CREATE": "kie_core.emulation",
    "BilledSeconds": "kie_core.emulation",
    "EndpointSchema": "kie_core.emulation",
    "FieldType": "kie_core.emulation",
    "ForbiddenInput": "kie_core.emulation",
    "InputField": "kie_core.emulation",
    "ItemCount": "kie_core.emulation",
    "Operation": "kie_core.emulation",
    "Price": "kie_core.emulation",
    "Protocol": "kie_core.emulation",
    "RequiredWithout": "kie_core.emulation",
    "ResultKind": "kie_core.emulation",
    "Rule": "kie_core.emulation",
}

__all__ = [
    "MARKET",
    "MARKET_CREATE",
    "BilledSeconds",
    "CallbackEvent",
    "DeprecatedModelWarning",
    "EndpointCall",
    "EndpointSchema",
    "FieldType",
    "Forbidden",
    "ForbiddenInput",
    "InputField",
    "InputKind",
    "InvalidRequestError",
    "ItemCount",
    "MalformedResponseError",
    "MarketFamily",
    "MarketModel",
    "Mode",
    "ModelSpec",
    "Operation",
    "Price",
    "PriceRow",
    "Protocol",
    "ProviderOptions",
    "RequiredWithout",
    "ResolvedRequest",
    "ResultKind",
    "Rule",
    "TaskFamily",
    "TaskHandle",
    "TaskState",
    "TaskStatus",
    "Variant",
    "VideoModel",
    "VideoRequest",
    "coded_callback",
    "error_for_code",
    "float_or_none",
    "from_epoch_ms",
    "hookimpl",
    "int_or_none",
    "is_remote",
    "json_object",
    "require_mapping",
    "text_or_none",
    "url_list",
]

if TYPE_CHECKING:
    from kie_core.calls import EndpointCall
    from kie_core.emulation import (
        MARKET_CREATE,
        BilledSeconds,
        EndpointSchema,
        FieldType,
        ForbiddenInput,
        InputField,
        ItemCount,
        Operation,
        Price,
        Protocol,
        RequiredWithout,
        ResultKind,
        Rule,
    )
    from kie_core.errors import InvalidRequestError, MalformedResponseError, error_for_code
    from kie_core.families.base import (
        TaskFamily,
        coded_callback,
        float_or_none,
        int_or_none,
        json_object,
        require_mapping,
        text_or_none,
        url_list,
    )
    from kie_core.families.market import MARKET, MarketFamily, MarketModel
    from kie_core.hookspecs import hookimpl
    from kie_core.models import (
        DeprecatedModelWarning,
        Forbidden,
        Mode,
        ModelSpec,
        PriceRow,
        ProviderOptions,
        ResolvedRequest,
        Variant,
        VideoModel,
    )
    from kie_core.request import InputKind, VideoRequest, is_remote
    from kie_core.status import CallbackEvent, TaskHandle, TaskState, TaskStatus, from_epoch_ms


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'kie_core.plugin' has no attribute {name!r}")
    value = getattr(import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
