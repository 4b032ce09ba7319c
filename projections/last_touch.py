"""Last touch: when each contact and partnership last had a logged interaction or signing."""

from __future__ import annotations

import json
from datetime import datetime, time
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from sqlalchemy import Column, Index, MetaData, String, Table, Text

from events.envelope import RecordedEvent
from events.event import Event
from events.schemas.agreements import AgreementSigned
from events.schemas.corrections import EntryCorrected, EntryRetracted
from events.schemas.interactions import InteractionLogged
from projections.projection import Projection
from projections.timeline import utc_text
from projections.unit import UnitOfWork

metadata = MetaData()

touches = Table(
    "touches",
    metadata,
    Column("ref_id", String(36), primary_key=True),
    Column("source_id", String(36), primary_key=True),
    Column("ref_kind", String(20), nullable=False),
    Column("at_utc", String(40), nullable=False),
)
Index("ix_touches_kind_ref", touches.c.ref_kind, touches.c.ref_id, touches.c.at_utc)

touch_sources = Table(
    "touch_sources",
    metadata,
    Column("source_id", String(36), primary_key=True),
    Column("refs", Text, nullable=False),
    Column("at_utc", String(40), nullable=False),
)
"""What each interaction touched, so a correction or retraction can move or drop its touches."""


class LastTouchProjection(Projection):
    """One touch per (contact or partnership, interaction); the latest is the last touch."""

    name: ClassVar[str] = "last_touch"
    version: ClassVar[int] = 1
    metadata: ClassVar[MetaData] = metadata

    def apply(self, unit: UnitOfWork, record: RecordedEvent[Event]) -> None:
        """Record touches; move them when corrected, drop them when retracted."""
        event = record.event
        match event:
            case InteractionLogged():
                refs = {str(p.contact_id): "contact" for p in event.participants}
                if event.partnership_id:
                    refs[str(event.partnership_id)] = "partnership"
                self._touch(unit, str(event.interaction_id), refs, utc_text(event.held_at))
            case AgreementSigned():
                refs = {
                    str(p.contact_id): "contact" for p in (*event.signatories, *event.witnesses)
                }
                refs[str(event.partnership_id)] = "partnership"
                moment = event.signed_at or datetime.combine(
                    event.signed_on, time(12), ZoneInfo(event.timezone)
                )
                self._touch(unit, str(event.agreement_id), refs, utc_text(moment))
            case EntryCorrected():
                self._correct(unit, str(event.entry_id), event.changes)
            case EntryRetracted():
                self._drop(unit, str(event.entry_id))

    def _touch(self, unit: UnitOfWork, source: str, refs: dict[str, str], at: str) -> None:
        unit.put("touch_sources", {"source_id": source, "refs": json.dumps(refs), "at_utc": at})
        for ref_id, kind in refs.items():
            unit.put(
                "touches", {"ref_id": ref_id, "source_id": source, "ref_kind": kind, "at_utc": at}
            )

    def _drop(self, unit: UnitOfWork, source: str) -> dict[str, str]:
        row = unit.get("touch_sources", source)
        if row is None:
            return {}
        refs: dict[str, str] = json.loads(row["refs"])
        for ref_id in refs:
            unit.remove("touches", ref_id, source)
        unit.remove("touch_sources", source)
        return refs

    def _correct(self, unit: UnitOfWork, source: str, changes: dict[str, Any]) -> None:
        row = unit.get("touch_sources", source)
        if row is None or not ({"held_at", "partnership_id", "signed_on"} & set(changes)):
            return
        at = row["at_utc"]
        if "held_at" in changes:
            at = utc_text(datetime.fromisoformat(changes["held_at"]))
        refs = self._drop(unit, source)
        if "partnership_id" in changes:
            refs = {k: v for k, v in refs.items() if v != "partnership"}
            if changes["partnership_id"]:
                refs[str(changes["partnership_id"])] = "partnership"
        self._touch(unit, source, refs, at)
