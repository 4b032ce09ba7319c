"""Find anything by words: names in the directory, and the text of timeline entries."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from crm.reports.people import contact_name
from events.reader import reader_of
from projections.names import name_key
from projections.timeline import search_rows

if TYPE_CHECKING:
    from events.reader import Readable


@dataclass(frozen=True)
class Hit:
    """One match."""

    kind: str
    entry_id: str
    label: str
    when: datetime | None = None


def search(conn: Readable, text: str, limit: int = 50) -> list[Hit]:
    """Entries whose names, and timeline entries whose text, contain every word."""
    words = name_key(text).split()
    if not words:
        return []
    reader = reader_of(conn)
    conditions, params = [], {"limit": limit}
    for n, word in enumerate(words):
        holds, more = reader.contains("name_key", f"word_{n}", word)
        conditions.append(holds)
        params |= more
    named = f"SELECT entry_id FROM directory_names WHERE {' AND '.join(conditions)}"
    sql = (
        "SELECT entry_id, kind, label, data FROM directory_entries"
        f" WHERE entry_id IN ({named}) AND is_retracted = false ORDER BY label, entry_id"
        " LIMIT :limit"
    )
    hits = []
    for entry_id, kind, label, data in reader.rows(sql, params):
        shown = contact_name(json.loads(data)) if kind == "contact" else label
        hits.append(Hit(kind, entry_id, shown))
    for found in search_rows(reader, words, limit):
        hits.append(
            Hit(
                found["kind"],
                found["entry_id"],
                found["title"],
                datetime.fromisoformat(found["occurred_local"]),
            )
        )
    return hits[:limit]
