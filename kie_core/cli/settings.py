"""Where the ``kie`` command finds its API key, base URLs and journal.

Each value comes from the first of: the command-line flag, the environment variable, the
optional TOML file ``config.toml`` in the platform's config folder (``KIE_CONFIG`` names another
file). The file may hold::

    api_key = "..."
    base_url = "https://api.kie.ai"
    upload_base_url = "https://kieai.redpandaai.co"
    journal = "/path/to/journal.sqlite3"
    daily_budget = 500          # credits per UTC day, counted from the journal (or a string)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Keys the config file may hold, and the environment variable each one falls back from.
CONFIG_KEYS: dict[str, str] = {
    "api_key": "KIE_API_KEY",
    "base_url": "KIE_BASE_URL",
    "upload_base_url": "KIE_UPLOAD_BASE_URL",
    "journal": "KIE_JOURNAL",
    "daily_budget": "KIE_DAILY_BUDGET",
}


_URL_KEYS = ("base_url", "upload_base_url")


def _is_http_url(value: str) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class SettingsError(ValueError):
    """The config file cannot be read or holds something it should not."""


@dataclass(frozen=True)
class Settings:
    """The configuration one ``kie`` invocation runs with.

    Attributes:
        api_key: the KIE API key, or None when none is configured (never shown in a repr).
        base_url: the API base URL, or None for the client's default.
        upload_base_url: the upload host base URL, or None for the client's default.
        journal: the journal path, or None for the journal's default.
        config_file: the config file that was read, if one was.
        daily_budget: credits a UTC day may spend (counted from the journal), or None.
        daily_budget_origin: where the budget came from (``KIE_DAILY_BUDGET`` or the file).
    """

    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None
    upload_base_url: str | None = None
    journal: str | None = None
    config_file: Path | None = None
    daily_budget: float | None = None
    daily_budget_origin: str | None = None


def default_config_path(environ: Mapping[str, str] | None = None) -> Path:
    """Return the config file path: ``$KIE_CONFIG`` or ``<user config dir>/kie/config.toml``."""
    env = os.environ if environ is None else environ
    explicit = env.get("KIE_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("kie")) / "config.toml"


def read_config_file(path: Path) -> dict[str, str]:
    """Read the TOML config file; a missing file is an empty config.

    Raises:
        SettingsError: naming the file and the problem (bad TOML, unknown key, non-string value).
    """
    import tomllib

    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise SettingsError(f"cannot read config file {path}: {exc.strerror}") from None
    try:
        data: dict[str, Any] = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"config file {path} is not valid TOML: {exc}") from None
    values: dict[str, str] = {}
    for key, raw_value in data.items():
        value = raw_value
        if key not in CONFIG_KEYS:
            raise SettingsError(
                f"config file {path} has unknown key {key!r}; accepted: {', '.join(CONFIG_KEYS)}"
            )
        if key == "daily_budget" and isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            raise SettingsError(f"config file {path}: {key} must be a non-empty string")
        values[key] = value.strip()
    return values


def load_settings(
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    upload_base_url: str | None = None,
    journal: str | None = None,
    environ: Mapping[str, str] | None = None,
    config_path: Path | None = None,
) -> Settings:
    """Combine flags, environment and config file into :class:`Settings`.

    Args:
        api_key: the ``--api-key`` flag, if given.
        base_url: the ``--base-url`` flag, if given.
        upload_base_url: the ``--upload-base-url`` flag, if given.
        journal: the ``--journal`` flag, if given.
        environ: the environment to read (default ``os.environ``).
        config_path: the config file (default :func:`default_config_path`).

    Raises:
        SettingsError: the config file is unreadable or malformed.
    """
    env = os.environ if environ is None else environ
    path = config_path if config_path is not None else default_config_path(env)
    from_file = read_config_file(path)
    flags = {
        "api_key": api_key,
        "base_url": base_url,
        "upload_base_url": upload_base_url,
        "journal": journal,
        "daily_budget": None,
    }
    chosen: dict[str, str | None] = {}
    origins: dict[str, str] = {}
    for key, env_name in CONFIG_KEYS.items():
        flag = flags[key]
        env_value = env.get(env_name)
        if flag:
            chosen[key], origin = flag, f"--{key.replace('_', '-')}"
        elif env_value:
            chosen[key], origin = env_value, env_name
        else:
            chosen[key], origin = from_file.get(key), f"{key} in {path}"
        value = chosen[key]
        origins[key] = origin
        if key in _URL_KEYS and value is not None and not _is_http_url(value):
            keys = {api_key, env.get(CONFIG_KEYS["api_key"]), from_file.get("api_key")}
            shown = "<the API key>" if value in keys else repr(value)
            raise SettingsError(
                f"{origin}: {shown} is not an http(s) URL (for example https://api.kie.ai)"
            )
    budget = chosen["daily_budget"]
    return Settings(
        api_key=chosen["api_key"],
        base_url=chosen["base_url"],
        upload_base_url=chosen["upload_base_url"],
        journal=chosen["journal"],
        config_file=path if from_file else None,
        daily_budget=_budget(budget, origins["daily_budget"]) if budget is not None else None,
        daily_budget_origin=origins["daily_budget"] if budget is not None else None,
    )


def _budget(value: str, origin: str) -> float:
    import math

    try:
        budget = float(value)
    except ValueError:
        budget = math.nan
    if not math.isfinite(budget) or budget < 0:
        raise SettingsError(
            f"{origin}: {value!r} is not a daily budget; give a number of credits >= 0 "
            "(for example 500)"
        )
    return budget
