"""The timeline: everything that happened in a relationship, linked to whom and what it concerns.

Rows keep their original values and every revision (correction, retraction, reschedule), so
a timeline can be read as it stands now or as it was known at any earlier position.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, time
from functools import lru_cache
from typing import Any, ClassVar
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    select,
)

from events.database import fetch_tuples, in_lists
from events.envelope import RecordedEvent
from events.event import ERASED, Event
from events.schemas.agreements import AgreementSigned
from events.schemas.contacts import ContactForgotten, ContactRegistered
from events.schemas.corrections import EntryCorrected, EntryRetracted
from events.schemas.followups import (
    FollowUpCancelled,
    FollowUpCompleted,
    FollowUpOpened,
    FollowUpReassigned,
    FollowUpRedated,
)
from events.schemas.interactions import INTERACTION_KINDS, InteractionLogged
from events.schemas.missions import (
    MissionCancelled,
    MissionParticipantAdded,
    MissionPlanned,
    MissionRescheduled,
)
from events.schemas.organisations import OrganisationRegistered
from events.schemas.partnerships import PartnershipFormed, PartnershipStatusChanged
from events.schemas.values import When
from projections.ids import id_starts_with
from projections.names import name_key
from projections.projection import Projection
from projections.unit import UnitOfWork

metadata = MetaData()

timeline_entries = Table(
    "timeline_entries",
    metadata,
    Column("row_id", String(36), primary_key=True),
    Column("entry_id", String(36), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("occurred_utc", String(40), nullable=False),
    Column("occurred_local", String(40), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("title", Text, nullable=False),
    Column("data", Text, nullable=False),
    Column("links", Text, nullable=False),
    # {"ref id": "ref kind"} as JSON: `timeline_links` holds the same pairs, keyed for lookups.
    Column("original", Text),
    # The data as first recorded; NULL until a revision changes `data`.
    Column("search_text", Text, nullable=False),
    Column("is_corrected", Boolean, nullable=False),
    Column("is_retracted", Boolean, nullable=False),
)

timeline_links = Table(
    "timeline_links",
    metadata,
    Column("ref_id", String(36), primary_key=True),
    Column("row_id", String(36), primary_key=True),
    Column("ref_kind", String(20), nullable=False),
    Column("touch_at", String(40)),
    # When the linked row counts as a touch (an interaction or signing, not retracted): its
    # time, so last touches come from this table alone. Every column follows from the row's
    # own, so a rebuild fills this table from timeline_entries at the end, in key order.
    sqlite_with_rowid=False,  # small rows keyed by text: one b-tree, not two
)

timeline_revisions = Table(
    "timeline_revisions",
    metadata,
    Column("row_id", String(36), primary_key=True),
    Column("position", BigInteger, primary_key=True),
    Column("action", String(20), nullable=False),
    Column("changes", Text, nullable=False),
    Column("reason", Text),
)

timeline_last_touch = Table(
    "timeline_last_touch",
    metadata,
    Column("ref_id", String(36), primary_key=True),
    Column("ref_kind", String(20), nullable=False),
    Column("at_utc", String(40), nullable=False),
    sqlite_with_rowid=False,  # small rows keyed by text: one b-tree, not two
)
"""When each contact, organisation and partnership last took part in an interaction or signing."""

TOUCH_KINDS = (*INTERACTION_KINDS, "signing")
TOUCHED = ("contact", "partnership", "organisation")

timeline_subjects = Table(
    "timeline_subjects",
    metadata,
    Column("subject_id", String(36), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("links", Text, nullable=False),
    Column("corrections", Text, nullable=False),
    # The ids of this entry's correction rows, ";"-joined: what an erasure revisits.
)
"""Entries that are not rows themselves (contacts, organisations, partnerships): what a
correction of one links to. No names here: personal data stays in the directory."""

_FOLLOWUP_CHANGES: dict[type[Event], str] = {
    FollowUpCompleted: "done",
    FollowUpCancelled: "cancelled",
    FollowUpReassigned: "reassigned",
    FollowUpRedated: "re-dated",
}


@lru_cache(maxsize=65_536)
def id_text(value: UUID) -> str:
    """The text of an id; people and partnerships recur on every row, so it is cached."""
    return str(value)


def pack_links(links: dict[str, str]) -> str:
    """What a row links to, as a JSON object (SQL can unpack it: see `finalize`).

    Written by hand, a rebuild's hottest line: ids and kinds never hold quotes or escapes.
    """
    return "{" + ",".join(f'"{ref}":"{kind}"' for ref, kind in links.items()) + "}"


def unpack_links(text: str) -> dict[str, str]:
    """The links a row holds."""
    links: dict[str, str] = json.loads(text)
    return links


def _ids(text: str) -> list[str]:
    """The ids of a ";"-joined column ("" holds none)."""
    return text.split(";") if text else []


def touch_of(row: dict[str, Any]) -> str | None:
    """When a row counts as a touch of what it links to: an interaction or signing, while it
    stands (not retracted), at the time it happened. `finalize` states the same in SQL."""
    if row["kind"] in TOUCH_KINDS and not row["is_retracted"]:
        return str(row["occurred_utc"])
    return None


def utc_text(moment: datetime) -> str:
    """A sortable UTC form of an aware moment."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def searchable(*parts: Any) -> str:
    """Text the search command matches against, in comparable form."""
    flat: list[str] = []
    for part in parts:
        if isinstance(part, list | tuple):
            flat.extend(str(p) for p in part)
        elif part:
            flat.append(str(part))
    return name_key(" ".join(flat))


