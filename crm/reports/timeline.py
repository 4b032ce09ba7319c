"""Build the timeline report of a partnership, organisation, contact or mission from read models."""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import orjson

from crm.reports.model import (
    AgreementLine,
    FollowUpLine,
    PersonAtTime,
    TimelineItem,
    TimelineReport,
    VisitLine,
)
from crm.reports.people import contact_name, role_on
from events.reader import reader_of
from events.vocabulary import INTERACTION_KINDS
from projections.directory import (
    DirectoryEntry,
    Role,
    entries_by_id,
    get_entry,
    roles_at,
    roles_by_contact,
)
from projections.timeline import TOUCH_KINDS, as_known_at, revisions_of, rows_linked_to

if TYPE_CHECKING:
    from events.reader import Readable

ALL_KINDS = (*INTERACTION_KINDS, "signing", "mission", "visit", "followup", "status", "correction")


@dataclass(frozen=True)
class TimelineQuery:
    """What to show: whose timeline, which period and kinds, as known when."""

    subject: DirectoryEntry
    today: date
    generated_at: datetime
    period_from: date | None = None
    period_to: date | None = None
    kinds: tuple[str, ...] = ()
    as_of: datetime | None = None
    as_of_position: int | None = None


def related_ids(conn: Readable, subject: DirectoryEntry) -> list[str]:
    """The entries whose rows belong on a subject's timeline."""
    if subject.kind != "organisation":
        return [subject.entry_id]
    from projections.directory import list_entries

    ids = {subject.entry_id}
    for partnership in list_entries(conn, "partnership"):
        data = partnership.data
        if subject.entry_id in (data["our_organisation_id"], data["counterpart_organisation_id"]):
            ids.add(partnership.entry_id)
    ids |= {role.contact_id for role in roles_at(conn, subject.entry_id)}
    return sorted(ids)


class _People:
    """Names and roles of the people on a timeline, loaded once."""

    def __init__(self, conn: Readable, contact_ids: Iterable[str]) -> None:
        ids = sorted(set(contact_ids))
        self.conn = conn
        entries = entries_by_id(conn, ids)
        self.names = {i: _name_of(entries.get(i)) for i in ids}
        self.roles = roles_by_contact(conn, ids)
        self._changes = {i: _role_changes(roles) for i, roles in self.roles.items()}
        self._orgs: dict[str, str | None] = {}
        self._seen: dict[tuple[str, int], PersonAtTime] = {}
        """Each person once per span of days between changes of their roles: a long
        timeline shows the same people on thousands of days, and finding their role and
        building them per day was a fifth of its time."""

    def org_name(self, org_id: str | None) -> str | None:
        if org_id is None:
            return None
        if org_id not in self._orgs:
            found = get_entry(self.conn, org_id)
            self._orgs[org_id] = found.label if found else None
        return self._orgs[org_id]

    def on(self, contact_id: str, day: date, frozen: dict[str, Any] | None = None) -> PersonAtTime:
        """A person with the title they held that day (a signing's frozen title wins)."""
        if frozen and frozen.get("title"):
            name = self.names.get(contact_id, "unknown")
            org = self.org_name(frozen.get("organisation_id"))
            return PersonAtTime(contact_id, name, frozen["title"], org)
        key = (contact_id, bisect_right(self._changes.get(contact_id, ()), day))
        person = self._seen.get(key)
        if person is None:
            roles = self.roles.get(contact_id)
            role = role_on(roles, day) if roles else None
            name = self.names.get(contact_id, "unknown")
            if role is None:
                person = PersonAtTime(contact_id, name)
            else:
                org = self.org_name(role.organisation_id)
                person = PersonAtTime(contact_id, name, role.title, org)
            self._seen[key] = person
        return person


def _role_changes(roles: list[Role]) -> list[date]:
    """The days on which the roles someone holds change (one starts, or one ended the day
    before): between two of them, `role_on` gives the same role every day."""
    days = {role.since for role in roles if role.since is not None}
    days |= {role.until + timedelta(days=1) for role in roles if role.until not in (None, date.max)}
    return sorted(days)


def _name_of(entry: DirectoryEntry | None) -> str:
    return contact_name(entry.data, honorific=True) if entry else "unknown"


def _contact_refs(data: dict[str, Any]) -> list[str]:
    refs = [p["contact_id"] for p in data.get("participants", [])]
    refs += [p["contact_id"] for p in (*data.get("signatories", []), *data.get("witnesses", []))]
    return refs


