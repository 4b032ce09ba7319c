"""The right to be forgotten: find what still names a person, then delete their key for good.

The erasure itself is an event (who asked it, when and why; never what). Deleting the key
makes every sealed field of the person read as "[erased]" in the log; the read models drop
their copies when they apply the event, and the database files are scrubbed of the freed
bytes (SQLite: secure_delete and a truncating checkpoint; PostgreSQL: the tables rewritten).
Free text that names the person cannot be reached by a key, so it is listed first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, func, or_, select

from crm.commands.contacts import Contact, decide_forget, evolve
from crm.commands.context import CommandContext
from crm.commands.streams import append, load, stream_id
from events.schemas.contacts import ContactForgotten
from projections.names import display_name
from projections.timeline import timeline_entries

SCRUBBED_TABLES = ("subject_keys", "directory_entries", "directory_names", "reminder_states")


@dataclass(frozen=True)
class Mention:
    """An entry whose own text names the person."""

    kind: str
    entry_id: str
    title: str
    when: str


def identifying_texts(data: dict[str, Any]) -> list[str]:
    """The strings that identify a person in free text: names in both orders, addresses."""
    family, given = data.get("family_name") or "", data.get("given_name") or ""
    texts = [
        display_name(family, given, family_first=True),
        display_name(family, given, family_first=False),
        data.get("native_name"),
        data.get("preferred_name"),
        *data.get("emails", []),
        *data.get("phones", []),
    ]
    return sorted({t.strip() for t in texts if t and len(t.strip()) >= 4})


def mentions(conn: Connection, data: dict[str, Any]) -> list[Mention]:
    """Current timeline entries whose title or details contain one of the person's texts."""
    texts = [t.lower() for t in identifying_texts(data)]
    if not texts:
        return []
    haystack = func.lower(timeline_entries.c.title + " " + timeline_entries.c.data)
    query = (
        select(timeline_entries)
        .where(
            timeline_entries.c.is_retracted.is_(False),
            or_(*(haystack.contains(t, autoescape=True) for t in texts)),
        )
        .order_by(timeline_entries.c.occurred_utc)
    )
    return [
        Mention(row.kind, row.entry_id, row.title, row.occurred_local)
        for row in conn.execute(query)
    ]


def forget(ctx: CommandContext, contact_id: UUID, reason: str) -> None:
    """Record the erasure, then delete the person's key and scrub what it freed."""
    stream = stream_id("contact", contact_id)
    state, version = load(ctx, stream, evolve, Contact())
    event = ContactForgotten(contact_id=contact_id, reason=reason)
    append(ctx, stream, decide_forget(event, state), version)
    ctx.store.forget_subject(str(contact_id))
