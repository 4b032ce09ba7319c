"""Find anything by words: names in the directory, and the text of timeline entries."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from crm.reports.people import contact_name
from projections.directory import directory_entries, directory_names
from projections.names import name_key
from projections.timeline import search_rows


@dataclass(frozen=True)
class Hit:
    """One match."""

    kind: str
    entry_id: str
    label: str
    when: datetime | None = None


def search(conn: Connection, text: str, limit: int = 50) -> list[Hit]:
    """Entries whose names, and timeline entries whose text, contain every word."""
    words = name_key(text).split()
    if not words:
        return []
    names = select(directory_names.c.entry_id).distinct()
    for word in words:
        names = names.where(directory_names.c.name_key.contains(word, autoescape=True))
    query = (
        select(directory_entries)
        .where(directory_entries.c.entry_id.in_(names), directory_entries.c.is_retracted.is_(False))
        .limit(limit)
    )
    hits = []
    for row in conn.execute(query):
        data = json.loads(row.data)
        label = contact_name(data) if row.kind == "contact" else row.label
        hits.append(Hit(row.kind, row.entry_id, label))
    for found in search_rows(conn, words, limit):
        hits.append(
            Hit(
                found["kind"],
                found["entry_id"],
                found["title"],
                datetime.fromisoformat(found["occurred_local"]),
            )
        )
    return hits[:limit]
