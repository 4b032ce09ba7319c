"""Organisations: register one; decisions reject duplicates and retracted entries."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from crm.commands.context import CommandContext
from crm.commands.revisions import corrected
from crm.commands.streams import append, load, stream_id
from crm.errors import CommandRejectedError
from events.envelope import RecordedEvent
from events.event import Event
from events.schemas.corrections import EntryCorrected, EntryRetracted
from events.schemas.organisations import OrganisationRegistered


@dataclass(frozen=True)
class Organisation:
    """An organisation as its stream tells it."""

    registered: OrganisationRegistered | None = None
    first: OrganisationRegistered | None = field(default=None, compare=False)
    """The entry as first recorded, before corrections: what a retried command matches."""
    is_retracted: bool = False


def evolve(state: Organisation, event: Event) -> Organisation:
    """Fold one event into the organisation."""
    match event:
        case OrganisationRegistered():
            return replace(state, registered=event, first=event)
        case EntryCorrected() if state.registered is not None:
            return replace(state, registered=corrected(state.registered, event))
        case EntryRetracted():
            return replace(state, is_retracted=True)
    return state


def decide_register(
    cmd: OrganisationRegistered, state: Organisation, same_name_ids: tuple[str, ...]
) -> list[Event]:
    """Register a new organisation, unless it (or another of that name) exists already."""
    if state.registered is not None:
        if state.first == cmd:
            return []
        raise CommandRejectedError(f"organisation {cmd.organisation_id} already exists")
    if same_name_ids:
        raise CommandRejectedError(
            f"an organisation named {cmd.name!r} already exists ({same_name_ids[0][:8]}); "
            "add an alias or correct it instead"
        )
    return [cmd]


def register_organisation(
    ctx: CommandContext, cmd: OrganisationRegistered, same_name_ids: tuple[str, ...] = ()
) -> list[RecordedEvent[Event]]:
    """Handle: load, decide, append."""
    stream = stream_id("organisation", cmd.organisation_id)
    state, version = load(ctx, stream, evolve, Organisation())
    return append(ctx, stream, decide_register(cmd, state, same_name_ids), version)
