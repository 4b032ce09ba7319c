"""Settings: command-line options, then CRM_* variables, then the config file, then defaults."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

APP_NAME = "trade-mission-crm"


class ConfigError(Exception):
    """The configuration file or a setting cannot be used."""


def data_dir() -> Path:
    """The per-user directory where the default SQLite store lives."""
    import platformdirs

    return platformdirs.user_data_path(APP_NAME)


def config_path() -> Path:
    """The config file: CRM_CONFIG, else config.toml in the per-user config directory."""
    explicit = os.environ.get("CRM_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    import platformdirs

    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def default_database_url() -> str:
    """A SQLite file in the user's data directory."""
    return f"sqlite:///{data_dir() / 'crm.db'}"


def _system_timezone() -> str:
    tz = os.environ.get("TZ", "").lstrip(":")
    if "/" in tz:
        return tz
    try:
        target = os.readlink("/etc/localtime")
    except OSError:
        return "UTC"
    marker = "zoneinfo/"
    return target.split(marker, 1)[1] if marker in target else "UTC"


def _read_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    import tomllib  # only with a config file: 7 ms of every command's start otherwise

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"cannot read the config file {path}: {error}") from None


@dataclass(frozen=True)
class Settings:
    """Everything the application reads from its environment, resolved once at start-up."""

    database_url: str
    actor: str
    timezone: str
    email: str | None = None
    """The user's own address: the default owner of follow-ups they open."""
    file: dict[str, Any] = field(default_factory=dict)
    """The whole config file, for sections other modules own (smtp, reminders)."""

    @classmethod
    def load(cls, *, database_url: str | None = None, actor: str | None = None) -> Settings:
        """Resolve settings from options, environment and the config file."""
        file = _read_file(config_path())
        general = file.get("crm", {})
        return cls(
            database_url=database_url
            or os.environ.get("CRM_DATABASE_URL")
            or general.get("database_url")
            or default_database_url(),
            actor=actor or os.environ.get("CRM_ACTOR") or general.get("actor") or _login(),
            timezone=os.environ.get("CRM_TIMEZONE")
            or general.get("timezone")
            or _system_timezone(),
            email=os.environ.get("CRM_EMAIL") or general.get("email"),
            file=file,
        )

    def section(self, name: str) -> dict[str, Any]:
        """Return one section of the config file (empty when absent)."""
        value = self.file.get(name, {})
        if not isinstance(value, dict):
            raise ConfigError(f"[{name}] in the config file must be a table")
        return value


def _login() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"
