"""Who has gone quiet: partnerships, contacts or organisations without a touch for N days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from crm.reports.people import contact_name
from events.reader import reader_of
from projections.directory import list_entries, roles_at

if TYPE_CHECKING:
    from events.reader import Readable


@dataclass(frozen=True)
class StaleLine:
    """An entry and when it was last touched (None: never)."""

    entry_id: str
    kind: str
    label: str
    last_touch: datetime | None
    days_quiet: int | None


def _last_touches(conn: Readable, kind: str) -> dict[str, datetime]:
    sql = "SELECT ref_id, at_utc FROM timeline_last_touch WHERE ref_kind = :kind"
    return {
        ref: datetime.fromisoformat(at) for ref, at in reader_of(conn).rows(sql, {"kind": kind})
    }


def stale(conn: Readable, now: datetime, days: int, level: str) -> list[StaleLine]:
    """Entries of a level with no touch in the last `days` days, quietest first."""
    cutoff = now - timedelta(days=days)
    if level == "org":
        candidates = _organisations(conn)
    else:
        last = _last_touches(conn, level)
        candidates = [
            (e.entry_id, e.kind, _label(e.kind, e.data, e.label), last.get(e.entry_id))
            for e in list_entries(conn, level)
            if level != "partnership" or e.data.get("status") not in ("ended",)
        ]
    lines = [
        StaleLine(entry_id, kind, label, at, None if at is None else (now - at).days)
        for entry_id, kind, label, at in candidates
        if at is None or at < cutoff
    ]
    return sorted(lines, key=lambda line: (line.last_touch is not None, line.last_touch or now))


def _label(kind: str, data: dict[str, Any], label: str) -> str:
    return contact_name(data) if kind == "contact" else label


def _parties(data: dict[str, object]) -> tuple[object, object]:
    return data["our_organisation_id"], data["counterpart_organisation_id"]


def _organisations(conn: Readable) -> list[tuple[str, str, str, datetime | None]]:
    by_contact = _last_touches(conn, "contact")
    by_partnership = _last_touches(conn, "partnership")
    by_org = _last_touches(conn, "organisation")
    partnerships = list_entries(conn, "partnership")
    rows = []
    for org in list_entries(conn, "organisation"):
        if org.data.get("is_ours"):
            continue
        seen = [by_contact.get(r.contact_id) for r in roles_at(conn, org.entry_id)]
        seen.append(by_org.get(org.entry_id))
        seen += [
            by_partnership.get(p.entry_id)
            for p in partnerships
            if org.entry_id
            in (p.data["our_organisation_id"], p.data["counterpart_organisation_id"])
        ]
        known = [s for s in seen if s is not None]
        rows.append((org.entry_id, "organisation", org.label, max(known) if known else None))
    return rows
