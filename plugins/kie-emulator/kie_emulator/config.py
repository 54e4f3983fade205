"""Configuration of the emulator and of the faults it can inject."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

FaultKind = Literal[
    "rate-limit",
    "server-error",
    "maintenance",
    "error-in-200",
    "slow",
    "drop-connection",
    "malformed-json",
    "lost-create-response",
    "task-fail",
    "expired-link",
]
"""Every kind of fault the emulator can inject."""

FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)
"""The fault kinds, in documentation order."""

REQUEST_FAULT_KINDS: frozenset[str] = frozenset(
    {
        "rate-limit",
        "server-error",
        "maintenance",
        "error-in-200",
        "slow",
        "drop-connection",
        "malformed-json",
        "lost-create-response",
    }
)
"""Faults decided when a request arrives (they change the HTTP answer)."""

TASK_FAULT_KINDS: frozenset[str] = frozenset({"task-fail", "expired-link"})
"""Faults decided when a task is created (they change the task's outcome or links)."""


@dataclass(frozen=True)
class FaultRule:
    """One fault-injection rule.

    Attributes:
        kind: which fault to inject (see ``FaultKind``).
        probability: chance, between 0 and 1, that a matching request or task gets the fault.
        times: how many times the rule may fire at most; ``None`` means without limit.
        paths: request paths the rule applies to (exact path, prefix, or ``fnmatch`` pattern);
            ``None`` means every path. The ``/_emulator`` control routes are never faulted.
    """

    kind: FaultKind
    probability: float = 1.0
    times: int | None = None
    paths: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {FAULT_KINDS}")
        if isinstance(self.probability, bool) or not 0.0 <= float(self.probability) <= 1.0:
            raise ValueError(f"fault probability must be between 0 and 1, got {self.probability!r}")
        object.__setattr__(self, "probability", float(self.probability))
        if self.times is not None and (isinstance(self.times, bool) or self.times < 0):
            raise ValueError(f"fault times must be a non-negative integer, got {self.times!r}")
        if self.paths is not None:
            if isinstance(self.paths, str):
                object.__setattr__(self, "paths", (self.paths,))
            else:
                object.__setattr__(self, "paths", tuple(str(p) for p in self.paths))

    def to_dict(self) -> dict[str, Any]:
        """Return the rule as a JSON-ready mapping."""
        return {
            "kind": self.kind,
            "probability": self.probability,
            "times": self.times,
            "paths": list(self.paths) if self.paths is not None else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultRule:
        """Build a rule from a mapping such as the one ``to_dict`` returns.

        Raises:
            ValueError: a key is unknown or a value is invalid.
        """
        unknown = set(data) - {"kind", "probability", "times", "paths"}
        if unknown:
            raise ValueError(f"unknown fault rule field(s): {', '.join(sorted(unknown))}")
        if "kind" not in data:
            raise ValueError("a fault rule needs a 'kind'")
        paths = data.get("paths")
        return cls(
            kind=data["kind"],
            probability=data.get("probability", 1.0),
            times=data.get("times"),
            paths=tuple(paths) if paths is not None else None,
        )


def parse_fault(spec: str) -> FaultRule:
    """Parse a command-line fault spec into a rule.

    The form is ``KIND[=PROBABILITY[:TIMES[:PATH,PATH...]]]``, for example ``server-error=0.2``,
    ``slow`` (probability 1), or ``lost-create-response=1:1:/api/v1/jobs/createTask``.
    An empty ``TIMES`` means without limit.

    Raises:
        ValueError: the spec is malformed.
    """
    kind, _, rest = spec.strip().partition("=")
    kind = kind.strip()
    if not rest:
        return FaultRule(kind=kind)  # type: ignore[arg-type]
    parts = rest.split(":", 2)
    try:
        probability = float(parts[0])
    except ValueError as exc:
        raise ValueError(f"bad fault probability in {spec!r}") from exc
    times: int | None = None
    if len(parts) > 1 and parts[1].strip():
        try:
            times = int(parts[1])
        except ValueError as exc:
            raise ValueError(f"bad fault times in {spec!r}") from exc
    paths: tuple[str, ...] | None = None
    if len(parts) > 2 and parts[2].strip():
        paths = tuple(p.strip() for p in parts[2].split(",") if p.strip())
    return FaultRule(kind=kind, probability=probability, times=times, paths=paths)  # type: ignore[arg-type]


def _positive(name: str, value: float) -> None:
    if isinstance(value, bool) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")


def _non_negative(name: str, value: float) -> None:
    if isinstance(value, bool) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a non-negative number, got {value!r}")


@dataclass
class EmulatorConfig:
    """Everything that shapes one emulator instance.

    Attributes:
        api_key: the accepted Bearer token; ``None`` accepts any non-empty token.
        credits: the starting balance.
        task_seconds: how long a task takes from creation to its terminal state.
        link_ttl: seconds a result link stays valid after the task finished.
        webhook_hmac_key: when set, callbacks carry ``X-Webhook-Timestamp`` and
            ``X-Webhook-Signature``.
        faults: the fault rules active after start and after every reset.
        create_limit: task creations allowed per key within ``create_window`` seconds.
        create_window: the sliding window of the creation limit, in seconds.
        query_limit: status queries allowed per key within ``query_window`` seconds.
        query_window: the sliding window of the query limit, in seconds.
        public_base_url: base of every issued link; ``None`` derives it from the request.
        result_bytes: when set, result videos are the sample padded to exactly this size.
        seed: seed of the random generator (fault draws, ids); ``None`` is nondeterministic.
        callback_timeout: seconds a callback receiver gets to answer.
        callback_retries: how many times a failed callback is retried.
        callback_retry_delay: seconds between callback attempts.
        slow_seconds: how long the ``slow`` fault holds a request before answering.
        tick_interval: seconds between two passes of the background ticker.
    """

    api_key: str | None = None
    credits: float = 10000.0
    task_seconds: float = 6.0
    link_ttl: float = 3600.0
    webhook_hmac_key: str | None = None
    faults: list[FaultRule] = field(default_factory=list)
    create_limit: int = 20
    create_window: float = 10.0
    query_limit: int = 10
    query_window: float = 1.0
    public_base_url: str | None = None
    result_bytes: int | None = None
    seed: int | None = None
    callback_timeout: float = 15.0
    callback_retries: int = 3
    callback_retry_delay: float = 1.0
    slow_seconds: float = 30.0
    tick_interval: float = 0.05

    def __post_init__(self) -> None:
        if self.api_key is not None and not self.api_key.strip():
            raise ValueError("api_key must be non-empty or None")
        _non_negative("credits", self.credits)
        _non_negative("task_seconds", self.task_seconds)
        _positive("link_ttl", self.link_ttl)
        _positive("create_window", self.create_window)
        _positive("query_window", self.query_window)
        _positive("callback_timeout", self.callback_timeout)
        _non_negative("callback_retry_delay", self.callback_retry_delay)
        _non_negative("slow_seconds", self.slow_seconds)
        _positive("tick_interval", self.tick_interval)
        for name in ("create_limit", "query_limit", "callback_retries"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
        if self.result_bytes is not None and (
            isinstance(self.result_bytes, bool) or self.result_bytes <= 0
        ):
            raise ValueError(f"result_bytes must be a positive integer, got {self.result_bytes!r}")
        if self.public_base_url is not None:
            self.public_base_url = self.public_base_url.rstrip("/")
        self.faults = [
            f if isinstance(f, FaultRule) else FaultRule.from_dict(f) for f in self.faults
        ]

    def replace(self, **changes: Any) -> EmulatorConfig:
        """Return a copy with some fields changed (validated like a new config)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Return the configuration as a JSON-ready mapping (the API key is masked)."""
        data = dataclasses.asdict(self)
        data["faults"] = [f.to_dict() for f in self.faults]
        data["api_key"] = None if self.api_key is None else "***"
        data["webhook_hmac_key"] = None if self.webhook_hmac_key is None else "***"
        return data


RUNTIME_FIELDS: frozenset[str] = frozenset(
    f.name for f in dataclasses.fields(EmulatorConfig) if f.name not in {"seed"}
)
"""Config fields that may be changed while the emulator runs."""
