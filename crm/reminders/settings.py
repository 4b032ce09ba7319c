"""Reminder settings from the `[reminders]` section of the config file (defaults otherwise)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from crm.config import ConfigError, Settings
from crm.reminders.rules import ReminderRules


@dataclass(frozen=True)
class ReminderSettings:
    """How reminders are decided and sent."""

    rules: ReminderRules
    lease: timedelta = timedelta(minutes=10)
    """How long a claim holds before another sender may retry it."""
    retry_base: timedelta = timedelta(minutes=5)
    """The first wait after a failed send; it doubles with each failure."""
    retry_cap: timedelta = timedelta(hours=6)
    default_recipient: str | None = None
    """Who hears about partnerships without an owner."""

    @classmethod
    def from_settings(cls, settings: Settings) -> ReminderSettings:
        """Read `[reminders]`; every value is optional."""
        section = settings.section("reminders")
        zones = section.get("timezones", {})
        if not isinstance(zones, dict):
            raise ConfigError("[reminders.timezones] must map email addresses to time zones")
        rules = ReminderRules(
            send_hour=_int(section, "send_hour", 8, 0, 23),
            visit_days=_days(section, "visit_days", (14, 7, 1)),
            agreement_days=_days(section, "agreement_days", (90, 30)),
            keep_in_touch_days=_int(section, "keep_in_touch_days", 90, 1, 3650),
            horizon=timedelta(hours=_int(section, "horizon_hours", 48, 1, 24 * 60)),
            working_days=_days(section, "working_days", (1, 2, 3, 4, 5)),
            default_timezone=settings.timezone,
            timezones={str(k).lower(): str(v) for k, v in zones.items()},
        )
        return cls(
            rules=rules,
            lease=timedelta(minutes=_int(section, "lease_minutes", 10, 1, 24 * 60)),
            default_recipient=section.get("default_recipient") or settings.email,
        )

    def backoff(self, attempt: int) -> timedelta:
        """The wait before retry number `attempt` (1-based): doubling, capped."""
        wait: timedelta = min(self.retry_base * (2 ** (attempt - 1)), self.retry_cap)
        return wait


def _int(section: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = section.get(name, default)
    if not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"[reminders] {name} must be a whole number from {low} to {high}")
    return value


def _days(section: dict[str, Any], name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    value = section.get(name, list(default))
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, int) and v >= 0 for v in value)
    ):
        raise ConfigError(f"[reminders] {name} must be a list of whole numbers, such as [14, 7, 1]")
    return tuple(sorted(set(value), reverse=True))
