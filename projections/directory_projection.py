"""DirectoryProjection: keeps entries, names and roles current from the log."""

from __future__ import annotations

import json
from typing import Any, ClassVar
from uuid import UUID

import orjson
from sqlalchemy import MetaData

from events.envelope import RecordedEvent
from events.event import Event
from events.schemas.agreements import AgreementSigned
from events.schemas.contacts import (
    ContactForgotten,
    ContactRegistered,
    ContactRoleAssigned,
    ContactRoleEnded,
    FirstRole,
)
from events.schemas.corrections import EntryCorrected, EntryRetracted
from events.schemas.followups import (
    FollowUpCancelled,
    FollowUpCompleted,
    FollowUpOpened,
    FollowUpReassigned,
    FollowUpRedated,
)
from events.schemas.missions import (
    MissionCancelled,
    MissionParticipantAdded,
    MissionPlanned,
    MissionRescheduled,
)
from events.schemas.organisations import OrganisationRegistered
from events.schemas.partnerships import PartnershipFormed, PartnershipStatusChanged
from events.vocabulary import ERASED
from projections.directory import VERSION, label_of, names_of
from projections.directory_tables import metadata
from projections.projection import Projection
from projections.unit import UnitOfWork

_STATUS_EVENTS: dict[type[Event], str] = {
    FollowUpCompleted: "done",
    FollowUpCancelled: "cancelled",
}


