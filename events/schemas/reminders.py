"""Events of the reminder stream: each occurrence claimed, sent, failed or skipped, once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from events.event import Event
from events.registry import registry


@registry.register
class ReminderClaimed(Event):
    """A sender took a reminder to send it; the claim lapses at `lease_until` if not sent."""

    key: str
    rule: str
    subject_id: str
    recipient: str
    due_at: datetime
    message_id: str
    claimed_by: str
    lease_until: datetime


@registry.register
class ReminderHandedOver(Event):
    """The whole message is with the SMTP server and only its end-of-data mark is left to send.

    Past this point the message may arrive, so a sender that dies here is never retried: its
    reminder is settled as sent-unconfirmed rather than risk a second copy.
    """

    key: str
    message_id: str


@registry.register
class ReminderSent(Event):
    """The SMTP server accepted the reminder (`confirmed` is False when settled after a crash
    that followed the hand-over: the server most likely has it, but never said so to us)."""

    schema_version = 2

    key: str
    message_id: str
    sent_at: datetime
    confirmed: bool = True


@registry.upcaster("ReminderSent", from_version=1)
def _sent_v1(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 had no `confirmed`: every send then was one the server acknowledged."""
    return {**data, "confirmed": True}


@registry.register
class ReminderFailed(Event):
    """Sending failed; it is tried again after `retry_at` unless the failure is permanent."""

    key: str
    message_id: str
    attempt: int
    error: str
    retry_at: datetime | None = None


@registry.register
class ReminderSkipped(Event):
    """A reminder was found too late to be useful and was not sent."""

    key: str
    rule: str
    subject_id: str
    recipient: str
    due_at: datetime
    reason: str
