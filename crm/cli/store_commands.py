"""Commands about the store itself: create it, summarise it, check its hash chain."""

from __future__ import annotations

from typing import Annotated

import typer

from crm.cli.console import Format, emit_object, note
from crm.cli.context import services

FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]


def init(
    ctx: typer.Context,
    repair_triggers: Annotated[
        bool,
        typer.Option(
            "--repair-triggers", help="Reinstall missing append-only triggers (after `verify`)."
        ),
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Create the store (or bring its schema and read models up to date); say where it is.

    Example: crm --db sqlite:///team.db init
    """
    app = services(ctx)
    repaired = app.store.repair_guards() if repair_triggers else []
    if repaired:
        note("reinstalled triggers: " + ", ".join(repaired))
    app.runner.catch_up()  # the first command after `init` finds its read models ready
    emit_object(_summary(ctx), fmt)


def status(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """Summarise the store: where it is, its schema, and how many events of each type.

    Example: crm status --format json
    """
    emit_object(_summary(ctx), fmt)


def verify(
    ctx: typer.Context,
    chain_only: Annotated[
        bool, typer.Option("--chain-only", help="Check the hash chain; skip the read models.")
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Check the hash chain, and that every read model equals a fresh rebuild.

    Exits 1 naming the first bad position, or the first table that differs.
    Example: crm verify
    """
    app = services(ctx)
    result = app.store.verify()
    mismatch = None
    if result.is_intact and not chain_only:
        from projections.verify import verify_projections

        mismatch = verify_projections(app.runner)
    emit_object(
        {
            "intact": result.is_intact and mismatch is None,
            "events_checked": result.checked,
            "first_bad_position": result.first_bad_position,
            "reason": result.reason,
            "projections": _projections_verdict(result.is_intact and not chain_only, mismatch),
            "first_bad_table": mismatch.table if mismatch else None,
            "table_problem": f"{mismatch.key}: {mismatch.reason}" if mismatch else None,
        },
        fmt,
    )
    if not result.is_intact:
        note(f"the log is damaged at position {result.first_bad_position}: {result.reason}")
        raise typer.Exit(1)
    if mismatch is not None:
        note(f"read model table {mismatch.table} differs from a rebuild at {mismatch.key}")
        raise typer.Exit(1)


def _projections_verdict(checked: bool, mismatch: object) -> str:
    if not checked:
        return "not checked"
    return "differ" if mismatch is not None else "match"


def _summary(ctx: typer.Context) -> dict[str, object]:
    from events.database import parse_url
    from events.migrations import read_version

    app = services(ctx)
    store = app.store
    return {
        "database": parse_url(app.settings.database_url).render_as_string(hide_password=True),
        "backend": store.engine.dialect.name,
        "schema_version": read_version(store.engine),
        "events": store.head_position(),
        "streams": store.count_streams(),
        "events_by_type": store.count_by_type(),
    }


def register(app: typer.Typer) -> None:
    """Mount these commands on the root app."""
    app.command()(init)
    app.command()(status)
    app.command()(verify)
