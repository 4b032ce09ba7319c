"""Follow-ups: open one, then complete, cancel, reassign or re-date it while it is open."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from uuid import UUID

from crm.commands.context import CommandContext
from crm.commands.revisions import corrected
from crm.commands.streams import C, execute, stream_id
from crm.errors import CommandRejectedError
from events.envelope import RecordedEvent
from events.event import Event
from events.schemas.corrections import EntryCorrected, EntryRetracted
from events.schemas.followups import (
    FollowUpCancelled,
    FollowUpCompleted,
    FollowUpOpened,
    FollowUpReassigned,
    FollowUpRedated,
)


@dataclass(frozen=True)
class FollowUp:
    """A follow-up as its stream tells it."""

    opened: FollowUpOpened | None = None
    first: FollowUpOpened | None = field(default=None, compare=False)
    """The entry as first recorded, before corrections: what a retried command matches."""
    status: str = "open"
    is_retracted: bool = False


def evolve(state: FollowUp, event: Event) -> FollowUp:
    """Fold one event into the follow-up."""
    opened = state.opened
    match event:
        case FollowUpOpened():
            return replace(state, opened=event, first=event)
        case FollowUpCompleted():
            return replace(state, status="done")
        case FollowUpCancelled():
            return replace(state, status="cancelled")
        case FollowUpReassigned() if opened is not None:
            moved = opened.model_copy(update={"owner_email": event.owner_email})
            return replace(state, opened=moved)
        case FollowUpRedated() if opened is not None:
            return replace(state, opened=opened.model_copy(update={"due": event.due}))
        case EntryCorrected() if opened is not None:
            return replace(state, opened=corrected(opened, event))
        case EntryRetracted():
            return replace(state, is_retracted=True)
    return state


def _require_open(state: FollowUp, followup_id: UUID) -> FollowUpOpened:
    if state.opened is None or state.is_retracted:
        raise CommandRejectedError(f"follow-up {followup_id} does not exist")
    if state.status != "open":
        raise CommandRejectedError(f"follow-up {str(followup_id)[:8]} is already {state.status}")
    return state.opened


def decide_open(cmd: FollowUpOpened, state: FollowUp) -> list[Event]:
    """Open a follow-up."""
    if state.opened is not None:
        if state.first == cmd:
            return []
        raise CommandRejectedError(f"follow-up {cmd.followup_id} already exists")
    return [cmd]


def decide_complete(cmd: FollowUpCompleted, state: FollowUp) -> list[Event]:
    """Mark an open follow-up done."""
    _require_open(state, cmd.followup_id)
    return [cmd]


def decide_cancel(cmd: FollowUpCancelled, state: FollowUp) -> list[Event]:
    """Drop an open follow-up, for a reason."""
    _require_open(state, cmd.followup_id)
    return [cmd]


def decide_reassign(cmd: FollowUpReassigned, state: FollowUp) -> list[Event]:
    """Give an open follow-up to someone else."""
    opened = _require_open(state, cmd.followup_id)
    if opened.owner_email == cmd.owner_email:
        raise CommandRejectedError(f"the follow-up is already owned by {cmd.owner_email}")
    return [cmd]


def decide_redate(cmd: FollowUpRedated, state: FollowUp) -> list[Event]:
    """Move an open follow-up's due date."""
    opened = _require_open(state, cmd.followup_id)
    if opened.due == cmd.due:
        raise CommandRejectedError("the follow-up is already due then")
    return [cmd]


def handle(
    ctx: CommandContext, cmd: C, decide: Callable[[C, FollowUp], list[Event]]
) -> list[RecordedEvent[Event]]:
    """Handle any follow-up command: load, decide, append."""
    followup_id: UUID = cmd.followup_id  # type: ignore[attr-defined]
    return execute(ctx, stream_id("followup", followup_id), evolve, FollowUp(), decide, cmd)
