"""`crm timeline`: what has happened with a partnership, organisation, contact or mission."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from crm.cli.console import ReportFormat, emit_rows, to_json, write
from crm.cli.session import Session

COLUMNS = ["when", "kind", "title", "people", "place", "summary", "corrected"]
TABLE_COLUMNS = ["when", "kind", "title", "people", "place"]
SUBJECT_KINDS = ["partnership", "organisation", "contact", "mission"]


def timeline(
    ctx: typer.Context,
    ref: Annotated[
        str, typer.Argument(metavar="REF", help="A partnership, organisation, contact or mission.")
    ],
    from_: Annotated[str | None, typer.Option("--from", help="First day shown.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last day shown.")] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Show what was known then (a day means its end)."),
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="Only these kinds: meeting,signing,...")
    ] = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="table, md, html, json or csv.")
    ] = ReportFormat.table,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
) -> None:
    """Print the timeline report: header, entries in order, people with their titles then.

    Example: crm timeline Liverpool-Kunming --format html --output kunming.html
    """
    from crm.reports.timeline import ALL_KINDS, TimelineQuery, build_timeline

    session = Session(ctx)
    kinds = tuple(k.strip().replace("-", "_") for k in (kind or "").split(",") if k.strip())
    unknown = sorted(set(kinds) - set(ALL_KINDS))
    if unknown:
        raise typer.BadParameter(f"unknown kind {', '.join(unknown)}", param_hint="--kind")
    moment = _end_of(session, as_of) if as_of else None
    with session.app.view_lookup() as lookup:
        subject = lookup.resolve(
            SUBJECT_KINDS, ref, what="partnership, organisation, contact or mission"
        )
        query = TimelineQuery(
            subject=subject,
            today=session.today,
            generated_at=session.now,
            period_from=session.day(from_) if from_ else None,
            period_to=session.day(to) if to else None,
            kinds=kinds,
            as_of=moment,
            as_of_position=session.app.store.position_at(moment) if moment else None,
        )
        report = build_timeline(lookup.conn, query)
    _emit(report, fmt, output)


def _end_of(session: Session, text: str) -> Any:
    """A day means the end of that day; a time means that moment."""
    from datetime import timedelta

    when = session.when(text)
    if when.is_all_day():
        return when.start() + timedelta(days=1) - timedelta(microseconds=1)
    return when.start()


def item_rows(report: Any) -> list[dict[str, Any]]:
    """The report's entries as flat rows (table and CSV)."""
    return [
        {
            "when": item.occurred_at.isoformat(),
            "timezone": item.timezone,
            "kind": item.kind,
            "title": item.title,
            "people": [p.describe() for p in item.people],
            "place": item.place,
            "summary": item.summary,
            "outcomes": list(item.outcomes),
            "corrected": item.is_corrected,
            "status": item.status,
            "entry_id": item.entry_id,
        }
        for item in report.items
    ]


def _emit(report: Any, fmt: ReportFormat, output: Path | None) -> None:
    if fmt is ReportFormat.md:
        from crm.reports.markdown import render_markdown

        text = render_markdown(report)
    elif fmt is ReportFormat.html:
        from crm.reports.html import render_html

        text = render_html(report)
    elif fmt is ReportFormat.json:
        text = to_json(report)  # the report's dataclasses, field by field
    elif output is None:
        columns = TABLE_COLUMNS if fmt is ReportFormat.table else COLUMNS
        emit_rows(item_rows(report), fmt, columns, title=report.title)
        return
    else:
        import io
        from contextlib import redirect_stdout

        buffer = io.StringIO()
        with redirect_stdout(buffer):
            emit_rows(item_rows(report), fmt, COLUMNS, title=report.title)
        text = buffer.getvalue()
    if output is None:
        write(text)
    else:
        output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