def _people_of(
    kind: str, data: dict[str, Any], day: date, people: _People
) -> tuple[PersonAtTime, ...]:
    if kind == "signing":
        return tuple(
            people.on(p["contact_id"], day, p)
            for p in (*data.get("signatories", []), *data.get("witnesses", []))
        )
    if kind in ("mission", "visit"):
        ordered = sorted(data.get("participants", []), key=lambda p: p.get("precedence", 0))
        return tuple(people.on(p["contact_id"], day) for p in ordered)
    return tuple(people.on(p["contact_id"], day) for p in data.get("participants", []))


def _gift_text(gift: dict[str, Any]) -> str:
    value = f" ({gift['value']} {gift['currency']})" if gift.get("value") else ""
    return f"{gift['description']}{value}, {gift['direction']}"


def _item(
    row: dict[str, Any], data: dict[str, Any], reasons: list[str], people: _People
) -> TimelineItem:
    moment = datetime.fromisoformat(row["occurred_local"])
    status = data.get("status") if row["kind"] in ("mission", "visit") else None
    summary = data.get("summary") or data.get("reason") or data.get("note")
    return TimelineItem(
        row_id=row["row_id"],
        entry_id=row["entry_id"],
        kind=row["kind"],
        occurred_at=moment,
        timezone=row["timezone"],
        title=row["title"],
        position=row["position"],
        summary=summary,
        place=data.get("place") or ", ".join(p["name"] for p in data.get("places", [])) or None,
        people=_people_of(row["kind"], data, moment.date(), people),
        outcomes=tuple(data.get("outcomes", ())),
        gifts=tuple(_gift_text(g) for g in data.get("gifts", ())),
        is_corrected=bool(row["is_corrected"]),
        corrections=tuple(reasons),
        status=None if status == "planned" else status,
    )


def _rows(
    conn: Readable, query: TimelineQuery, refs: list[str]
) -> tuple[list[dict[str, Any]], set[str]]:
    """The rows to show, and the follow-ups linked to the subject (whatever the filters)."""
    position = query.as_of_position
    rows = rows_linked_to(
        conn, refs, up_to_position=position, include_retracted=position is not None
    )
    # Only a revised row has an original (its first data): a long timeline has few.
    revisions = revisions_of(conn, [r["row_id"] for r in rows if r["original"] is not None])
    if position is not None:
        known = [as_known_at(r, revisions.get(r["row_id"], []), position) for r in rows]
        rows = sorted((r for r in known if r), key=lambda r: (r["occurred_utc"], r["position"]))
    for row in rows:
        revised = revisions.get(row["row_id"])
        row["_reasons"] = (
            [
                rev["reason"]
                for rev in revised
                if rev["action"] == "correct" and (position is None or rev["position"] <= position)
            ]
            if revised
            else []
        )
    followups = {r["entry_id"] for r in rows if r["kind"] == "followup"}
    if query.period_from or query.period_to or query.kinds:
        rows = [r for r in rows if _in_period(r, query)]
    return rows, followups


def _in_period(row: dict[str, Any], query: TimelineQuery) -> bool:
    day = date.fromisoformat(row["occurred_local"][:10])  # the local day it happened
    if query.period_from and day < query.period_from:
        return False
    if query.period_to and day > query.period_to:
        return False
    return not query.kinds or row["kind"] in query.kinds


def build_timeline(conn: Readable, query: TimelineQuery) -> TimelineReport:
    """Assemble the whole report for one subject."""
    subject = query.subject
    rows, followups = _rows(conn, query, related_ids(conn, subject))
    details = [orjson.loads(row["data"]) for row in rows]  # twice the stdlib's pace
    people = _People(conn, (c for data in details for c in _contact_refs(data)))
    items = tuple(
        _item(row, data, row["_reasons"], people) for row, data in zip(rows, details, strict=True)
    )
    header = {}
    if subject.kind == "partnership":
        header = _partnership_header(conn, subject, query, followups)
    return TimelineReport(
        subject_kind=subject.kind,
        subject_id=subject.entry_id,
        title=subject.label,
        generated_at=query.generated_at,
        items=items,
        as_of=query.as_of,
        period_from=query.period_from,
        period_to=query.period_to,
        people=_last_seen(items),
        monthly=_monthly(items),
        visit_months=_visit_months(items),
        **header,
    )


def _visit_months(items: Sequence[TimelineItem]) -> tuple[str, ...]:
    starts = {i.occurred_at.strftime("%Y-%m") for i in items if i.kind in ("mission", "visit")}
    return tuple(sorted(starts))


def _last_seen(items: Sequence[TimelineItem]) -> tuple[PersonAtTime, ...]:
    latest: dict[str, PersonAtTime] = {}
    for item in items:
        for person in item.people:
            latest[person.contact_id] = person
    return tuple(sorted(latest.values(), key=lambda p: p.name))


_CHARTED = frozenset(TOUCH_KINDS)
"""What the chart counts per month: the touches (interactions and signings)."""


