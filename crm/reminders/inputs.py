"""Read what the reminder rules need from the read models, for one window of time."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Select, func, select

from crm.reminders.model import VisitDetails
from crm.reminders.rules import (
    AgreementInput,
    FollowUpInput,
    Inputs,
    QuietPartnership,
    Recipient,
    ReminderRules,
    VisitInput,
)
from projections.directory_tables import directory_entries, directory_roles
from projections.followups_tables import followup_items
from projections.timeline_tables import timeline_entries, timeline_last_touch
from projections.upcoming_tables import upcoming_agreements, upcoming_visits


class _Directory:
    """Partnership owners and our own people's addresses, loaded once per sweep."""

    def __init__(self, conn: Connection, default_recipient: str | None) -> None:
        self.conn = conn
        self.default = default_recipient
        query = select(directory_entries).where(
            directory_entries.c.kind.in_(("partnership", "organisation")),
            directory_entries.c.is_retracted.is_(False),
        )
        self.partnerships: dict[str, dict[str, Any]] = {}
        self.ours: set[str] = set()
        for row in conn.execute(query).mappings():
            data = json.loads(row["data"])
            if row["kind"] == "partnership":
                self.partnerships[row["entry_id"]] = data | {"label": row["label"]}
            elif data.get("is_ours"):
                self.ours.add(row["entry_id"])

    def owners(self, partnership_ids: list[str]) -> list[Recipient]:
        emails = [self.partnerships.get(p, {}).get("owner_email") for p in partnership_ids]
        found = [Recipient(e) for e in dict.fromkeys(e for e in emails if e)]
        return found or ([Recipient(self.default)] if self.default else [])

    def our_people(self, contact_ids: list[str], day: date) -> list[Recipient]:
        """Participants who hold a title at one of our organisations that day, with an email."""
        if not contact_ids or not self.ours:
            return []
        roles = select(directory_roles).where(
            directory_roles.c.contact_id.in_(contact_ids),
            directory_roles.c.organisation_id.in_(sorted(self.ours)),
        )
        ours = {
            r.contact_id
            for r in self.conn.execute(roles)
            if (r.since is None or r.since <= day.isoformat())
            and (r.until is None or day.isoformat() <= r.until)
        }
        query = select(directory_entries.c.entry_id, directory_entries.c.data).where(
            directory_entries.c.entry_id.in_(sorted(ours))
        )
        details = {row.entry_id: row.data for row in self.conn.execute(query)}
        people = []
        for contact_id in sorted(ours):
            data = json.loads(details[contact_id])
            emails = [e for e in data.get("emails", []) if "@" in e]
            if emails:
                people.append(Recipient(emails[0], data.get("timezone"), f"contact:{contact_id}"))
        return people


def load_inputs(
    conn: Connection,
    rules: ReminderRules,
    start: datetime,
    end: datetime,
    default_recipient: str | None = None,
) -> Inputs:
    """The visits, follow-ups, agreements and quiet partnerships that can fall due."""
    first, last = start.date() - timedelta(days=1), end.date() + timedelta(days=1)
    directory = _Directory(conn, default_recipient)
    return Inputs(
        visits=_visits(conn, directory, first, last + timedelta(days=max(rules.visit_days))),
        followups=_followups(conn, last),
        agreements=_agreements(conn, directory, rules, first, last),
        partnerships=_quiet(conn, directory),
    )


def _visits(conn: Connection, directory: _Directory, first: date, last: date) -> list[VisitInput]:
    query = _planned_visits().where(
        upcoming_visits.c.starts_day >= first.isoformat(),
        upcoming_visits.c.starts_day <= last.isoformat(),
    )
    visits = []
    for row in conn.execute(query).mappings():
        details = _details(row)
        partnerships = json.loads(row["partnership_ids"])
        people = [p["contact_id"] for p in json.loads(row["participants"])]
        ours = directory.our_people(people, details.starts_on)
        recipients = directory.owners(partnerships) + ours
        unique = {r.identity: r for r in reversed(recipients)}
        order = dict.fromkeys(r.identity for r in recipients)
        visits.append(VisitInput(details, tuple(unique[i] for i in order)))
    return visits


