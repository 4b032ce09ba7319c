"""Trade missions and delegation visits: plan, add people, reschedule, cancel."""

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
from events.schemas.missions import (
    MissionCancelled,
    MissionParticipantAdded,
    MissionPlanned,
    MissionRescheduled,
)
from events.schemas.values import When


@dataclass(frozen=True)
class Mission:
    """A mission as its stream tells it (dates and people after every change)."""

    planned: MissionPlanned | None = None
    first: MissionPlanned | None = field(default=None, compare=False)
    """The entry as first recorded, before corrections: what a retried command matches."""
    is_cancelled: bool = False
    is_retracted: bool = False


def evolve(state: Mission, event: Event) -> Mission:
    """Fold one event into the mission."""
    planned = state.planned
    match event:
        case MissionPlanned():
            return replace(state, planned=event, first=event)
        case MissionRescheduled() if planned is not None:
            moved = planned.model_copy(update={"starts": event.starts, "ends": event.ends})
            return replace(state, planned=moved)
        case MissionParticipantAdded() if planned is not None:
            people = (*planned.participants, event.participant)
            return replace(state, planned=planned.model_copy(update={"participants": people}))
        case MissionCancelled():
            return replace(state, is_cancelled=True)
        case EntryCorrected() if planned is not None:
            return replace(state, planned=corrected(planned, event))
        case EntryRetracted():
            return replace(state, is_retracted=True)
    return state


def check_dates(starts: When, ends: When) -> None:
    """Refuse an end before the start: instants when both have times, else local days."""
    if starts.is_all_day() or ends.is_all_day():
        backwards = ends.day < starts.day
    else:
        backwards = ends.start() < starts.start()
    if backwards:
        raise CommandRejectedError(
            f"the end ({format_when(ends)}) is before the start ({format_when(starts)})"
        )


def format_when(when: When) -> str:
    """A short form of a moment for messages."""
    clock = f" {when.local_time.isoformat('minutes')} {when.timezone}" if when.local_time else ""
    return f"{when.day}{clock}"


def _require_open(state: Mission) -> MissionPlanned:
    if state.planned is None:
        raise CommandRejectedError("that mission does not exist")
    if state.is_retracted:
        raise CommandRejectedError(f"mission {state.planned.name!r} was retracted")
    if state.is_cancelled:
        raise CommandRejectedError(f"mission {state.planned.name!r} was cancelled")
    return state.planned


def decide_plan(cmd: MissionPlanned, state: Mission) -> list[Event]:
    """Plan a mission whose end is not before its start."""
    if state.planned is not None:
        if state.first == cmd:
            return []
        raise CommandRejectedError(f"mission {cmd.mission_id} already exists")
    check_dates(cmd.starts, cmd.ends)
    people = [p.contact_id for p in cmd.participants]
    if len(set(people)) != len(people):
        raise CommandRejectedError("each person takes part in a mission once")
    return [cmd]


def decide_reschedule(cmd: MissionRescheduled, state: Mission) -> list[Event]:
    """Move a mission to new dates (refused if nothing changes)."""
    planned = _require_open(state)
    check_dates(cmd.starts, cmd.ends)
    if (planned.starts, planned.ends) == (cmd.starts, cmd.ends):
        raise CommandRejectedError("the mission already has those dates")
    return [cmd]


def decide_cancel(cmd: MissionCancelled, state: Mission) -> list[Event]:
    """Call a mission off."""
    _require_open(state)
    return [cmd]


def decide_add_participant(cmd: MissionParticipantAdded, state: Mission) -> list[Event]:
    """Add a person to a mission, once."""
    planned = _require_open(state)
    if any(p.contact_id == cmd.participant.contact_id for p in planned.participants):
        raise CommandRejectedError("that person is already on the mission")
    return [cmd]


def handle(
    ctx: CommandContext, cmd: C, decide: Callable[[C, Mission], list[Event]]
) -> list[RecordedEvent[Event]]:
    """Handle any mission command: load, decide, append."""
    mission_id: UUID = cmd.mission_id  # type: ignore[attr-defined]
    return execute(ctx, stream_id("mission", mission_id), evolve, Mission(), decide, cmd)
