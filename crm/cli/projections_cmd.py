"""`crm projections`: the read models' state, and rebuilding them from the log."""

from __future__ import annotations

from typing import Annotated

import typer

from crm.cli.console import Format, emit_rows, note, progress_bar
from crm.cli.options import FormatOption
from crm.cli.session import Session

app = typer.Typer(rich_markup_mode=None, help="Read models: status and rebuild.")


@app.command("status")
def status(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """Show each projection's version, checkpoint and lag behind the log.

    Example: crm projections status --format json
    """
    report = Session(ctx).app.runner.status()
    rows = [
        {
            "name": s.name,
            "version": s.version,
            "stored_version": s.stored_version,
            "checkpoint": s.checkpoint,
            "lag": s.lag,
            "rebuilding_at": s.rebuilding_at,
        }
        for s in report
    ]
    emit_rows(rows, fmt, list(rows[0]) if rows else ["name"], title="Projections")


@app.command("rebuild")
def rebuild(
    ctx: typer.Context,
    name: Annotated[
        str | None, typer.Argument(metavar="NAME", help="One projection (default: all).")
    ] = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=100, max=1_000_000, help="Events per transaction.")
    ] = 200_000,  # projections.runner.REBUILD_TRANSACTION, without importing it on start-up
) -> None:
    """Rebuild projections from the whole log into fresh tables, then swap them in.

    Readers keep the old view until the swap; a killed rebuild resumes where it stopped.
    Example: crm projections rebuild timeline
    """
    runner = Session(ctx).app.runner
    if name is not None and name not in runner.projections:
        known = ", ".join(runner.projections)
        raise typer.BadParameter(f"no projection {name!r}; known: {known}", param_hint="NAME")
    with progress_bar("rebuilding") as advance:
        runner.rebuild([name] if name else None, progress=advance, batch_size=batch_size)
    note(f"rebuilt {name or 'all projections'}")
