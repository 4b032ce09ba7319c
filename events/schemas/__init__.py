"""Every event type of the CRM, one module per stream type; importing this registers them all."""

from events.schemas import (
    agreements,
    contacts,
    corrections,
    followups,
    interactions,
    missions,
    organisations,
    partnerships,
    reminders,
)

__all__ = [
    "agreements",
    "contacts",
    "corrections",
    "followups",
    "interactions",
    "missions",
    "organisations",
    "partnerships",
    "reminders",
]