class TimelineProjection(Projection):
    """Timeline rows, their links to partnerships, organisations, contacts and missions."""

    name: ClassVar[str] = "timeline"
    version: ClassVar[int] = 3
    # 2: corrections of a forgotten person are retitled as a rebuild after the erasure reads them
    # 3: links as JSON, filled by SQL at the end of a rebuild; subjects list their corrections
    metadata: ClassVar[MetaData] = metadata

    def apply(self, unit: UnitOfWork, record: RecordedEvent[Event]) -> None:
        """Add or revise the rows this event concerns."""
        event = record.event
        match event:
            case InteractionLogged():
                self._interaction(unit, event, record)
            case AgreementSigned():
                self._signing(unit, event, record)
            case MissionPlanned():
                self._mission(unit, event, record)
            case MissionRescheduled() | MissionCancelled() | MissionParticipantAdded():
                self._mission_change(unit, event, record)
            case FollowUpOpened():
                self._followup_opened(unit, event, record)
            case (
                FollowUpCompleted() | FollowUpCancelled() | FollowUpReassigned() | FollowUpRedated()
            ):
                self._followup_change(unit, event, record)
            case PartnershipFormed():
                self._partnership(unit, event, record)
            case PartnershipStatusChanged():
                self._status(unit, event, record)
            case EntryCorrected():
                self._correction(unit, event, record)
            case EntryRetracted():
                self._retraction(unit, event, record)
            case OrganisationRegistered():
                self._subject(unit, event.organisation_id, "organisation")
            case ContactRegistered():
                self._subject(unit, event.contact_id, "contact")
            case ContactForgotten():
                self._forget(unit, str(event.contact_id))

    # -- rows ----------------------------------------------------------------------------

    def _row(
        self,
        unit: UnitOfWork,
        record: RecordedEvent[Event],
        *,
        row_id: Any,
        entry_id: Any,
        kind: str,
        moment: datetime,
        zone: str,
        title: str,
        data: dict[str, Any] | str,
        links: dict[str, str],
        search: str,
    ) -> None:
        local = moment.astimezone(ZoneInfo(zone))
        text = data if isinstance(data, str) else _dump(data)
        row_text, at = str(row_id), utc_text(moment)
        unit.add(
            "timeline_entries",
            {
                "row_id": row_text,
                "entry_id": row_text if entry_id == row_id else str(entry_id),
                "kind": kind,
                "occurred_utc": at,
                "occurred_local": local.isoformat(),
                "timezone": zone,
                "position": record.position,
                "title": title,
                "data": text,
                "links": pack_links(links),
                "original": None,
                "search_text": search,
                "is_corrected": False,
                "is_retracted": False,
            },
        )
        if unit.bulk:
            return  # `finalize` fills links and last touches from the rows, in key order
        touch_at = at if kind in TOUCH_KINDS else None
        for ref_id, ref_kind in links.items():
            link = {
                "ref_id": ref_id,
                "row_id": row_text,
                "ref_kind": ref_kind,
                "touch_at": touch_at,
            }
            unit.add("timeline_links", link)
        if touch_at:
            self._touch(unit, links, at)

    def _touch(self, unit: UnitOfWork, links: dict[str, str], at: str) -> None:
        for ref_id, ref_kind in links.items():
            if ref_kind in TOUCHED:
                last = unit.get("timeline_last_touch", ref_id)
                if last is None or at > last["at_utc"]:
                    row = {"ref_id": ref_id, "ref_kind": ref_kind, "at_utc": at}
                    unit.put("timeline_last_touch", row)

    def _retouch(self, unit: UnitOfWork, row: dict[str, Any]) -> None:
        """Move a row's touches after it moved or left; recompute its entries' last touch."""
        if unit.bulk:
            return  # `finalize` fills links and last touches at the end of a rebuild
        links = unpack_links(row["links"])
        touch_at = touch_of(row)
        for ref_id in links:
            unit.change("timeline_links", ref_id, row["row_id"], touch_at=touch_at)
        unit.flush()
        linked = unit.table("timeline_links")
        for ref_id, ref_kind in links.items():
            if ref_kind not in TOUCHED:
                continue
            query = select(func.max(linked.c.touch_at)).where(linked.c.ref_id == ref_id)
            latest = unit.conn.execute(query).scalar_one_or_none()
            if latest is None:
                unit.remove("timeline_last_touch", ref_id)
            else:
                unit.put(
                    "timeline_last_touch",
                    {"ref_id": ref_id, "ref_kind": ref_kind, "at_utc": latest},
                )

    def _links_of(self, unit: UnitOfWork, row_id: str) -> dict[str, str]:
        row = unit.get("timeline_entries", row_id)
        if row is None:
            return {}
        return unpack_links(row["links"])

    def _interaction(
        self, unit: UnitOfWork, event: InteractionLogged, record: RecordedEvent[Event]
    ) -> None:
        links = {id_text(p.contact_id): "contact" for p in event.participants}
        if event.partnership_id:
            links[id_text(event.partnership_id)] = "partnership"
        if event.mission_id:
            links[id_text(event.mission_id)] = "mission"
        self._row(
            unit,
            record,
            row_id=event.interaction_id,
            entry_id=event.interaction_id,
            kind=event.kind,
            moment=event.held_at,
            zone=event.timezone,
            title=event.subject,
            data=event.model_dump_json(),
            links=links,
            search=searchable(event.subject, event.place),
        )

    def _signing(
        self, unit: UnitOfWork, event: AgreementSigned, record: RecordedEvent[Event]
    ) -> None:
        links = {str(event.partnership_id): "partnership"}
        for person in (*event.signatories, *event.witnesses):
            links[str(person.contact_id)] = "contact"
            if person.organisation_id:
                links[str(person.organisation_id)] = "organisation"
        moment = event.signed_at or datetime.combine(
            event.signed_on, time(0), ZoneInfo(event.timezone)
        )
        data = event.model_dump(mode="json")
        self._row(
            unit,
            record,
            row_id=event.agreement_id,
            entry_id=event.agreement_id,
            kind="signing",
            moment=moment,
            zone=event.timezone,
            title=event.title,
            data=data,
            links=links,
            search=searchable(event.title, event.place, event.kind),
        )

    def _mission(
        self, unit: UnitOfWork, event: MissionPlanned, record: RecordedEvent[Event]
    ) -> None:
        links = {str(event.mission_id): "mission"}
        links |= {str(p): "partnership" for p in event.partnership_ids}
        links |= {str(p.contact_id): "contact" for p in event.participants}
        data = event.model_dump(mode="json") | {"status": "planned"}
        self._row(
            unit,
            record,
            row_id=event.mission_id,
            entry_id=event.mission_id,
            kind="visit" if event.direction == "inbound" else "mission",
            moment=event.starts.start(),
            zone=event.starts.timezone,
            title=event.name,
            data=data,
            links=links,
            search=searchable(event.name, [p.name for p in event.places]),
        )

    def _mission_change(self, unit: UnitOfWork, event: Event, record: RecordedEvent[Event]) -> None:
        mission_id = str(event.mission_id)  # type: ignore[attr-defined]
        row = unit.get("timeline_entries", mission_id)
        if row is None:
            return
        data = json.loads(row["data"])
        changes: dict[str, Any]
        match event:
            case MissionRescheduled():
                changes = {
                    "starts": event.starts.model_dump(mode="json"),
                    "ends": event.ends.model_dump(mode="json"),
                }
                action, reason = "reschedule", event.reason
            case MissionCancelled():
                changes, action, reason = {"status": "cancelled"}, "cancel", event.reason
            case _:
                participant = event.participant  # type: ignore[attr-defined]
                people = [*data.get("participants", []), participant.model_dump(mode="json")]
                changes, action, reason = {"participants": people}, "participant", None
                self._link(unit, row, str(participant.contact_id), "contact")
        self._revise(unit, row, record, action, changes, reason, corrected=False)

    def _link(self, unit: UnitOfWork, row: dict[str, Any], ref_id: str, ref_kind: str) -> None:
        links = unpack_links(row["links"]) | {ref_id: ref_kind}
        unit.change("timeline_entries", row["row_id"], links=pack_links(links))
        if not unit.bulk:
            link = {"ref_id": ref_id, "row_id": row["row_id"], "ref_kind": ref_kind}
            unit.put("timeline_links", link | {"touch_at": touch_of(row)})

    def _followup_opened(
        self, unit: UnitOfWork, event: FollowUpOpened, record: RecordedEvent[Event]
    ) -> None:
        links: dict[str, str] = {str(link.id): str(link.kind) for link in event.links}
        for link in event.links:
            links |= self._links_of(unit, str(link.id))
        links[str(event.followup_id)] = "followup"
        data = event.model_dump(mode="json") | {"change": "opened"}
        self._row(
            unit,
            record,
            row_id=event.followup_id,
            entry_id=event.followup_id,
            kind="followup",
            moment=record.occurred_at,
            zone=event.due.timezone,
            title=f"Follow-up: {event.text}",
            data=data,
            links=links,
            search=searchable(event.text, event.owner_email),
        )

    def _followup_change(
        self, unit: UnitOfWork, event: Event, record: RecordedEvent[Event]
    ) -> None:
        followup_id = str(event.followup_id)  # type: ignore[attr-defined]
        opened = unit.get("timeline_entries", followup_id)
        if opened is None:
            return
        base = json.loads(opened["data"])
        change = _FOLLOWUP_CHANGES[type(event)]
        data = event.model_dump(mode="json") | {"change": change}
        self._row(
            unit,
            record,
            row_id=record.event_id_text,
            entry_id=followup_id,
            kind="followup",
            moment=record.occurred_at,
            zone=opened["timezone"],
            title=f"Follow-up {change}: {base['text']}",
            data=data,
            links=unpack_links(opened["links"]),
            search=searchable(base["text"]),
        )

    def _partnership(
        self, unit: UnitOfWork, event: PartnershipFormed, record: RecordedEvent[Event]
    ) -> None:
        links = {
            str(event.partnership_id): "partnership",
            str(event.our_organisation_id): "organisation",
            str(event.counterpart_organisation_id): "organisation",
        }
        self._subject(unit, event.partnership_id, "partnership", links)
        data = event.model_dump(mode="json")
        self._row(
            unit,
            record,
            row_id=record.event_id_text,
            entry_id=event.partnership_id,
            kind="status",
            moment=datetime.combine(record.occurred_at.date(), time(0), UTC),
            zone="UTC",
            title=f"Partnership opened ({event.status})",
            data=data,
            links=links,
            search=searchable(event.name),
        )

    def _status(
        self, unit: UnitOfWork, event: PartnershipStatusChanged, record: RecordedEvent[Event]
    ) -> None:
        subject = unit.get("timeline_subjects", str(event.partnership_id))
        links = {str(event.partnership_id): "partnership"}
        if subject is not None:
            links = json.loads(subject["links"])
        # A status holds from a day: shown as that day, after what happened on it.
        moment = datetime.combine(event.effective_on, time(0), UTC)
        data = event.model_dump(mode="json")
        self._row(
            unit,
            record,
            row_id=record.event_id_text,
            entry_id=event.partnership_id,
            kind="status",
            moment=moment,
            zone="UTC",
            title=f"Status: {event.status}",
            data=data,
            links=links,
            search=searchable(event.reason),
        )

    def _subject(
        self, unit: UnitOfWork, subject_id: Any, kind: str, links: dict[str, str] | None = None
    ) -> None:
        row = {
            "subject_id": str(subject_id),
            "kind": kind,
            # an id and a fixed kind need no escaping: the text json.dumps would give
            "links": _dump(links) if links else f'{{"{subject_id}": "{kind}"}}',
            "corrections": "",
        }
        unit.put("timeline_subjects", row)

    def finalize(self, conn: Connection, tables: dict[str, Table]) -> None:
        """A rebuild's links, from each row's own, inserted in key order; then last touches.

        One statement each: the database unpacks every row's links and sorts them itself,
        where inserting them as events came hit the key's b-tree at random (millions of
        rows, most of a rebuild's time once they outgrew the page cache).
        """
        linked, touch = tables["timeline_links"], tables["timeline_last_touch"]
        entries = tables["timeline_entries"].name
        kinds = ", ".join(f"'{kind}'" for kind in TOUCH_KINDS)  # fixed names, not user text
        pairs = (
            f"json_each_text({entries}.links::json)"
            if conn.dialect.name == "postgresql"
            else f"json_each({entries}.links)"
        )
        conn.execute(delete(linked))
        conn.exec_driver_sql(
            f"INSERT INTO {linked.name} (ref_id, row_id, ref_kind, touch_at) "
            f"SELECT pair.key, {entries}.row_id, pair.value, "
            f"CASE WHEN {entries}.kind IN ({kinds}) AND NOT {entries}.is_retracted "
            f"THEN {entries}.occurred_utc END "
            f"FROM {entries} CROSS JOIN {pairs} AS pair "
            f"ORDER BY pair.key, {entries}.row_id"
        )
        latest = (
            select(linked.c.ref_id, linked.c.ref_kind, func.max(linked.c.touch_at))
            .where(linked.c.ref_kind.in_(TOUCHED), linked.c.touch_at.is_not(None))
            .group_by(linked.c.ref_id, linked.c.ref_kind)
        )
        conn.execute(delete(touch))
        conn.execute(insert(touch).from_select(["ref_id", "ref_kind", "at_utc"], latest))

    # -- revisions -----------------------------------------------------------------------

    def _revise(
        self,
        unit: UnitOfWork,
        row: dict[str, Any],
        record: RecordedEvent[Event],
        action: str,
        changes: dict[str, Any],
        reason: str | None,
        *,
        corrected: bool,
    ) -> None:
        data = json.loads(row["data"])
        data.update(changes)
        values: dict[str, Any] = {"data": _dump(data), "title": title_of(row, data)}
        if row["original"] is None:
            values["original"] = row["data"]
        values |= moment_columns(row["kind"], data)
        if corrected:
            values["is_corrected"] = True
        if action == "retract":
            values["is_retracted"] = True
        touched = touch_of(row)
        row = unit.change("timeline_entries", row["row_id"], **values) or row | values
        unit.put(
            "timeline_revisions",
            {
                "row_id": row["row_id"],
                "position": record.position,
                "action": action,
                "changes": _dump(changes),
                "reason": reason,
            },
        )
        if touch_of(row) != touched:
            self._retouch(unit, row)

    def _correction(
        self, unit: UnitOfWork, event: EntryCorrected, record: RecordedEvent[Event]
    ) -> None:
        entry_id = str(event.entry_id)
        changes = dict(event.changes)
        if event.personal_changes and event.personal_changes != ERASED:
            changes.update(json.loads(event.personal_changes))
        row = unit.get("timeline_entries", entry_id)
        if row is not None:
            self._revise(unit, row, record, "correct", changes, event.reason, corrected=True)
            label, links = row["title"], unpack_links(row["links"])
        else:
            subject = unit.get("timeline_subjects", entry_id)
            if subject is None:
                return
            label, links = f"{subject['kind']} details", json.loads(subject["links"])
            corrections = [*_ids(subject["corrections"]), record.event_id_text]
            unit.change("timeline_subjects", entry_id, corrections=";".join(corrections))
        self._row(
            unit,
            record,
            row_id=record.event_id_text,
            entry_id=entry_id,
            kind="correction",
            moment=record.recorded_at,
            zone="UTC",
            title=correction_title(label, sorted(changes)),
            data={"reason": event.reason, "fields": sorted(changes)},
            links=links,
            search=searchable(event.reason),
        )

    def _forget(self, unit: UnitOfWork, contact_id: str) -> None:
        """Drop the sealed field names from the person's correction rows once their key is gone.

        A rebuild then reads those corrections without their personal changes; the live rows
        must read the same, or `crm verify` and `crm projections rebuild` find them changed.
        """
        subject = unit.get("timeline_subjects", contact_id)
        if subject is None:
            return
        sealed = ContactRegistered.personal_fields()
        for row_id in _ids(subject["corrections"]):
            row = unit.get("timeline_entries", row_id)
            if row is None:
                continue
            data = json.loads(row["data"])
            fields = [f for f in data["fields"] if f not in sealed]
            if fields != data["fields"]:
                title = correction_title(f"{subject['kind']} details", fields)
                unit.change(
                    "timeline_entries", row_id, title=title, data=_dump(data | {"fields": fields})
                )

    def _retraction(
        self, unit: UnitOfWork, event: EntryRetracted, record: RecordedEvent[Event]
    ) -> None:
        row = unit.get("timeline_entries", str(event.entry_id))
        if row is not None:
            self._revise(unit, row, record, "retract", {}, event.reason, corrected=False)


