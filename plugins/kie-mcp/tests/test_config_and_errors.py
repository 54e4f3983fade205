"""Units: the operator's configuration, the loopback rule and the structured errors."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from kie_mcp.config import (
    ConfigError,
    McpConfig,
    cap_setting,
    check_loopback,
    inside,
    parse_cap,
)
from kie_mcp.errors import ToolRefusal, category_of, describe
from kie_mcp.spend import summarize

from kie_core import errors as kerr
from kie_core.journal import JournalState


@given(st.ip_addresses(v=4))
def test_only_ipv4_loopback_addresses_are_accepted(address: ipaddress.IPv4Address) -> None:
    if address in ipaddress.ip_network("127.0.0.0/8"):
        assert check_loopback(str(address)) == str(address)
    else:
        with pytest.raises(ConfigError, match="not a loopback address"):
            check_loopback(str(address))


@pytest.mark.parametrize("host", ["localhost", "::1", "[::1]", "127.0.0.1"])
def test_loopback_names_are_accepted(host: str) -> None:
    assert check_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "example.com", "10.0.0.1", ""])
def test_other_hosts_are_refused(host: str) -> None:
    with pytest.raises(ConfigError):
        check_loopback(host)


def test_caps_come_from_flags_then_environment_then_default() -> None:
    env = {"KIE_MCP_DAILY_CREDITS": "300", "KIE_DAILY_BUDGET": "900"}
    names = ("KIE_MCP_DAILY_CREDITS", "KIE_DAILY_BUDGET")
    assert cap_setting("100", "--daily-credits", names, 2000, env) == 100
    assert cap_setting(None, "--daily-credits", names, 2000, env) == 300
    assert cap_setting(None, "--daily-credits", names, 2000, {"KIE_DAILY_BUDGET": "900"}) == 900
    assert cap_setting(None, "--daily-credits", names, 2000, {}) == 2000
    assert cap_setting("none", "--daily-credits", names, 2000, env) is None


@pytest.mark.parametrize("text", ["-5", "0", "lots", "nan"])
def test_a_bad_cap_is_refused_naming_it(text: str) -> None:
    with pytest.raises(ConfigError, match="CAP"):
        parse_cap(text, "CAP")


def test_config_refuses_a_wait_over_45_seconds(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="max_wait_seconds"):
        McpConfig(output_dir=tmp_path, max_wait_seconds=120)
    assert "secret" not in repr(McpConfig(output_dir=tmp_path, api_key="secret-key"))


def test_inside_follows_dot_dot_and_symlinks(tmp_path: Path) -> None:
    root = tmp_path / "out"
    (root / "sub").mkdir(parents=True)
    (root / "link").symlink_to(tmp_path)
    assert inside(root / "sub" / "a.mp4", root)
    assert not inside(root / "sub" / ".." / ".." / "a.mp4", root)
    assert not inside(root / "link" / "a.mp4", root)


@pytest.mark.parametrize(
    ("error", "category", "retryable"),
    [
        (
            kerr.InvalidRequestError("bad", field="duration", value=7, accepted=[5]),
            "invalid_input",
            False,
        ),
        (kerr.AuthenticationError("no", code=401), "authentication", False),
        (kerr.InsufficientCreditsError("poor", code=402), "insufficient_credits", False),
        (kerr.RateLimitError("slow down", code=429, retry_after=3), "rate_limited", True),
        (kerr.MaintenanceError("later", code=455), "service_unavailable", True),
        (kerr.ServerError("boom", code=500), "service_unavailable", True),
        (kerr.AmbiguousServerError("lost", code=500), "ambiguous_create", False),
        (kerr.AmbiguousCreateError("lost"), "ambiguous_create", False),
        (kerr.BadRequestError("flagged", code=400), "rejected", False),
        (kerr.TaskFailedError("failed", task_id="t1"), "task_failed", False),
        (kerr.TaskTimeoutError("slow", task_id="t1"), "still_running", True),
        (kerr.DownloadError("cut", task_id="t1"), "download_failed", True),
        (kerr.TransportError("reset"), "network", True),
        (kerr.ConfigurationError("no key"), "configuration", False),
    ],
)
def test_every_kie_error_has_a_category_and_a_next_step(
    error: kerr.KieError, category: str, retryable: bool
) -> None:
    described = describe(error)
    assert described["category"] == category
    assert described["retryable"] is retryable
    assert described["next_step"]
    if isinstance(error, kerr.InvalidRequestError):
        assert described["field"] == "duration"
        assert described["accepted"] == [5]
    if isinstance(error, kerr.RateLimitError):
        assert described["retry_after"] == 3


def test_every_error_class_of_kie_core_has_a_category() -> None:
    bases = {kerr.KieError, kerr.ApiError, kerr.CallbackError}
    classes = [
        value
        for value in vars(kerr).values()
        if isinstance(value, type) and issubclass(value, kerr.KieError) and value not in bases
    ]
    assert len(classes) > 20
    for cls in classes:
        assert category_of(cls)[0] != "error", cls


def test_descriptions_are_redacted() -> None:
    error = kerr.ServerError("Bearer sk-123456 was refused", code=500)
    text = str(describe(error, redact=lambda s: s.replace("sk-123456", "***")))
    assert "sk-123456" not in text
    refusal = ToolRefusal("over_cap", "sk-123456 over", "lower it", field="requests", value=10)
    assert "sk-123456" not in str(describe(refusal, redact=lambda s: s.replace("sk-123456", "*")))
    assert describe(RuntimeError("oops"))["category"] == "internal"


@dataclass
class _Entry:
    model: str
    state: JournalState
    estimated_credits: float | None
    created_at: datetime
    actual_credits: float | None = None


def test_spend_uses_actual_credits_where_known_and_skips_rejected() -> None:
    now = datetime(2026, 5, 2, 12, tzinfo=UTC)
    entries: list[Any] = [
        _Entry("kling-2.5-turbo", JournalState.DOWNLOADED, 42, now, actual_credits=40),
        _Entry("kling-2.5-turbo", JournalState.RUNNING, 42, now),
        _Entry("kling-2.5-turbo", JournalState.REJECTED, 42, now),
        _Entry("veo-3.1-fast", JournalState.SUCCEEDED, 60, now - timedelta(days=1)),
    ]
    summary = summarize(entries)
    today, yesterday = summary["rows"]
    assert today == {
        "day": "2026-05-02",
        "model": "kling-2.5-turbo",
        "tasks": 2,
        "estimated_credits": 84,
        "actual_credits": 40,
        "actual_known_for": 1,
    }
    assert yesterday["model"] == "veo-3.1-fast"
    assert yesterday["actual_credits"] is None
    assert summary["total_estimated"] == 144
