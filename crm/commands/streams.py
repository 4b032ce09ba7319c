"""Load an aggregate by folding its stream, and append its decision at the version it was read."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import reduce
from typing import TypeVar
from uuid import UUID

from crm.commands.context import CommandContext
from events.envelope import PendingEvent, RecordedEvent, StreamWrite
from events.event import Event
from events.schemas.values import EntryKind

S = TypeVar("S")


def stream_id(kind: EntryKind, entry_id: UUID) -> str:
    """The stream of one entry: `<kind>-<uuid>`."""
    return f"{kind}-{entry_id}"


def load(
    ctx: CommandContext, stream: str, evolve: Callable[[S, Event], S], initial: S
) -> tuple[S, int]:
    """Fold a stream into its current state; return the state and the version it was read at."""
    history = ctx.store.read_stream(stream)
    return reduce(evolve, (r.event for r in history), initial), len(history)


def append(
    ctx: CommandContext,
    stream: str,
    new_events: Sequence[Event],
    version: int,
    *,
    occurred_at: datetime | None = None,
) -> list[RecordedEvent[Event]]:
    """Append a decision's events, if the stream is still at `version`."""
    return append_all(ctx, [(stream, new_events, version)], occurred_at=occurred_at)


def append_all(
    ctx: CommandContext,
    writes: Sequence[tuple[str, Sequence[Event], int]],
    *,
    occurred_at: datetime | None = None,
) -> list[RecordedEvent[Event]]:
    """Append to several streams atomically (a signing also moves its partnership)."""
    batch = [
        StreamWrite(
            stream, [PendingEvent(e, occurred_at or ctx.happened_at()) for e in events], version
        )
        for stream, events, version in writes
        if events
    ]
    return ctx.store.append_batch(batch, context=ctx.append_context(), now=ctx.now)


C = TypeVar("C", bound=Event)


def execute(
    ctx: CommandContext,
    stream: str,
    evolve: Callable[[S, Event], S],
    initial: S,
    decide: Callable[[C, S], list[Event]],
    cmd: C,
    *,
    occurred_at: datetime | None = None,
) -> list[RecordedEvent[Event]]:
    """The whole handler: fold the stream, decide on the command, append at that version."""
    state, version = load(ctx, stream, evolve, initial)
    return append(ctx, stream, decide(cmd, state), version, occurred_at=occurred_at)
