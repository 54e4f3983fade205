"""Small pieces tested on their own: ranges, ledger, limiter, config, fault rules."""

from __future__ import annotations

import pytest
from kie_emulator.config import EmulatorConfig, FaultRule, parse_fault
from kie_emulator.faults import path_matches
from kie_emulator.ledger import InsufficientCredits, Ledger
from kie_emulator.ranges import Unsatisfiable, parse_range
from kie_emulator.ratelimit import SlidingWindowLimiter
from kie_emulator.state import Emulator


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-0", (0, 0)),
        ("bytes=5-", (5, 99)),
        ("bytes=-1", (99, 99)),
        ("bytes=-500", (0, 99)),
        ("bytes=90-500", (90, 99)),
        ("bytes = 1-2", (1, 2)),
        ("bytes=3-1", None),
        ("bytes=0-1, 3-4", None),
        ("chunks=0-1", None),
        ("bytes=-", None),
        ("bytes=a-", None),
    ],
)
def test_parse_range(header: str | None, expected: tuple[int, int] | None) -> None:
    assert parse_range(header, 100) == expected


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=-0", "bytes=100-200"])
def test_parse_range_unsatisfiable(header: str) -> None:
    with pytest.raises(Unsatisfiable):
        parse_range(header, 100)


def test_ledger_charges_refunds_and_refuses_overdraft() -> None:
    ledger = Ledger(100)
    ledger.charge(60, 1, "t", "m")
    with pytest.raises(InsufficientCredits):
        ledger.charge(41, 2, "u", "m")
    ledger.refund(60, 3, "t", "m")
    ledger.set_balance(10, 4)
    assert [(e.kind, e.delta, e.balance) for e in ledger.entries] == [
        ("charge", -60, 40),
        ("refund", 60, 100),
        ("set", -90, 10),
    ]


def test_sliding_window() -> None:
    limiter = SlidingWindowLimiter()
    assert limiter.hit("k", 0.0, 2, 10) is None
    assert limiter.hit("k", 4.0, 2, 10) is None
    assert limiter.hit("k", 5.0, 2, 10) == pytest.approx(5.0)
    assert limiter.hit("other", 5.0, 2, 10) is None
    assert limiter.hit("k", 10.0, 2, 10) is None
    assert limiter.hit("fresh", 0.0, 0, 10) == pytest.approx(10.0)


def test_parse_fault() -> None:
    assert parse_fault("slow") == FaultRule("slow", 1.0)
    assert parse_fault("server-error=0.25") == FaultRule("server-error", 0.25)
    assert parse_fault("task-fail=1:2") == FaultRule("task-fail", 1.0, times=2)
    assert parse_fault("drop-connection=0.5::/files/,/api/v1/jobs") == FaultRule(
        "drop-connection", 0.5, paths=("/files/", "/api/v1/jobs")
    )
    for bad in ("meteor=1", "slow=2", "slow=x", "slow=1:y", "slow=1:-1"):
        with pytest.raises(ValueError):
            parse_fault(bad)


def test_fault_rule_round_trip_and_paths() -> None:
    rule = FaultRule("expired-link", 0.5, 3, ["/files/"])  # type: ignore[arg-type]
    assert rule.paths == ("/files/",)
    assert FaultRule.from_dict(rule.to_dict()) == rule
    with pytest.raises(ValueError):
        FaultRule.from_dict({"kind": "slow", "when": "now"})
    assert path_matches("/api/v1/veo/", "/api/v1/veo/generate")
    assert path_matches("/api/v1/*/record-info", "/api/v1/aleph/record-info")
    assert not path_matches("/files/", "/api/v1/chat/credit")


@pytest.mark.parametrize(
    "changes",
    [
        {"task_seconds": -1},
        {"link_ttl": 0},
        {"create_limit": -1},
        {"api_key": " "},
        {"result_bytes": 0},
        {"credits": float("nan")},
    ],
)
def test_invalid_config_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        EmulatorConfig(**changes)  # type: ignore[arg-type]


def test_result_bytes_too_close_to_the_sample_is_refused() -> None:
    with pytest.raises(ValueError):
        Emulator(EmulatorConfig(result_bytes=100))


def test_configure_refuses_unknown_fields() -> None:
    em = Emulator()
    with pytest.raises(ValueError):
        em.configure(seed=3)
    with pytest.raises(ValueError):
        em.configure(colour="blue")
    assert em.configure(task_seconds=2).task_seconds == 2