class DirectoryProjection(Projection):
    """Entries and names for listing and for resolving what users type."""

    name: ClassVar[str] = "directory"
    version: ClassVar[int] = VERSION
    metadata: ClassVar[MetaData] = metadata
    handles: ClassVar[frozenset[type[Event]]] = frozenset(
        {
            OrganisationRegistered,
            ContactRegistered,
            PartnershipFormed,
            MissionPlanned,
            AgreementSigned,
            FollowUpOpened,
            ContactRoleAssigned,
            ContactRoleEnded,
            PartnershipStatusChanged,
            MissionRescheduled,
            MissionCancelled,
            MissionParticipantAdded,
            FollowUpCompleted,
            FollowUpCancelled,
            FollowUpReassigned,
            FollowUpRedated,
            EntryCorrected,
            EntryRetracted,
            ContactForgotten,
        }
    )

    def apply(self, unit: UnitOfWork, record: RecordedEvent[Event]) -> None:
        """Keep entries, names and roles current."""
        event = record.event
        match event:
            case OrganisationRegistered():
                self._create(unit, "organisation", event.organisation_id, event, record)
            case ContactRegistered():
                self._create(unit, "contact", event.contact_id, event, record)
                if event.first_role is not None:
                    unit.add("directory_roles", _role_row(event.contact_id, event.first_role))
            case PartnershipFormed():
                self._create(unit, "partnership", event.partnership_id, event, record)
            case MissionPlanned():
                self._create(unit, "mission", event.mission_id, event, record, cancelled=False)
            case AgreementSigned():
                self._create(unit, "agreement", event.agreement_id, event, record)
            case FollowUpOpened():
                self._create(unit, "followup", event.followup_id, event, record, status="open")
            case ContactRoleAssigned():
                unit.add("directory_roles", _role_row(event.contact_id, event))
            case ContactRoleEnded():
                unit.change("directory_roles", str(event.role_id), until=event.until.isoformat())
            case PartnershipStatusChanged():
                self._update(unit, event.partnership_id, status=event.status)
            case MissionRescheduled():
                starts, ends = (
                    event.starts.model_dump(mode="json"),
                    event.ends.model_dump(mode="json"),
                )
                self._update(unit, event.mission_id, starts=starts, ends=ends)
            case MissionCancelled():
                self._update(unit, event.mission_id, cancelled=True)
            case MissionParticipantAdded():
                self._add_participant(unit, event)
            case FollowUpCompleted() | FollowUpCancelled():
                self._update(unit, event.followup_id, status=_STATUS_EVENTS[type(event)])
            case FollowUpReassigned():
                self._update(unit, event.followup_id, owner_email=event.owner_email)
            case FollowUpRedated():
                self._update(unit, event.followup_id, due=event.due.model_dump(mode="json"))
            case EntryCorrected():
                changes = dict(event.changes)
                if event.personal_changes and event.personal_changes != ERASED:
                    changes.update(json.loads(event.personal_changes))
                self._update(unit, event.entry_id, **changes)
            case EntryRetracted():
                self._retract(unit, event.entry_id)
            case ContactForgotten():
                self._forget(unit, event.contact_id)

    def _create(
        self,
        unit: UnitOfWork,
        kind: str,
        entry_id: Any,
        event: Event,
        record: RecordedEvent[Event],
        **extra: Any,
    ) -> None:
        if extra:
            data = event.model_dump(mode="json", exclude=_KEPT_ELSEWHERE) | extra
            text = orjson.dumps(data).decode()
        else:
            # pydantic's own JSON: a quarter of the cost of json.dumps. The label and names
            # read only text fields, alike on the event and in its JSON, so they read the
            # event's own fields: one serialisation fewer per entry.
            data = vars(event)
            text = event.model_dump_json(exclude=_KEPT_ELSEWHERE)
        row = {
            "entry_id": str(entry_id),
            "kind": kind,
            "label": label_of(kind, data),
            "data": text,
            "created_position": record.position,
            "is_retracted": False,
        }
        unit.add("directory_entries", row)
        self._set_names(unit, str(entry_id), kind, set(), names_of(kind, data))

    def _update(self, unit: UnitOfWork, entry_id: Any, **changes: Any) -> None:
        row = unit.get("directory_entries", str(entry_id))
        if row is None:
            return
        data = orjson.loads(row["data"])
        before = names_of(row["kind"], data)
        data.update(changes)
        unit.change(
            "directory_entries",
            row["entry_id"],
            data=orjson.dumps(data).decode(),
            label=label_of(row["kind"], data),
        )
        if not row["is_retracted"]:
            self._set_names(unit, row["entry_id"], row["kind"], before, names_of(row["kind"], data))

    def _set_names(
        self, unit: UnitOfWork, entry_id: str, kind: str, before: set[str], after: set[str]
    ) -> None:
        for key in before - after:
            unit.remove("directory_names", entry_id, key)
        write = unit.add if not before else unit.put  # a new entry's names are new rows
        for key in after - before:
            write("directory_names", {"entry_id": entry_id, "name_key": key, "kind": kind})

    def _retract(self, unit: UnitOfWork, entry_id: Any) -> None:
        row = unit.change("directory_entries", str(entry_id), is_retracted=True)
        if row is not None:
            kind: str = row["kind"]
            names = names_of(kind, json.loads(row["data"]))
            self._set_names(unit, str(entry_id), kind, names, set())

    def _add_participant(self, unit: UnitOfWork, event: MissionParticipantAdded) -> None:
        row = unit.get("directory_entries", str(event.mission_id))
        if row is not None:
            people = json.loads(row["data"]).get("participants", [])
            people.append(event.participant.model_dump(mode="json"))
            self._update(unit, event.mission_id, participants=people)

    def _forget(self, unit: UnitOfWork, contact_id: Any) -> None:
        row = unit.get("directory_entries", str(contact_id))
        if row is None:
            return
        data = json.loads(row["data"])
        before = names_of("contact", data)
        for field in ContactRegistered.personal_fields():
            value = data.get(field)
            data[field] = [ERASED] if isinstance(value, list) else ERASED
        unit.change(
            "directory_entries",
            row["entry_id"],
            data=orjson.dumps(data).decode(),
            label=ERASED,
        )
        self._set_names(unit, row["entry_id"], "contact", before, set())


_KEPT_ELSEWHERE = {"first_role"}
"""Fields of a creating event that are not the entry's data: a contact's first role is a row
of `directory_roles`, as every later role is."""


def _role_row(contact_id: UUID, role: ContactRoleAssigned | FirstRole) -> dict[str, Any]:
    return {
        "role_id": str(role.role_id),
        "contact_id": str(contact_id),
        "organisation_id": str(role.organisation_id),
        "title": role.title,
        "since": role.since.isoformat() if role.since else None,
        "until": role.until.isoformat() if role.until else None,
    }
