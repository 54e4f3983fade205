"""What the operator decides and the agent cannot change: caps, folders, models, the wait bound.

Everything here comes from the ``kie mcp`` command line, the environment or the kie config
file, never from a tool call.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

#: Environment variables ``kie mcp`` reads (the command-line options win over them).
OUTPUT_DIR_ENV = "KIE_MCP_OUTPUT_DIR"
INPUT_DIRS_ENV = "KIE_MCP_INPUT_DIRS"
CALL_CAP_ENV = "KIE_MCP_MAX_CALL_CREDITS"
DAILY_CAP_ENV = "KIE_MCP_DAILY_CREDITS"
#: The daily budget of the rest of kie, used when no MCP-specific daily cap is set.
DAILY_BUDGET_ENV = "KIE_DAILY_BUDGET"
MODELS_ENV = "KIE_MCP_MODELS"

#: Defaults: a generate call may commit at most this many credits, a UTC day at most this many.
DEFAULT_CALL_CAP = 500.0
DEFAULT_DAILY_CAP = 2000.0

#: The longest a ``tasks`` call waits, whatever the agent asks: MCP clients give up near 60 s.
MAX_WAIT_SECONDS = 45.0

#: Requests one ``estimate`` or ``generate`` call takes.
MAX_REQUESTS = 16

#: Ids one ``tasks`` or ``collect`` call takes.
MAX_IDS = 32

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost"})


class ConfigError(ValueError):
    """A configuration value is unusable; the message names it, its value and what is accepted."""


@dataclass(frozen=True)
class McpConfig:
    """The server's fixed configuration.

    Attributes:
        output_dir: the one folder ``collect`` writes into (created on first use).
        input_dirs: folders local input files may come from (besides ``output_dir``).
        max_call_credits: credits one ``generate`` call may commit; None for no cap.
        daily_credits: credits a UTC day may commit (per the journal); None for no cap.
        allowed_models: model names (or aliases) the agent may use; empty means all installed.
        poll_seconds: seconds between status reads while ``tasks`` waits.
        max_wait_seconds: the bound of a ``tasks`` wait.
        api_key: the KIE API key (never shown in a repr or a tool result).
        base_url: the KIE API base URL, or None for the client's default.
        upload_base_url: the upload host base URL, or None for the client's default.
        journal: the journal file, or None for the journal's default.
    """

    output_dir: Path
    input_dirs: tuple[Path, ...] = ()
    max_call_credits: float | None = DEFAULT_CALL_CAP
    daily_credits: float | None = DEFAULT_DAILY_CAP
    allowed_models: tuple[str, ...] = ()
    poll_seconds: float = 3.0
    max_wait_seconds: float = MAX_WAIT_SECONDS
    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None
    upload_base_url: str | None = None
    journal: str | None = None

    def __post_init__(self) -> None:
        for name in ("max_call_credits", "daily_credits"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ConfigError(f"{name} must be a positive number of credits, got {value!r}")
        if not 0 < self.poll_seconds <= self.max_wait_seconds:
            raise ConfigError(
                f"poll_seconds must be above 0 and at most {self.max_wait_seconds}, "
                f"got {self.poll_seconds!r}"
            )
        if not 0 < self.max_wait_seconds <= MAX_WAIT_SECONDS:
            raise ConfigError(
                f"max_wait_seconds must be above 0 and at most {MAX_WAIT_SECONDS}, "
                f"got {self.max_wait_seconds!r}"
            )


def parse_cap(text: str | None, origin: str) -> float | None:
    """Read a credit cap: a positive number, or ``none`` / ``off`` for no cap."""
    if text is None:
        return None
    cleaned = text.strip().lower()
    if cleaned in ("none", "off", "unlimited"):
        return None
    try:
        value = float(cleaned)
    except ValueError:
        raise ConfigError(
            f"{origin}: {text!r} is not a number of credits (or 'none' for no cap)"
        ) from None
    if not value > 0:
        raise ConfigError(f"{origin}: {text!r} must be a positive number of credits")
    return value


def cap_setting(
    flag: str | None,
    option: str,
    env_names: tuple[str, ...],
    default: float,
    environ: Mapping[str, str],
) -> float | None:
    """Return a cap from its flag, else the first of its environment variables, else default."""
    if flag is not None:
        return parse_cap(flag, option)
    for name in env_names:
        value = environ.get(name)
        if value:
            return parse_cap(value, name)
    return default


def split_list(text: str | None, separator: str = ",") -> tuple[str, ...]:
    """Split a comma (or path) separated setting, dropping blanks."""
    if not text:
        return ()
    return tuple(part.strip() for part in text.split(separator) if part.strip())


def env_paths(environ: Mapping[str, str]) -> tuple[Path, ...]:
    """Return the input folders of ``KIE_MCP_INPUT_DIRS`` (``os.pathsep`` separated)."""
    return tuple(Path(p).expanduser() for p in split_list(environ.get(INPUT_DIRS_ENV), os.pathsep))


def check_loopback(host: str) -> str:
    """Return ``host`` when it is a loopback address or name; refuse anything else.

    The HTTP transport has no authentication: whoever reaches it spends the account's credits,
    so it only listens where nothing but this machine can connect.
    """
    name = host.strip().strip("[]")
    if name.lower() in _LOOPBACK_NAMES:
        return name
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        address = None
    if address is not None and address.is_loopback:
        return name
    raise ConfigError(
        f"--host {host!r} is not a loopback address: the MCP HTTP transport has no "
        "authentication, so it listens only on 127.0.0.1, ::1 or localhost"
    )


def inside(path: Path, folder: Path) -> bool:
    """Return whether ``path`` (resolved, symlinks followed) lies inside ``folder``."""
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True