def correction_title(label: str, fields: Sequence[str]) -> str:
    """The title of a correction row; personal fields erased with their key read as one."""
    return f"Corrected {label}: {', '.join(fields) or 'personal details'}"


def title_of(row: dict[str, Any], data: dict[str, Any]) -> str:
    """A row's title after a correction (its subject, title or name may have changed)."""
    for field in ("subject", "name", "title"):
        if row["kind"] not in ("followup", "status", "correction") and data.get(field):
            return str(data[field])
    return str(row["title"])


def moment_columns(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """The sort and display time of a row after its data changed (a corrected meeting time)."""
    if kind in ("mission", "visit"):
        starts = When.model_validate(data["starts"])
        moment, zone = starts.start(), starts.timezone
    elif "held_at" in data and data.get("timezone"):
        moment, zone = datetime.fromisoformat(data["held_at"]), data["timezone"]
    elif kind == "signing":
        zone = data["timezone"]
        signed_on = datetime.fromisoformat(data["signed_on"]).date()
        moment = (
            datetime.fromisoformat(data["signed_at"])
            if data.get("signed_at")
            else datetime.combine(signed_on, time(0), ZoneInfo(zone))
        )
    else:
        return {}
    return {
        "occurred_utc": utc_text(moment),
        "occurred_local": moment.astimezone(ZoneInfo(zone)).isoformat(),
        "timezone": zone,
    }


# -- queries ---------------------------------------------------------------------------------


def rows_linked_to(
    conn: Connection,
    ref_ids: Sequence[str],
    *,
    up_to_position: int | None = None,
    include_retracted: bool = False,
) -> list[dict[str, Any]]:
    """Timeline rows linked to any of these entries, in the order things happened."""
    linked = select(timeline_links.c.row_id).where(timeline_links.c.ref_id.in_(ref_ids))
    query = (
        select(timeline_entries)
        .where(timeline_entries.c.row_id.in_(linked))
        .order_by(timeline_entries.c.occurred_utc, timeline_entries.c.position)
    )
    if up_to_position is not None:
        query = query.where(timeline_entries.c.position <= up_to_position)
    if not include_retracted:
        query = query.where(timeline_entries.c.is_retracted.is_(False))
    names = [column.name for column in timeline_entries.columns]
    return [dict(zip(names, row, strict=True)) for row in fetch_tuples(conn, query)]


def revisions_of(conn: Connection, row_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Every revision of these rows, oldest first."""
    found: dict[str, list[dict[str, Any]]] = {}
    for chunk in in_lists(row_ids):
        query = (
            select(timeline_revisions)
            .where(timeline_revisions.c.row_id.in_(chunk))
            .order_by(timeline_revisions.c.position)
        )
        for row in conn.execute(query).mappings():
            found.setdefault(row["row_id"], []).append(dict(row))
    return found


def as_known_at(
    row: dict[str, Any], revisions: list[dict[str, Any]], position: int
) -> dict[str, Any] | None:
    """A row as it read at a position: its original plus the revisions made by then."""
    data = json.loads(row["original"] or row["data"])
    is_corrected = False
    for revision in revisions:
        if revision["position"] > position:
            break
        if revision["action"] == "retract":
            return None
        data.update(json.loads(revision["changes"]))
        is_corrected = is_corrected or revision["action"] == "correct"
    values = {**row, "data": json.dumps(data), "title": title_of(row, data)}
    values |= moment_columns(row["kind"], data)
    values["is_corrected"] = is_corrected
    return values


def search_rows(conn: Connection, words: Sequence[str], limit: int) -> list[dict[str, Any]]:
    """Current rows whose title, place or details hold every word (details: any case)."""
    query = select(timeline_entries).where(timeline_entries.c.is_retracted.is_(False))
    for word in words:
        query = query.where(
            timeline_entries.c.search_text.contains(word, autoescape=True)
            | func.lower(timeline_entries.c.data).contains(word, autoescape=True)
        )
    query = query.order_by(timeline_entries.c.occurred_utc.desc()).limit(limit)
    return [dict(row) for row in conn.execute(query).mappings()]


def interactions_matching(conn: Connection, prefix: str | None, key: str | None) -> list[Any]:
    """Current interaction rows by id prefix or by exact title key (for references)."""
    query = select(timeline_entries).where(
        timeline_entries.c.kind.in_(INTERACTION_KINDS),
        timeline_entries.c.row_id == timeline_entries.c.entry_id,
        timeline_entries.c.is_retracted.is_(False),
    )
    if prefix is not None:
        query = query.where(id_starts_with(conn, timeline_entries.c.row_id, prefix))
    if key is not None:
        words = key.split()
        for word in words:
            query = query.where(timeline_entries.c.search_text.contains(word, autoescape=True))
    rows = [dict(row) for row in conn.execute(query.limit(50)).mappings()]
    if key is not None:
        rows = [r for r in rows if name_key(r["title"]) == key] or rows
    return rows
