"""Writing an import as one batch, and undoing a batch as a whole."""

from __future__ import annotations

from uuid import UUID

from crm.commands.context import CommandContext
from crm.commands.corrections import ENTRY_MODELS, RetractEntry, decide_retract, load_entry
from crm.errors import BadInputError
from crm.exchange.csv_import import ImportPlan
from events.envelope import AppendContext, PendingEvent, RecordedEvent, StreamWrite
from events.event import Event


def write_plan(
    ctx: CommandContext, plan: ImportPlan, *, skip_invalid: bool
) -> list[RecordedEvent[Event]]:
    """Append every valid row in one transaction, tagged with the batch id."""
    if plan.invalid and not skip_invalid:
        raise BadInputError(
            f"{len(plan.invalid)} invalid row(s), first at line {plan.invalid[0].line}: "
            f"{plan.invalid[0].error}; nothing written (fix them, or use --skip-invalid)"
        )
    # Bare events: the store stamps each with the batch's `now` (a meeting's own time is in it).
    writes = [StreamWrite(stream, events, 0) for row in plan.valid for stream, events in row.writes]
    context = AppendContext(actor=ctx.actor, source="import", correlation_id=plan.batch_id)
    return ctx.store.append_batch(writes, context=context, now=ctx.now)


def undo_batch(ctx: CommandContext, batch_id: UUID, reason: str) -> int:
    """Retract every entry a batch created (that is not retracted yet); return how many."""
    streams = ctx.store.streams_with_correlation(str(batch_id))
    if not streams:
        raise BadInputError(f"no batch {batch_id} in the log")
    writes = []
    for stream in streams:
        kind, _, raw_id = stream.partition("-")
        if kind not in ENTRY_MODELS:
            continue
        entry_id = UUID(raw_id)
        state, version = load_entry(ctx, kind, entry_id)
        if getattr(state, "is_retracted", False):
            continue
        events = decide_retract(RetractEntry(kind, entry_id, reason), state)
        writes.append(StreamWrite(stream, [PendingEvent(e, ctx.now) for e in events], version))
    context = AppendContext(actor=ctx.actor, source="undo", correlation_id=ctx.correlation_id)
    ctx.store.append_batch(writes, context=context, now=ctx.now)
    return len(writes)
