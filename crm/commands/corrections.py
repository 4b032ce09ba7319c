"""Correct or retract any logged entry: new events that supersede, never edits in place."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from crm.commands import (
    agreements,
    contacts,
    followups,
    interactions,
    missions,
    organisations,
    partnerships,
)
from crm.commands.context import CommandContext
from crm.commands.revisions import corrected
from crm.commands.streams import append, load, stream_id
from crm.errors import CommandRejectedError
from events.envelope import RecordedEvent
from events.event import Event
from events.schemas.corrections import EntryCorrected, EntryRetracted
from events.schemas.values import EntryKind


@dataclass(frozen=True)
class EntryModel:
    """How to fold one kind of entry, and which of its fields a correction may change."""

    evolve: Callable[[Any, Event], Any]
    initial: Callable[[], Any]
    current: Callable[[Any], Event | None]
    correctable: frozenset[str]
    check: Callable[[Any], None] = lambda _entry: None
    """The kind's own rules, which a corrected entry must still satisfy."""


ENTRY_MODELS: dict[EntryKind, EntryModel] = {
    "organisation": EntryModel(
        organisations.evolve,
        organisations.Organisation,
        lambda s: s.registered,
        frozenset({"name", "native_name", "kind", "country", "city", "timezone", "aliases"}),
    ),
    "contact": EntryModel(
        contacts.evolve,
        contacts.Contact,
        lambda s: s.registered,
        frozenset(
            {
                "family_name",
                "given_name",
                "family_name_first",
                "native_name",
                "preferred_name",
                "honorific",
                "emails",
                "phones",
                "notes",
                "languages",
                "timezone",
                "tags",
            }
        ),
    ),
    "partnership": EntryModel(
        partnerships.evolve,
        partnerships.Partnership,
        lambda s: s.formed,
        frozenset({"name", "kind", "sectors", "owner_email"}),
    ),
    "mission": EntryModel(
        missions.evolve, missions.Mission, lambda s: s.planned, frozenset({"name", "direction"})
    ),
    "interaction": EntryModel(
        interactions.evolve,
        interactions.Interaction,
        lambda s: s.logged,
        frozenset(
            {
                "kind",
                "held_at",
                "timezone",
                "place",
                "subject",
                "summary",
                "outcomes",
                "partnership_id",
                "mission_id",
            }
        ),
    ),
    "agreement": EntryModel(
        agreements.evolve,
        agreements.Agreement,
        lambda s: s.signed,
        frozenset({"title", "kind", "signed_on", "place", "expires_on", "document_ref", "sectors"}),
        agreements.check_expiry,
    ),
    "followup": EntryModel(
        followups.evolve, followups.FollowUp, lambda s: s.opened, frozenset({"text"})
    ),
}


@dataclass(frozen=True)
class CorrectEntry:
    """Supersede some fields of an entry, for a reason."""

    kind: EntryKind
    entry_id: UUID
    changes: dict[str, Any]
    reason: str


@dataclass(frozen=True)
class RetractEntry:
    """Withdraw an entry, for a reason."""

    kind: EntryKind
    entry_id: UUID
    reason: str


def decide_correct(cmd: CorrectEntry, state: Any) -> list[Event]:
    """Correct fields the kind allows; the corrected entry must still be valid and differ."""
    model = ENTRY_MODELS[cmd.kind]
    current = model.current(state)
    if current is None or getattr(state, "is_retracted", False):
        raise CommandRejectedError(f"{cmd.kind} {cmd.entry_id} does not exist or was retracted")
    if getattr(state, "is_forgotten", False):
        raise CommandRejectedError(f"{cmd.kind} {cmd.entry_id} has been erased")
    unknown = sorted(set(cmd.changes) - model.correctable)
    if unknown:
        allowed = ", ".join(sorted(model.correctable))
        raise CommandRejectedError(f"cannot correct {', '.join(unknown)}; allowed: {allowed}")
    personal_names = current.personal_fields()
    personal = {k: v for k, v in cmd.changes.items() if k in personal_names}
    ordinary = {k: v for k, v in cmd.changes.items() if k not in personal_names}
    correction = EntryCorrected(
        entry_id=cmd.entry_id,
        changes=ordinary,
        personal_changes=json.dumps(personal, ensure_ascii=False) if personal else None,
        subject_id=cmd.entry_id if personal else None,
        reason=cmd.reason,
    )
    try:
        after = corrected(current, correction)
    except ValidationError as error:
        first = error.errors()[0]
        raise CommandRejectedError(f"{first['loc'][0]}: {first['msg']}") from None
    if after == current:
        raise CommandRejectedError("the correction changes nothing")
    model.check(after)
    stored = after.model_dump(mode="json")
    normalised = {k: stored[k] for k in ordinary}
    return [correction.model_copy(update={"changes": normalised})]


def decide_retract(cmd: RetractEntry, state: Any) -> list[Event]:
    """Retract an entry that exists and is not retracted yet."""
    if ENTRY_MODELS[cmd.kind].current(state) is None:
        raise CommandRejectedError(f"{cmd.kind} {cmd.entry_id} does not exist")
    if getattr(state, "is_retracted", False):
        raise CommandRejectedError(f"{cmd.kind} {str(cmd.entry_id)[:8]} is already retracted")
    return [EntryRetracted(entry_id=cmd.entry_id, reason=cmd.reason)]


def load_entry(ctx: CommandContext, kind: EntryKind, entry_id: UUID) -> tuple[Any, int]:
    """Fold any entry's stream."""
    model = ENTRY_MODELS[kind]
    return load(ctx, stream_id(kind, entry_id), model.evolve, model.initial())


def correct_entry(ctx: CommandContext, cmd: CorrectEntry) -> list[RecordedEvent[Event]]:
    """Handle: load the entry, decide, append to its own stream."""
    state, version = load_entry(ctx, cmd.kind, cmd.entry_id)
    return append(ctx, stream_id(cmd.kind, cmd.entry_id), decide_correct(cmd, state), version)


def retract_entry(ctx: CommandContext, cmd: RetractEntry) -> list[RecordedEvent[Event]]:
    """Handle: load the entry, decide, append to its own stream."""
    state, version = load_entry(ctx, cmd.kind, cmd.entry_id)
    return append(ctx, stream_id(cmd.kind, cmd.entry_id), decide_retract(cmd, state), version)
