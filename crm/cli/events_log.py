"""`crm events`: the raw log, for audit."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from crm.cli.console import Format, emit_rows
from crm.cli.options import FormatOption
from crm.cli.session import Session

COLUMNS = ["position", "recorded_at", "occurred_at", "stream", "version", "type", "actor"]


def events(
    ctx: typer.Context,
    stream: Annotated[
        str | None, typer.Option("--stream", help="An entry (by reference) or a stream id.")
    ] = None,
    after: Annotated[
        int, typer.Option("--after", min=0, max=2**62, help="Only positions after this.")
    ] = 0,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=1_000_000, help="At most this many.")
    ] = 1000,
    fmt: FormatOption = Format.table,
) -> None:
    """Show the raw event log (decoded), oldest first.

    Example: crm events --stream "Liverpool-Kunming" --format json
    """
    from itertools import islice

    session = Session(ctx)
    store = session.app.store
    if stream is None:
        records: Any = store.read_all(after_position=after)
    else:
        stream_id = stream if "-" in stream and store.stream_version(stream) else None
        if stream_id is None:
            with session.lookup() as lookup:
                entry = lookup.resolve(
                    [
                        "organisation",
                        "contact",
                        "partnership",
                        "mission",
                        "interaction",
                        "agreement",
                        "followup",
                    ],
                    stream,
                    what="entry",
                )
            stream_id = f"{entry.kind}-{entry.entry_id}"
        records = [r for r in store.read_stream(stream_id) if r.position > after]
    rows = [
        {
            "position": r.position,
            "recorded_at": r.recorded_at,
            "occurred_at": r.occurred_at,
            "stream": r.stream_id,
            "version": r.stream_version,
            "type": r.type,
            "actor": r.actor,
            "source": r.source,
            "correlation_id": r.correlation_id_text,
            "data": r.event.model_dump(mode="json"),
            "is_erased": r.is_erased,
            "hash": r.hash,
        }
        for r in islice(records, max(0, limit))
    ]
    emit_rows(rows, fmt, COLUMNS, title="Event log")
