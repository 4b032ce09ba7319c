"""`crm upcoming`, `crm stale` and `crm search`: the questions managers ask."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from crm.cli.console import Format, emit_rows
from crm.cli.options import FormatOption
from crm.cli.session import Session


class Level(StrEnum):
    """What `crm stale` looks at."""

    partnership = "partnership"
    contact = "contact"
    org = "org"


def upcoming(
    ctx: typer.Context,
    days: Annotated[int, typer.Option("--days", min=0, max=3660, help="How far ahead.")] = 14,
    owner: Annotated[str | None, typer.Option("--owner", help="Only this owner's.")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List visits, follow-ups due (overdue ones too) and agreements expiring soon.

    Example: crm upcoming --days 30 --owner international.office@liverpool.example
    """
    from crm.reports.upcoming import upcoming as query

    session = Session(ctx)
    with session.app.views() as reader:
        lines = query(reader, session.today, days, owner)
    rows = [
        {
            "day": line.day,
            "kind": line.kind,
            "title": line.title,
            "owner": line.owner,
            "detail": line.detail,
            "overdue": line.is_overdue,
            "id": line.entry_id,
        }
        for line in lines
    ]
    emit_rows(rows, fmt, ["day", "kind", "title", "owner", "detail", "overdue"], title="Upcoming")


def stale(
    ctx: typer.Context,
    days: Annotated[
        int, typer.Option("--days", min=1, max=36600, help="Quiet for at least this long.")
    ] = 90,
    level: Annotated[
        Level, typer.Option("--level", help="partnership, contact or org.")
    ] = Level.partnership,
    fmt: FormatOption = Format.table,
) -> None:
    """List partnerships, contacts or organisations with no logged interaction for N days.

    Example: crm stale --days 180 --level contact
    """
    from crm.reports.stale import stale as query

    session = Session(ctx)
    with session.app.views() as reader:
        lines = query(reader, session.now, days, level.value)
    rows = [
        {
            "id": line.entry_id,
            "kind": line.kind,
            "name": line.label,
            "last_touch": line.last_touch,
            "days_quiet": line.days_quiet,
        }
        for line in lines
    ]
    emit_rows(rows, fmt, ["id", "kind", "name", "last_touch", "days_quiet"], title="Gone quiet")


def search(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="Words to find (all must match).")],
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 50,
    fmt: FormatOption = Format.table,
) -> None:
    """Find organisations, people, partnerships and timeline entries by words.

    Example: crm search "friendship agreement"
    """
    from crm import fields
    from crm.reports.search import search as query

    words = fields.one_line(text, "TEXT")
    with Session(ctx).app.views() as reader:
        hits = query(reader, words, limit)
    rows = [{"id": h.entry_id, "kind": h.kind, "label": h.label, "when": h.when} for h in hits]
    emit_rows(rows, fmt, ["id", "kind", "label", "when"], title=f"Search: {words}")
