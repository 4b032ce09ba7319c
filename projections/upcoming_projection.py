"""UpcomingProjection: keeps visits and agreement expiries ahead current from the log."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from sqlalchemy import MetaData

from events.envelope import RecordedEvent
from events.event import Event
from events.schemas.agreements import AgreementSigned
from events.schemas.corrections import EntryCorrected, EntryRetracted
from events.schemas.missions import (
    MissionCancelled,
    MissionParticipantAdded,
    MissionPlanned,
    MissionRescheduled,
)
from events.schemas.values import When
from projections.projection import Projection
from projections.timeline import utc_text
from projections.unit import UnitOfWork
from projections.upcoming import VERSION
from projections.upcoming_tables import metadata


def _dates(starts: When, ends: When) -> dict[str, Any]:
    """The days, the local times (None when all-day) and the zones of a visit's two ends."""
    return {
        "starts_day": starts.day.isoformat(),
        "starts_time": _time_text(starts),
        "starts_utc": utc_text(starts.start()),
        "ends_day": ends.day.isoformat(),
        "ends_time": _time_text(ends),
        "timezone": starts.timezone,
        "ends_timezone": ends.timezone,
    }


def _time_text(moment: When) -> str | None:
    """The wall-clock time in the moment's own zone, as `When.start` reads it."""
    if moment.local_time is None:
        return None
    return moment.local_time.replace(tzinfo=None).isoformat()


class UpcomingProjection(Projection):
    """Missions, visits and agreement expiries, for `crm upcoming` and the reminder engine."""

    name: ClassVar[str] = "upcoming"
    version: ClassVar[int] = VERSION
    metadata: ClassVar[MetaData] = metadata
    handles: ClassVar[frozenset[type[Event]]] = frozenset(
        {
            MissionPlanned,
            MissionRescheduled,
            MissionCancelled,
            MissionParticipantAdded,
            AgreementSigned,
            EntryCorrected,
            EntryRetracted,
        }
    )

    def apply(self, unit: UnitOfWork, record: RecordedEvent[Event]) -> None:
        """Keep visits and agreements current."""
        event = record.event
        match event:
            case MissionPlanned():
                unit.add("upcoming_visits", _visit_row(event))
            case MissionRescheduled():
                unit.change(
                    "upcoming_visits", str(event.mission_id), **_dates(event.starts, event.ends)
                )
            case MissionCancelled():
                unit.change("upcoming_visits", str(event.mission_id), status="cancelled")
            case MissionParticipantAdded():
                row = unit.get("upcoming_visits", str(event.mission_id))
                if row is not None:
                    people = [
                        *json.loads(row["participants"]),
                        event.participant.model_dump(mode="json"),
                    ]
                    unit.change(
                        "upcoming_visits", row["mission_id"], participants=json.dumps(people)
                    )
            case AgreementSigned():
                unit.add("upcoming_agreements", _agreement_row(event))
            case EntryCorrected():
                self._correct(unit, event)
            case EntryRetracted():
                unit.change("upcoming_visits", str(event.entry_id), is_retracted=True)
                unit.change("upcoming_agreements", str(event.entry_id), is_retracted=True)

    def _correct(self, unit: UnitOfWork, event: EntryCorrected) -> None:
        entry_id, changes = str(event.entry_id), event.changes
        visit = {k: changes[k] for k in ("name", "direction") if k in changes}
        if visit:
            unit.change("upcoming_visits", entry_id, **visit)
        agreement = {
            k: changes[k] for k in ("title", "signed_on", "expires_on", "place") if k in changes
        }
        if agreement:
            unit.change("upcoming_agreements", entry_id, **agreement)


def _visit_row(event: MissionPlanned) -> dict[str, Any]:
    return {
        "mission_id": str(event.mission_id),
        "name": event.name,
        "direction": event.direction,
        **_dates(event.starts, event.ends),
        "places": json.dumps([p.model_dump(mode="json") for p in event.places]),
        "partnership_ids": json.dumps([str(p) for p in event.partnership_ids]),
        "participants": json.dumps([p.model_dump(mode="json") for p in event.participants]),
        "status": "planned",
        "is_retracted": False,
    }


def _agreement_row(event: AgreementSigned) -> dict[str, Any]:
    return {
        "agreement_id": str(event.agreement_id),
        "partnership_id": str(event.partnership_id),
        "title": event.title,
        "signed_on": event.signed_on.isoformat(),
        "expires_on": event.expires_on.isoformat() if event.expires_on else None,
        "place": event.place,
        "is_retracted": False,
    }
