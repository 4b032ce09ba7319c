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
from events.vocabulary import ERASED
from projections.directory_tables import directory_entries
from projections.names import display_name
from projections.timeline_tables import timeline_entries

SCRUBBED_TABLES = ("subject_keys", "directory_entries", "directory_names", "reminder_states")


@dataclass(frozen=True)
class Mention:
    """An entry whose own text names the person."""

    kind: str
    entry_id: str
    title: str
    when: str


def identifying_texts(data: dict[str, Any]) -> list[str]:
    """The strings that identify a person in free text: names in both orders, addresses.

    Erased values are skipped: "[erased]" names everyone already forgotten, not this person.
    """
    kept = {k: v for k, v in data.items() if v != ERASED and v != [ERASED]}
    family, given = kept.get("family_name") or "", kept.get("given_name") or ""
    texts = [
        display_name(family, given, family_first=True),
        display_name(family, given, family_first=False),
        kept.get("native_name"),
        kept.get("preferred_name"),
        *kept.get("emails", []),
        *kept.get("phones", []),
    ]
    return sorted({t.strip() for t in texts if t and len(t.strip()) >= 4})


def mentions(conn: Connection, data: dict[str, Any]) -> list[Mention]:
    """Current entries whose own text names the person: timeline rows, then directory entries.

    The directory adds what no timeline row shows (another contact's notes, an organisation's
    or a corrected partnership's text); the person's own entry is what the key erases.
    """
    texts = [t.lower() for t in identifying_texts(data)]
    if not texts:
        return []
    found = _timeline_mentions(conn, texts)
    shown = {m.entry_id for m in found} | {str(data.get("contact_id"))}
    return found + [m for m in _directory_mentions(conn, texts) if m.entry_id not in shown]


def _timeline_mentions(conn: Connection, texts: list[str]) -> list[Mention]:
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


def _directory_mentions(conn: Connection, texts: list[str]) -> list[Mention]:
    """Directory entries naming the person; they have no time, so `when` is left empty."""
    haystack = func.lower(directory_entries.c.label + " " + directory_entries.c.data)
    query = (
        select(directory_entries)
        .where(
            directory_entries.c.is_retracted.is_(False),
            or_(*(haystack.contains(t, autoescape=True) for t in texts)),
        )
        .order_by(directory_entries.c.kind, directory_entries.c.label)
    )
    return [Mention(row.kind, row.entry_id, row.label, "") for row in conn.execute(query)]


def forget(ctx: CommandContext, contact_id: UUID, reason: str) -> None:
    """Record the erasure, then delete the person's key and scrub what it freed."""
    stream = stream_id("contact", contact_id)
    state, version = load(ctx, stream, evolve, Contact())
    event = ContactForgotten(contact_id=contact_id, reason=reason)
    append(ctx, stream, decide_forget(event, state), version)
    ctx.store.forget_subject(str(contact_id))
