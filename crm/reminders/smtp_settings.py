"""Where reminder mail goes: the [smtp] config section and CRM_SMTP_* variables, checked once.

The password never comes from the config file, which is often shared or checked in: only
from CRM_SMTP_PASSWORD or a file named by `password_file` / CRM_SMTP_PASSWORD_FILE.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

from crm import fields
from crm.config import ConfigError
from crm.errors import BadInputError

Security = Literal["starttls", "ssl", "none"]
SECURITIES: tuple[Security, ...] = ("starttls", "ssl", "none")
DEFAULT_PORTS: dict[Security, int] = {"none": 25, "starttls": 587, "ssl": 465}
DEFAULT_TIMEOUT = 30.0
"""Seconds to wait for the server: long enough for a slow relay, short enough for a scheduler."""

ENV_PREFIX = "CRM_SMTP_"


@dataclass(frozen=True, kw_only=True)
class SmtpSettings:
    """How to reach the mail server and whom reminders come from."""

    host: str = "localhost"
    port: int = DEFAULT_PORTS["starttls"]
    security: Security = "starttls"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def load(cls, section: dict[str, Any], environ: Mapping[str, str]) -> SmtpSettings:
        """Resolve settings from CRM_SMTP_* variables, then the [smtp] section, then defaults."""
        if "password" in section:
            raise ConfigError(
                "[smtp] password is not read from the config file; set CRM_SMTP_PASSWORD "
                "or name a file holding it with password_file"
            )
        security = _security(*_pick(section, environ, "security", "starttls"))
        host = _text(*_pick(section, environ, "host", "localhost"))
        user_raw, user_where = _pick(section, environ, "user", None)
        user = None if user_raw is None else _text(user_raw, user_where)
        password = _password(section, environ)
        if user is not None and password is None:
            raise ConfigError(
                f"{user_where} is set but no password: set CRM_SMTP_PASSWORD or password_file"
            )
        if user is not None and security == "none" and not _is_loopback(host):
            raise ConfigError(
                f"refusing to send the SMTP password unencrypted to {host}; "
                "use security = starttls or ssl"
            )
        sender_raw, sender_where = _pick(section, environ, "sender", None)
        if sender_raw is None:
            raise ConfigError("no sender address: set sender in [smtp] or CRM_SMTP_SENDER")
        return cls(
            host=host,
            port=_port(*_pick(section, environ, "port", DEFAULT_PORTS[security])),
            security=security,
            user=user,
            password=password,
            sender=_sender(sender_raw, sender_where),
            timeout=_timeout(*_pick(section, environ, "timeout", DEFAULT_TIMEOUT)),
        )


def _pick(
    section: Mapping[str, Any], environ: Mapping[str, str], key: str, default: Any
) -> tuple[Any, str]:
    """The raw value of `key` and where it came from, for error messages; environment wins."""
    env_name = ENV_PREFIX + key.upper()
    if environ.get(env_name):
        return environ[env_name], env_name
    return section.get(key, default), f"[smtp] {key}"


def _text(raw: Any, where: str) -> str:
    if not isinstance(raw, str) or not raw.strip() or any(c.isspace() for c in raw.strip()):
        raise ConfigError(f"{where} must be a non-empty word without spaces")
    return raw.strip()


def _security(raw: Any, where: str) -> Security:
    value = raw.strip().lower() if isinstance(raw, str) else raw
    if value not in SECURITIES:
        raise ConfigError(f"{where} {raw!r} is not one of {', '.join(SECURITIES)}")
    return cast(Security, value)


def _port(raw: Any, where: str) -> int:
    text = str(raw).strip()
    if isinstance(raw, bool) or not text.isascii() or not text.isdigit():
        raise ConfigError(f"{where} {raw!r} is not a port number (1-65535)")
    port = int(text)
    if not 1 <= port <= 65535:
        raise ConfigError(f"{where} {port} is outside 1-65535")
    return port


def _timeout(raw: Any, where: str) -> float:
    try:
        seconds = float(raw) if not isinstance(raw, bool) else -1.0
    except (TypeError, ValueError):
        seconds = -1.0
    if not 0 < seconds <= 3600:
        raise ConfigError(f"{where} {raw!r} is not a number of seconds between 0 and 3600")
    return seconds


def _sender(raw: Any, where: str) -> str:
    if not isinstance(raw, str):
        raise ConfigError(f"{where} must be an email address")
    try:
        return fields.email(raw, where)
    except BadInputError as error:
        raise ConfigError(str(error)) from None


def _password(section: Mapping[str, Any], environ: Mapping[str, str]) -> str | None:
    """CRM_SMTP_PASSWORD, else the file named by CRM_SMTP_PASSWORD_FILE or password_file."""
    if environ.get("CRM_SMTP_PASSWORD"):
        return environ["CRM_SMTP_PASSWORD"]
    raw, where = _pick(section, environ, "password_file", None)
    if raw is None:
        return None
    if not isinstance(raw, str) or not raw.strip():
        raise ConfigError(f"{where} must name a file")
    path = Path(raw.strip()).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not UTF-8 text"
        raise ConfigError(
            f"cannot read the SMTP password file {path} ({where}): {reason}"
        ) from None
    password = text.removesuffix("\n").removesuffix("\r")
    if not password:
        raise ConfigError(f"the SMTP password file {path} ({where}) is empty")
    return password


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
