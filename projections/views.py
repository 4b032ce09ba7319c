"""Whether every read model is current, asked without loading SQLAlchemy, the projections or
the event models.

A read command asks this first. In the usual case (nothing written since the last catch-up)
it reads at once: on SQLite through the stdlib driver alone, which is most of a read
command's start-up saved.
"""

from __future__ import annotations

from events.reader import Reader
from events.schema_version import LATEST, SCHEMA_VERSION_KEY
from projections import directory, followups, reminders, timeline, upcoming

VIEW_VERSIONS: dict[str, int] = {
    "directory": directory.VERSION,
    "timeline": timeline.VERSION,
    "followups": followups.VERSION,
    "upcoming": upcoming.VERSION,
    "reminders": reminders.VERSION,
}
"""Every read model by projection name, with its tables' version (the catalog agrees)."""


def views_current(reader: Reader) -> bool:
    """Say whether the store's schema is this code's and every read model has this code's
    version and has applied the whole log.

    False whenever in doubt (a new store has no checkpoint table yet): the caller then opens
    the store the long way and runs the full catch-up, which settles every case.
    """
    try:
        schema = reader.scalar(
            "SELECT value FROM store_meta WHERE name = :key", {"key": SCHEMA_VERSION_KEY}
        )
        head = reader.scalar("SELECT position FROM events_head WHERE id = 1")
        states = {
            name: (version, position)
            for name, version, position in reader.rows(
                "SELECT name, version, position FROM projection_state"
            )
        }
    except reader.errors:
        return False
    if head is None or schema is None or int(schema) != LATEST:
        return False
    return all(
        name in states and states[name][0] == version and states[name][1] >= head
        for name, version in VIEW_VERSIONS.items()
    )
