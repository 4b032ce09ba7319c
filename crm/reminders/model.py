"""What a reminder is: one due item for one recipient, and a digest that groups them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class VisitDetails:
    """What the calendar attachment of a visit reminder needs."""

    mission_id: str
    name: str
    direction: str
    """inbound (a delegation we host) or outbound (our trade mission)."""
    starts_on: date
    ends_on: date
    timezone: str
    places: tuple[str, ...] = ()
    starts_at: datetime | None = None
    """Set when the visit starts at a known time (aware); else it is all-day."""
    ends_at: datetime | None = None
    people: tuple[str, ...] = ()


@dataclass(frozen=True)
class DueReminder:
    """One reminder occurrence for one recipient.

    `key` is deterministic: rule, subject, occurrence, offset and recipient. The same
    occurrence always has the same key, which is what makes sending it at most once possible.
    """

    key: str
    rule: str
    """visit, followup, overdue, agreement or keep_in_touch."""
    subject_id: str
    occurrence: str
    offset: str
    recipient: str
    recipient_timezone: str
    due_at: datetime
    """When it should go out: the local send hour on its day, in the recipient's zone."""
    title: str
    detail: str
    visit: VisitDetails | None = None
    address: str | None = None
    """The email to send to, when `recipient` is a reference ("contact:<id>") rather than an
    address: reminder records then hold no personal data an erasure would have to chase."""

    @property
    def send_to(self) -> str:
        """The address the digest goes to."""
        return self.address or self.recipient


@dataclass(frozen=True)
class Digest:
    """Everything due for one recipient in one run: one email."""

    recipient: str
    message_id: str
    """`<hex@domain>`; the same on every retry of this digest."""
    items: tuple[DueReminder, ...]
    generated_at: datetime
    subject: str = field(default="")