def visits_under_way(conn: Connection, first: date, last: date) -> list[VisitDetails]:
    """Planned visits on any day from `first` to `last`: started by `last`, not ended before
    `first` (a calendar feed keeps a visit while it runs and shortly after)."""
    query = _planned_visits().where(
        upcoming_visits.c.ends_day >= first.isoformat(),
        upcoming_visits.c.starts_day <= last.isoformat(),
    )
    return [_details(row) for row in conn.execute(query).mappings()]


def _planned_visits() -> Select[Any]:
    return select(upcoming_visits).where(
        upcoming_visits.c.status == "planned",
        upcoming_visits.c.is_retracted.is_(False),
    )


def _details(row: Any) -> VisitDetails:
    return VisitDetails(
        mission_id=row["mission_id"],
        name=row["name"],
        direction=row["direction"],
        starts_on=date.fromisoformat(row["starts_day"]),
        ends_on=date.fromisoformat(row["ends_day"]),
        timezone=row["timezone"],
        places=tuple(p["name"] for p in json.loads(row["places"])),
        starts_at=_moment(row["starts_day"], row["starts_time"], row["timezone"]),
        ends_at=_moment(row["ends_day"], row["ends_time"], row["ends_timezone"]),
    )


def _moment(day: str, local_time: str | None, zone: str) -> datetime | None:
    """The aware moment a visit starts or ends, or None when only its day is known."""
    if local_time is None:
        return None
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(local_time), ZoneInfo(zone))


def _followups(conn: Connection, last: date) -> list[FollowUpInput]:
    query = select(
        followup_items.c.followup_id,
        followup_items.c.text,
        followup_items.c.owner_email,
        followup_items.c.due_day,
        followup_items.c.due_zone,
    ).where(
        followup_items.c.status == "open",
        followup_items.c.is_retracted.is_(False),
        followup_items.c.due_day <= last.isoformat(),
    )
    return [
        FollowUpInput(followup_id, text, owner, date.fromisoformat(due), zone)
        for followup_id, text, owner, due, zone in conn.execute(query)
    ]


def _agreements(
    conn: Connection, directory: _Directory, rules: ReminderRules, first: date, last: date
) -> list[AgreementInput]:
    query = select(upcoming_agreements).where(
        upcoming_agreements.c.expires_on
        >= (first + timedelta(days=min(rules.agreement_days))).isoformat(),
        upcoming_agreements.c.expires_on
        <= (last + timedelta(days=max(rules.agreement_days))).isoformat(),
        upcoming_agreements.c.is_retracted.is_(False),
    )
    found = []
    for row in conn.execute(query).mappings():
        partnership = directory.partnerships.get(row["partnership_id"], {})
        found.append(
            AgreementInput(
                agreement_id=row["agreement_id"],
                title=row["title"],
                partnership=partnership.get("label", ""),
                expires_on=date.fromisoformat(row["expires_on"]),
                recipients=tuple(directory.owners([row["partnership_id"]])),
            )
        )
    return found


def _quiet(conn: Connection, directory: _Directory) -> list[QuietPartnership]:
    touched = dict(
        conn.execute(
            select(timeline_last_touch.c.ref_id, timeline_last_touch.c.at_utc).where(
                timeline_last_touch.c.ref_kind == "partnership"
            )
        ).all()
    )
    opened = dict(
        conn.execute(
            select(timeline_entries.c.entry_id, func.min(timeline_entries.c.occurred_utc))
            .where(timeline_entries.c.kind == "status")
            .group_by(timeline_entries.c.entry_id)
        ).all()
    )
    quiet = []
    for partnership_id, data in directory.partnerships.items():
        if data.get("status") == "ended":
            continue
        last = touched.get(partnership_id) or opened.get(partnership_id)
        if last is None:
            continue
        quiet.append(
            QuietPartnership(
                partnership_id=partnership_id,
                name=data["label"],
                last_touch=datetime.fromisoformat(last).date(),
                recipients=tuple(directory.owners([partnership_id])),
            )
        )
    return quiet
