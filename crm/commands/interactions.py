"""Meetings, calls, emails and other interactions: log one, once."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from crm.commands.context import CommandContext
from crm.commands.revisions import corrected
from crm.commands.streams import append, load, stream_id
from crm.errors import CommandRejectedError
from events.envelope import RecordedEvent
from events.event import Event
from events.schemas.corrections import EntryCorrected, EntryRetracted
from events.schemas.interactions import InteractionLogged


@dataclass(frozen=True)
class Interaction:
    """An interaction as its stream tells it."""

    logged: InteractionLogged | None = None
    first: InteractionLogged | None = field(default=None, compare=False)
    """The entry as first recorded, before corrections: what a retried command matches."""
    is_retracted: bool = False


def evolve(state: Interaction, event: Event) -> Interaction:
    """Fold one event into the interaction."""
    match event:
        case InteractionLogged():
            return replace(state, logged=event, first=event)
        case EntryCorrected() if state.logged is not None:
            return replace(state, logged=corrected(state.logged, event))
        case EntryRetracted():
            return replace(state, is_retracted=True)
    return state


def decide_log(cmd: InteractionLogged, state: Interaction) -> list[Event]:
    """Log an interaction; the same one again (same idempotency key) records nothing."""
    if state.logged is not None:
        if state.first == cmd:
            return []
        raise CommandRejectedError(
            "that idempotency key was already used for a different interaction "
            f"({state.logged.subject!r})"
        )
    if not cmd.participants:
        raise CommandRejectedError("an interaction needs at least one participant (--with)")
    return [cmd]


def log_interaction(ctx: CommandContext, cmd: InteractionLogged) -> list[RecordedEvent[Event]]:
    """Handle: load, decide, append (stamped with the time it happened)."""
    stream = stream_id("interaction", cmd.interaction_id)
    state, version = load(ctx, stream, evolve, Interaction())
    return append(ctx, stream, decide_log(cmd, state), version, occurred_at=cmd.held_at)
