"""What is coming: visits, follow-ups due (and overdue), agreements expiring."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from events.reader import reader_of

if TYPE_CHECKING:
    from events.reader import Readable, Reader


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


def _owners(reader: Reader) -> dict[str, str | None]:
    """Each partnership's owner email."""
    sql = "SELECT entry_id, data FROM directory_entries WHERE kind = 'partnership'"
    return {entry_id: json.loads(data).get("owner_email") for entry_id, data in reader.rows(sql)}


def upcoming(conn: Readable, today: date, days: int, owner: str | None) -> list[UpcomingLine]:
    """Everything dated between today and `days` ahead, plus overdue follow-ups."""
    reader = reader_of(conn)
    horizon = (today + timedelta(days=days)).isoformat()
    owners = _owners(reader)
    lines = _visits(reader, today, horizon, owners) + _expiries(reader, today, horizon, owners)
    lines += _followups(reader, today, horizon)
    if owner is not None:
        lines = [line for line in lines if line.owner == owner.lower()]
    return sorted(lines, key=lambda line: (line.day, line.kind, line.title))


def _visits(
    reader: Reader, today: date, horizon: str, owners: dict[str, str | None]
) -> list[UpcomingLine]:
    sql = (
        "SELECT mission_id, name, direction, starts_day, ends_day, places, partnership_ids"
        " FROM upcoming_visits WHERE ends_day >= :today AND starts_day <= :horizon"
        " AND status = 'planned' AND is_retracted = false"
    )
    lines = []
    for mission_id, name, direction, starts_day, ends_day, places, partnership_ids in reader.rows(
        sql, {"today": today.isoformat(), "horizon": horizon}
    ):
        partnerships = json.loads(partnership_ids)
        where = ", ".join(p["name"] for p in json.loads(places))
        lines.append(
            UpcomingLine(
                day=date.fromisoformat(starts_day),
                kind="visit" if direction == "inbound" else "mission",
                title=name,
                entry_id=mission_id,
                owner=next((owners.get(p) for p in partnerships if owners.get(p)), None),
                detail=f"{starts_day} to {ends_day}, {where}",
            )
        )
    return lines


def _expiries(
    reader: Reader, today: date, horizon: str, owners: dict[str, str | None]
) -> list[UpcomingLine]:
    sql = (
        "SELECT agreement_id, partnership_id, title, signed_on, expires_on, place"
        " FROM upcoming_agreements WHERE expires_on >= :today AND expires_on <= :horizon"
        " AND is_retracted = false"
    )
    return [
        UpcomingLine(
            day=date.fromisoformat(expires_on),
            kind="expiry",
            title=title,
            entry_id=agreement_id,
            owner=owners.get(partnership_id),
            detail=f"signed {signed_on} in {place}",
        )
        for agreement_id, partnership_id, title, signed_on, expires_on, place in reader.rows(
            sql, {"today": today.isoformat(), "horizon": horizon}
        )
    ]


def _followups(reader: Reader, today: date, horizon: str) -> list[UpcomingLine]:
    """Open follow-ups due by the horizon, overdue ones included: thousands on a busy store."""
    sql = (
        "SELECT due_day, text, followup_id, owner_email, due_time, due_zone FROM followup_items"
        " WHERE status = 'open' AND is_retracted = false AND due_day <= :horizon"
    )
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
        for due_day, text, followup_id, owner, due_time, due_zone in reader.rows(
            sql, {"horizon": horizon}
        )
    ]
