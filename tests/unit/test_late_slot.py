"""A send that wakes up long after its rate-limit slot takes a new slot instead of going late."""

from __future__ import annotations

import httpx

from kie_core.client import Client
from kie_core.flows import LATE_SLOT_ATTEMPTS, LATE_SLOT_TOLERANCE
from kie_core.ratelimit import CallKind


class CountingLimiter:
    def __init__(self, wait: float) -> None:
        self.wait = wait
        self.reserved: list[str] = []

    def reserve(self, kind: CallKind | str) -> float:
        self.reserved.append(str(kind))
        return self.wait

    def pause(self, kind: CallKind | str, seconds: float) -> None:
        return None


def answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"code": 200, "msg": "success", "data": 12.5})


def client(limiter: CountingLimiter, overshoot: list[float]) -> Client:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds + (overshoot.pop(0) if overshoot else 0.0)

    return Client(
        "key-for-tests",
        base_url="http://kie.test",
        journal=False,
        rate_limiter=limiter,
        transport=httpx.MockTransport(answer),
        clock=lambda: now[0],
        sleep=sleep,
    )


def test_a_punctual_wake_up_uses_its_slot() -> None:
    limiter = CountingLimiter(0.5)
    with client(limiter, [LATE_SLOT_TOLERANCE / 2]) as kie:
        assert kie.credits() == 12.5
    assert limiter.reserved == ["query"]


def test_a_late_wake_up_takes_a_new_slot() -> None:
    limiter = CountingLimiter(0.5)
    with client(limiter, [LATE_SLOT_TOLERANCE + 0.5, 0.0]) as kie:
        assert kie.credits() == 12.5
    assert limiter.reserved == ["query", "query"]


def test_a_process_that_always_wakes_late_still_sends() -> None:
    limiter = CountingLimiter(0.5)
    with client(limiter, [1.0] * 10) as kie:
        assert kie.credits() == 12.5
    assert len(limiter.reserved) == LATE_SLOT_ATTEMPTS
