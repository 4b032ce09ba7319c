"""Whether every read model is current, asked without loading projections or event models.

A read command asks this first. In the usual case (nothing written since the last catch-up)
it reads at once, and pydantic, the event schemas and the projection classes are never
imported: a fifth of a read command's start-up.
"""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError

from events.database import read_transaction
from events.tables import HEAD_POSITION
from projections import directory, followups, reminders, timeline, upcoming
from projections.state import projection_state

VIEW_VERSIONS: dict[str, int] = {
    "directory": directory.VERSION,
    "timeline": timeline.VERSION,
    "followups": followups.VERSION,
    "upcoming": upcoming.VERSION,
    "reminders": reminders.VERSION,
}
"""Every read model by projection name, with its tables' version (the catalog agrees)."""


def views_current(engine: Engine) -> bool:
    """Say whether every read model has this code's version and has applied the whole log.

    False whenever in doubt (a new store has no checkpoint table yet): the caller then runs
    the full catch-up, which settles every case.
    """
    try:
        with read_transaction(engine) as conn:
            head = conn.execute(HEAD_POSITION).scalar_one_or_none()
            query = select(
                projection_state.c.name, projection_state.c.version, projection_state.c.position
            )
            states = {name: (version, position) for name, version, position in conn.execute(query)}
    except DBAPIError:
        return False
    if head is None:
        return False
    return all(
        name in states and states[name][0] == version and states[name][1] >= head
        for name, version in VIEW_VERSIONS.items()
    )
