"""Reminders for a Kunming delegation visiting Liverpool in June 2016, for the reminder tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from crm.reminders.headers import message_id
from crm.reminders.model import Digest, DueReminder, VisitDetails

LONDON = "Europe/London"
SENDER = "reminders@crm.example.org"
RECIPIENT = "ellen.cutler@liverpool.example.org"
NOW = datetime(2016, 6, 6, 7, 0, tzinfo=UTC)
"""When the digest is generated: Monday 6 June 2016, 08:00 in London."""


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock time in London."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(LONDON))


KUNMING_VISIT = VisitDetails(
    mission_id="mission-0f3c",
    name="Kunming delegation to Liverpool",
    direction="inbound",
    starts_on=date(2016, 6, 20),
    ends_on=date(2016, 6, 22),
    timezone=LONDON,
    places=("Liverpool Town Hall", "Sensor City, Liverpool"),
    starts_at=london(2016, 6, 20, 10),
    ends_at=london(2016, 6, 22, 16, 30),
    people=("Guan Qinghua", "Zhao Xuenong"),
)


def reminder(rule: str, title: str, **rest: Any) -> DueReminder:
    """A reminder for RECIPIENT due at 08:00 London on the digest's day."""
    values: dict[str, Any] = {
        "key": f"{rule}|{title}",
        "rule": rule,
        "subject_id": f"{rule}-1",
        "occurrence": "2016-06-06",
        "offset": "P0D",
        "recipient": RECIPIENT,
        "recipient_timezone": LONDON,
        "due_at": london(2016, 6, 6, 8),
        "title": title,
        "detail": f"About {title}",
    }
    return DueReminder(**(values | rest))


VISIT = reminder(
    "visit",
    "Kunming delegation arrives in two weeks",
    detail="Inbound delegation, 20-22 June 2016\nLiverpool Town Hall",
    visit=KUNMING_VISIT,
)
FOLLOWUP_1 = reminder("followup", "Send the signed MoU to Kunming")
FOLLOWUP_2 = reminder("followup", "Book Sensor City for the tour", due_at=london(2016, 6, 6, 9))


def digest(*items: DueReminder, **rest: Any) -> Digest:
    """A digest for RECIPIENT generated at NOW, with a message id made from its item keys."""
    chosen = items or (VISIT, FOLLOWUP_1, FOLLOWUP_2)
    made = Digest(
        recipient=RECIPIENT,
        message_id=message_id("|".join(item.key for item in chosen), "crm.example.org"),
        items=chosen,
        generated_at=NOW,
    )
    return replace(made, **rest)
