"""Partnerships between our organisation and a counterpart, and their status over time."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from uuid import UUID

from crm.commands.context import CommandContext
from crm.commands.revisions import corrected
from crm.commands.streams import append, load, stream_id
from crm.errors import CommandRejectedError
from events.envelope import RecordedEvent
from events.event import Event
from events.schemas.agreements import AgreementSigned
from events.schemas.corrections import EntryCorrected, EntryRetracted
from events.schemas.partnerships import PartnershipFormed, PartnershipStatusChanged


@dataclass(frozen=True)
class Partnership:
    """A partnership as its stream tells it."""

    formed: PartnershipFormed | None = None
    first: PartnershipFormed | None = field(default=None, compare=False)
    """The entry as first recorded, before corrections: what a retried command matches."""
    status: str = "exploring"
    is_retracted: bool = False


def evolve(state: Partnership, event: Event) -> Partnership:
    """Fold one event into the partnership."""
    match event:
        case PartnershipFormed():
            return replace(state, formed=event, first=event, status=event.status)
        case PartnershipStatusChanged():
            return replace(state, status=event.status)
        case EntryCorrected() if state.formed is not None:
            return replace(state, formed=corrected(state.formed, event))
        case EntryRetracted():
            return replace(state, is_retracted=True)
    return state


def require_current(state: Partnership, partnership_id: UUID) -> PartnershipFormed:
    """The partnership's facts, or a rejection if it does not exist or was retracted."""
    if state.formed is None:
        raise CommandRejectedError(f"partnership {partnership_id} does not exist")
    if state.is_retracted:
        raise CommandRejectedError(f"partnership {partnership_id} was retracted")
    return state.formed


def decide_form(cmd: PartnershipFormed, state: Partnership) -> list[Event]:
    """Open a partnership between two different organisations."""
    if state.formed is not None:
        if state.first == cmd:
            return []
        raise CommandRejectedError(f"partnership {cmd.partnership_id} already exists")
    if cmd.our_organisation_id == cmd.counterpart_organisation_id:
        raise CommandRejectedError("a partnership needs two different organisations")
    return [cmd]


def decide_change_status(cmd: PartnershipStatusChanged, state: Partnership) -> list[Event]:
    """Move to a new status, for a reason; the same status again is refused."""
    require_current(state, cmd.partnership_id)
    if state.status == cmd.status:
        raise CommandRejectedError(f"the partnership is already {cmd.status}")
    return [cmd]


def decide_activation(signing: AgreementSigned, state: Partnership) -> list[Event]:
    """A signing makes its partnership active (nothing to record if it already is)."""
    require_current(state, signing.partnership_id)
    if state.status == "active":
        return []
    return [
        PartnershipStatusChanged(
            partnership_id=signing.partnership_id,
            status="active",
            reason=f"signed: {signing.title}",
            effective_on=signing.signed_on,
        )
    ]


def form_partnership(ctx: CommandContext, cmd: PartnershipFormed) -> list[RecordedEvent[Event]]:
    """Handle: load, decide, append."""
    stream = stream_id("partnership", cmd.partnership_id)
    state, version = load(ctx, stream, evolve, Partnership())
    return append(ctx, stream, decide_form(cmd, state), version)


def change_status(ctx: CommandContext, cmd: PartnershipStatusChanged) -> list[RecordedEvent[Event]]:
    """Handle: load, decide, append."""
    stream = stream_id("partnership", cmd.partnership_id)
    state, version = load(ctx, stream, evolve, Partnership())
    return append(ctx, stream, decide_change_status(cmd, state), version)
