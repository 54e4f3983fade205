"""Spending limits: what a generate call would commit, checked against the operator's caps.

A request costs its estimate unless it follows a task already started (journal) or repeats an
earlier request of the same call. The checks run before anything is sent: the per-call cap,
the daily cap (what the journal committed since midnight UTC), then the live balance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kie_core.client import PreparedRequest
from kie_core.journal import Journal, JournalEntry
from kie_core.request import VideoRequest
from kie_mcp.config import McpConfig
from kie_mcp.errors import ToolRefusal
from kie_mcp.spend import committed_today


@dataclass(frozen=True)
class Planned:
    """One checked request of a generate call and what it would cost.

    Attributes:
        index: its position in the call.
        request: the request, local paths made absolute.
        prepared: the request checked against its model, with its estimate.
        identity: its journal fingerprint.
        existing: an identical journal entry still alive, which it would follow.
        repeat: whether an earlier request of the same call is identical.
    """

    index: int
    request: VideoRequest
    prepared: PreparedRequest
    identity: str
    existing: JournalEntry | None
    repeat: bool

    @property
    def new_credits(self) -> float | None:
        """Credits this request adds: 0 when it follows a task or repeats one of the call."""
        if self.existing is not None or self.repeat:
            return 0.0
        return self.prepared.estimated_credits


def caps_view(config: McpConfig, journal: Journal) -> dict[str, Any]:
    """Return the caps and what today (UTC) has already committed."""
    today = round(committed_today(journal), 2)
    daily = config.daily_credits
    return {
        "per_call": config.max_call_credits,
        "daily": daily,
        "committed_today": today,
        "daily_remaining": None if daily is None else round(max(daily - today, 0.0), 2),
    }


def check_caps(planned: list[Planned], config: McpConfig, journal: Journal) -> float:
    """Return the credits the call would commit; refuse it when a cap would be exceeded."""
    costs = [item.new_credits for item in planned]
    unknown = [item for item, cost in zip(planned, costs, strict=True) if cost is None]
    capped = config.max_call_credits is not None or config.daily_credits is not None
    if unknown and capped:
        first = unknown[0]
        raise ToolRefusal(
            "over_cap",
            f"model {first.prepared.resolved.spec.name!r} publishes no price, so the "
            "server's credit caps cannot be checked",
            "Use a model with a published price (the models tool shows credits).",
            field="model",
            value=first.request.model,
            index=first.index,
        )
    total = round(sum(cost or 0.0 for cost in costs), 2)
    call_cap = config.max_call_credits
    if call_cap is not None and total > call_cap:
        raise ToolRefusal(
            "over_cap",
            f"these requests would commit {total:g} credits; this server allows at most "
            f"{call_cap:g} per generate call",
            "Send fewer or cheaper requests per call (shorter durations, cheaper models).",
            field="requests",
            value=total,
            extra={"cap": call_cap, "scope": "call"},
        )
    daily = config.daily_credits
    if daily is not None:
        today = committed_today(journal)
        if today + total > daily:
            raise ToolRefusal(
                "over_cap",
                f"these requests would commit {total:g} credits; today already committed "
                f"{today:g} of this server's daily cap of {daily:g}",
                "Wait for the next UTC day, or ask the user to raise the daily cap.",
                field="requests",
                value=total,
                extra={"cap": daily, "scope": "day", "committed_today": round(today, 2)},
            )
    return total


def check_balance(total: float, balance: float) -> None:
    """Refuse a call that would commit more credits than the account has."""
    if balance < total:
        raise ToolRefusal(
            "insufficient_credits",
            f"these requests would commit {total:g} credits; the account has {balance:g}",
            "Ask the user to top up credits, or send fewer or cheaper requests.",
            field="requests",
            value=total,
            extra={"balance": balance},
        )
