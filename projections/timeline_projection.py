"""TimelineProjection: keeps timeline rows, their links and revisions current from the log."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, time
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import (
    Connection,
    MetaData,
    Table,
    delete,
    func,
    insert,
    select,
)

from events.envelope import RecordedEvent
from events.event import Event
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
from events.schemas.interactions import InteractionLogged
from events.schemas.missions import (
    MissionCancelled,
    MissionParticipantAdded,
    MissionPlanned,
    MissionRescheduled,
)
from events.schemas.organisations import OrganisationRegistered
from events.schemas.partnerships import PartnershipFormed, PartnershipStatusChanged
from events.vocabulary import ERASED
from projections.projection import Projection
from projections.timeline import (
    TOUCH_KINDS,
    TOUCHED,
    VERSION,
    moment_columns,
    pack_links,
    searchable,
    sorted_json,
    split_ids,
    title_of,
    touch_of,
    unpack_links,
    utc_text,
)
from projections.timeline_tables import metadata
from projections.unit import UnitOfWork

SUBJECT_KINDS = frozenset({"organisation", "contact", "partnership"})
"""Entries kept as subjects (`timeline_subjects`): no timeline row is keyed by their ids."""

_FOLLOWUP_CHANGES: dict[type[Event], str] = {
    FollowUpCompleted: "done",
    FollowUpCancelled: "cancelled",
    FollowUpReassigned: "reassigned",
    FollowUpRedated: "re-dated",
}


class TimelineProjection(Projection):
    """Timeline rows, their links to partnerships, organisations, contacts and missions."""

    name: ClassVar[str] = "timeline"
    version: ClassVar[int] = VERSION
    metadata: ClassVar[MetaData] = metadata
    handles: ClassVar[frozenset[type[Event]]] = frozenset(
        {
            InteractionLogged,
            AgreementSigned,
            MissionPlanned,
            MissionRescheduled,
            MissionCancelled,
            MissionParticipantAdded,
            FollowUpOpened,
            FollowUpCompleted,
            FollowUpCancelled,
            FollowUpReassigned,
            FollowUpRedated,
            PartnershipFormed,
            PartnershipStatusChanged,
            EntryCorrected,
            EntryRetracted,
            OrganisationRegistered,
            ContactRegistered,
            ContactForgotten,
        }
    )
    separable: ClassVar[frozenset[type[Event]]] = frozenset({InteractionLogged})
    """An interaction adds one row; in bulk its links and touches are left to `finalize`."""

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
        position: int,
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
        text = data if isinstance(data, str) else sorted_json(data)
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
                "position": position,
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
        text = record.stored_json or event.model_dump_json()
        self._logged(unit, record.position, text, orjson.loads(text))

    def apply_plain(self, unit: UnitOfWork, position: int, kind: type[Event], text: str) -> None:
        """Add an interaction's row from its stored JSON, as `apply` does from the event."""
        if kind is not InteractionLogged:
            raise TypeError(f"{kind.__name__} is not separable for the timeline")
        self._logged(unit, position, text, orjson.loads(text))

    def _logged(self, unit: UnitOfWork, position: int, text: str, data: dict[str, Any]) -> None:
        """An interaction's row, from the event's JSON: its decoded values are not needed,
        so a rebuild's helper need not decode a million interactions (`apply_plain`)."""
        links = {person["contact_id"]: "contact" for person in data.get("participants", ())}
        if data.get("partnership_id"):
            links[data["partnership_id"]] = "partnership"
        if data.get("mission_id"):
            links[data["mission_id"]] = "mission"
        self._row(
            unit,
            position,
            row_id=data["interaction_id"],
            entry_id=data["interaction_id"],
            kind=data["kind"],
            moment=datetime.fromisoformat(data["held_at"]),
            zone=data["timezone"],
            title=data["subject"],
            data=text,
            links=links,
            search=searchable(data["subject"], data.get("place")),
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
            record.position,
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
            record.position,
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
            if link.kind not in SUBJECT_KINDS:  # a subject is no row: nothing to take over
                links |= self._links_of(unit, str(link.id))
        links[str(event.followup_id)] = "followup"
        data = event.model_dump(mode="json") | {"change": "opened"}
        self._row(
            unit,
            record.position,
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
        base = orjson.loads(opened["data"])
        change = _FOLLOWUP_CHANGES[type(event)]
        data = event.model_dump(mode="json") | {"change": change}
        self._row(
            unit,
            record.position,
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
            record.position,
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
            record.position,
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
            # an id and a fixed kind need no escaping: the text sorted_json would give
            "links": sorted_json(links) if links else f'{{"{subject_id}":"{kind}"}}',
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
        # Grouped by the key's first column alone (a ref's links all name the same kind): in
        # key order, so SQLite groups as it scans instead of sorting 2.6 million touches
        # (0.8 s against 2.1 on the generated million-event store).
        latest = (
            select(linked.c.ref_id, func.min(linked.c.ref_kind), func.max(linked.c.touch_at))
            .where(linked.c.ref_kind.in_(TOUCHED), linked.c.touch_at.is_not(None))
            .group_by(linked.c.ref_id)
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
        values: dict[str, Any] = {"data": sorted_json(data), "title": title_of(row, data)}
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
                "changes": sorted_json(changes),
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
            corrections = [*split_ids(subject["corrections"]), record.event_id_text]
            unit.change("timeline_subjects", entry_id, corrections=";".join(corrections))
        self._row(
            unit,
            record.position,
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
        for row_id in split_ids(subject["corrections"]):
            row = unit.get("timeline_entries", row_id)
            if row is None:
                continue
            data = json.loads(row["data"])
            fields = [f for f in data["fields"] if f not in sealed]
            if fields != data["fields"]:
                title = correction_title(f"{subject['kind']} details", fields)
                unit.change(
                    "timeline_entries",
                    row_id,
                    title=title,
                    data=sorted_json(data | {"fields": fields}),
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
