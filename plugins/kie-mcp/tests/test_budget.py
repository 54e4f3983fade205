"""The spending limits, checked on their own: what a call commits and when it is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kie_mcp.budget import Planned, check_balance, check_caps
from kie_mcp.config import McpConfig
from kie_mcp.errors import ToolRefusal

from kie_core.client import Client
from kie_core.journal import Journal
from kie_core.request import VideoRequest

PRICES = {5: 42.0, 10: 84.0}


def _planned(durations: list[int], repeats: list[bool]) -> list[Planned]:
    items = []
    with Client("unused-key", journal=False) as client:  # prepare sends nothing
        for index, (duration, repeat) in enumerate(zip(durations, repeats, strict=True)):
            request = VideoRequest(model="kling-2.5-turbo", prompt=f"p{index}", duration=duration)
            prepared = client.prepare(request)
            items.append(Planned(index, request, prepared, f"id{index}", None, repeat))
    return items


@settings(max_examples=40, deadline=None)
@given(
    durations=st.lists(st.sampled_from([5, 10]), min_size=1, max_size=16),
    repeat_seed=st.integers(min_value=0, max_value=2**16),
    cap=st.sampled_from([42.0, 100.0, 300.0, 1000.0]),
)
def test_a_call_is_refused_exactly_when_its_new_credits_exceed_the_cap(
    durations: list[int], repeat_seed: int, cap: float
) -> None:
    repeats = [bool(repeat_seed >> i & 1) for i in range(len(durations))]
    planned = _planned(durations, repeats)
    expected = sum(PRICES[d] for d, r in zip(durations, repeats, strict=True) if not r)
    config = McpConfig(output_dir=Path("unused"), max_call_credits=cap, daily_credits=None)
    with Journal(":memory:") as journal:
        if expected > cap:
            with pytest.raises(ToolRefusal) as refused:
                check_caps(planned, config, journal)
            assert refused.value.extra == {"cap": cap, "scope": "call"}
            assert refused.value.value == expected
        else:
            assert check_caps(planned, config, journal) == expected


def test_the_balance_must_cover_the_call() -> None:
    check_balance(84, 84)
    with pytest.raises(ToolRefusal) as refused:
        check_balance(84, 83.5)
    assert refused.value.category == "insufficient_credits"
    assert refused.value.extra == {"balance": 83.5}
