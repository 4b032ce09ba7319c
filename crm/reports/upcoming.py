"""What is coming: visits, follow-ups due (and overdue), agreements expiring."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection, select

from events.database import fetch_tuples
from projections.directory import directory_entries
from projections.followups import followup_items
from projections.upcoming import upcoming_agreements, upcoming_visits


@dataclass(frozen=True)
class UpcomingLine:
    """One dated thing ahead (or overdue)."""

    day: date
    kind: str
    """visit, mission, followup or expiry."""
    title: str
    entry_id: str
    owner: str | None
    detail: str
    is_overdue: bool = False


def _owners(conn: Connection) -> dict[str, str | None]:
    """Each partnership's owner email."""
    query = select(directory_entries.c.entry_id, directory_entries.c.data).where(
        directory_entries.c.kind == "partnership"
    )
    return {row.entry_id: json.loads(row.data).get("owner_email") for row in conn.execute(query)}


def upcoming(conn: Connection, today: date, days: int, owner: str | None) -> list[UpcomingLine]:
    """Everything dated between today and `days` ahead, plus overdue follow-ups."""
    horizon = (today + timedelta(days=days)).isoformat()
    owners = _owners(conn)
    lines = _visits(conn, today, horizon, owners) + _expiries(conn, today, horizon, owners)
    lines += _followups(conn, today, horizon)
    if owner is not None:
        lines = [line for line in lines if line.owner == owner.lower()]
    return sorted(lines, key=lambda line: (line.day, line.kind, line.title))


def _visits(
    conn: Connection, today: date, horizon: str, owners: dict[str, str | None]
) -> list[UpcomingLine]:
    query = select(upcoming_visits).where(
        upcoming_visits.c.ends_day >= today.isoformat(),
        upcoming_visits.c.starts_day <= horizon,
        upcoming_visits.c.status == "planned",
        upcoming_visits.c.is_retracted.is_(False),
    )
    lines = []
    for row in conn.execute(query):
        partnerships = json.loads(row.partnership_ids)
        places = ", ".join(p["name"] for p in json.loads(row.places))
        lines.append(
            UpcomingLine(
                day=date.fromisoformat(row.starts_day),
                kind="visit" if row.direction == "inbound" else "mission",
                title=row.name,
                entry_id=row.mission_id,
                owner=next((owners.get(p) for p in partnerships if owners.get(p)), None),
                detail=f"{row.starts_day} to {row.ends_day}, {places}",
            )
        )
    return lines


def _expiries(
    conn: Connection, today: date, horizon: str, owners: dict[str, str | None]
) -> list[UpcomingLine]:
    query = select(upcoming_agreements).where(
        upcoming_agreements.c.expires_on >= today.isoformat(),
        upcoming_agreements.c.expires_on <= horizon,
        upcoming_agreements.c.is_retracted.is_(False),
    )
    return [
        UpcomingLine(
            day=date.fromisoformat(row.expires_on),
            kind="expiry",
            title=row.title,
            entry_id=row.agreement_id,
            owner=owners.get(row.partnership_id),
            detail=f"signed {row.signed_on} in {row.place}",
        )
        for row in conn.execute(query)
    ]


def _followups(conn: Connection, today: date, horizon: str) -> list[UpcomingLine]:
    """Open follow-ups due by the horizon, overdue ones included: thousands on a busy store,
    so read as plain tuples (SQLAlchemy's row objects cost more than SQLite's work here)."""
    items = followup_items.c
    query = select(
        items.due_day,
        items.text,
        items.followup_id,
        items.owner_email,
        items.due_time,
        items.due_zone,
    ).where(items.status == "open", items.is_retracted.is_(False), items.due_day <= horizon)
    first = today.isoformat()
    return [
        UpcomingLine(
            day=date.fromisoformat(due_day),
            kind="followup",
            title=text,
            entry_id=followup_id,
            owner=owner,
            detail=f"due {due_day}" + (f" {due_time[:5]} {due_zone}" if due_time else ""),
            is_overdue=due_day < first,
        )
        for due_day, text, followup_id, owner, due_time, due_zone in fetch_tuples(conn, query)
    ]