def _monthly(items: Sequence[TimelineItem]) -> dict[str, dict[str, int]]:
    counts: dict[tuple[int, int], dict[str, int]] = {}
    for item in items:
        if item.kind in _CHARTED:
            at = item.occurred_at
            month = counts.get((at.year, at.month))
            if month is None:  # not setdefault: it built a Counter for every item
                month = counts[(at.year, at.month)] = {}
            month[item.kind] = month.get(item.kind, 0) + 1
    return {f"{y:04d}-{m:02d}": dict(sorted(c.items())) for (y, m), c in sorted(counts.items())}


def _partnership_header(
    conn: Readable, subject: DirectoryEntry, query: TimelineQuery, followups: set[str]
) -> dict[str, Any]:
    data = subject.data
    parties = tuple(
        found.label
        for found in (
            get_entry(conn, data["our_organisation_id"]),
            get_entry(conn, data["counterpart_organisation_id"]),
        )
        if found is not None
    )
    return {
        "parties": parties,
        "kind": data.get("kind"),
        "status": _status_on(conn, subject, query),
        "sectors": tuple(data.get("sectors", ())),
        "owner": data.get("owner_email"),
        "agreements": _agreements(conn, subject.entry_id, query.as_of_position),
        "open_followups": _open_followups(conn, followups, query.today),
        "upcoming_visits": _upcoming_visits(conn, subject.entry_id, query.today),
    }


def _status_on(conn: Readable, subject: DirectoryEntry, query: TimelineQuery) -> str:
    """The status that was true on the as-of day (by every change known now), else today's."""
    if query.as_of is None:
        return str(subject.data.get("status"))
    day = query.as_of.date()
    status = "exploring"
    rows = rows_linked_to(conn, [subject.entry_id])
    for row in rows:
        if row["kind"] == "status" and datetime.fromisoformat(row["occurred_utc"]).date() <= day:
            status = json.loads(row["data"]).get("status", status)
    return status


def _agreements(
    conn: Readable, partnership_id: str, position: int | None
) -> tuple[AgreementLine, ...]:
    sql = (
        "SELECT agreement_id, title, signed_on, place, expires_on FROM upcoming_agreements"
        " WHERE partnership_id = :partnership AND is_retracted = false ORDER BY signed_on"
    )
    return tuple(
        AgreementLine(
            agreement_id,
            title,
            date.fromisoformat(signed_on),
            place,
            date.fromisoformat(expires_on) if expires_on else None,
        )
        for agreement_id, title, signed_on, place, expires_on in reader_of(conn).rows(
            sql, {"partnership": partnership_id}
        )
    )


def _open_followups(conn: Readable, linked: set[str], today: date) -> tuple[FollowUpLine, ...]:
    from crm.dates import format_moment

    if not linked:
        return ()
    reader = reader_of(conn)
    member, params = reader.member_of("followup_id", "ids", linked)
    # `status || ''` keeps SQLite from reading every open follow-up of the store through the
    # (status, due) index instead of the few hundred linked ones by key: 20 ms of 1.4.
    status = "status || ''" if reader.dialect == "sqlite" else "status"
    sql = (
        "SELECT followup_id, text, owner_email, due_day, due_time, due_zone FROM followup_items"
        f" WHERE {member} AND {status} = 'open' AND is_retracted = false ORDER BY due_utc"
    )
    lines = []
    for followup_id, text, owner, due_day, due_time, due_zone in reader.rows(sql, params):
        due_on = date.fromisoformat(due_day)
        clock = time.fromisoformat(due_time) if due_time else None
        lines.append(
            FollowUpLine(
                followup_id,
                text,
                owner,
                format_moment(due_on, clock, due_zone),
                due_on,
                due_on < today,
            )
        )
    return tuple(lines)


def _upcoming_visits(conn: Readable, partnership_id: str, today: date) -> tuple[VisitLine, ...]:
    # Sorted here, not by SQL: ORDER BY led SQLite to read every visit of the store through
    # the start-time index, one random row at a time (8 ms of a timeline); a plain scan reads
    # the table in order and leaves the few matches to sort.
    sql = (
        "SELECT starts_utc, mission_id, name, direction, starts_day, ends_day, places"
        " FROM upcoming_visits WHERE ends_day >= :today AND status = 'planned'"
        " AND is_retracted = false AND partnership_ids LIKE :partnership"
    )
    params = {"today": today.isoformat(), "partnership": f"%{partnership_id}%"}
    return tuple(
        VisitLine(
            mission_id,
            name,
            direction,
            date.fromisoformat(starts_day),
            date.fromisoformat(ends_day),
            tuple(p["name"] for p in json.loads(places)),
        )
        for _, mission_id, name, direction, starts_day, ends_day, places in sorted(
            reader_of(conn).rows(sql, params)
        )
    )
