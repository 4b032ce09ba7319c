"""`crm export`, `crm backup` and `crm forget`: data going out, copies, and erasure."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from crm.cli.console import Format, emit_object, emit_rows, note, write
from crm.cli.options import FormatOption, ReasonOption
from crm.cli.session import Session

app = typer.Typer(rich_markup_mode=None, help="Send data out: vCards, calendars, the whole log.")

OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file (default: stdout).")
]


def _deliver(text: str, output: Path | None) -> None:
    if output is None:
        write(text)
    else:
        output.write_text(text, encoding="utf-8")
        note(f"wrote {output}")


@app.command("vcard")
def export_vcard(ctx: typer.Context, output: OutputOption = None) -> None:
    """Write every contact as vCard 3.0 (for Outlook, phones and address books).

    Example: crm export vcard --output contacts.vcf
    """
    from crm.exchange.vcard import contact_card
    from crm.reports.people import contact_name, role_on
    from events.vocabulary import ERASED
    from projections.directory import list_entries, roles_by_contact

    session = Session(ctx)
    with session.app.reading() as conn:
        contacts = [e for e in list_entries(conn, "contact") if e.data.get("family_name") != ERASED]
        roles = roles_by_contact(conn, [e.entry_id for e in contacts])
        organisations = list_entries(conn, "organisation", include_retracted=True)
    orgs = {o.entry_id: o.label for o in organisations}
    cards = []
    for entry in contacts:
        role = role_on(roles[entry.entry_id], session.today)
        record = {**entry.data, "id": entry.entry_id, "name": contact_name(entry.data)}
        org = orgs.get(role.organisation_id) if role else None
        cards.append(contact_card(record, org, role.title if role else None))
    _deliver("".join(cards), output)


@app.command("ics")
def export_ics(
    ctx: typer.Context,
    days: Annotated[int, typer.Option("--days", min=1, max=3660, help="How far ahead.")] = 365,
    past: Annotated[
        int,
        typer.Option(
            "--past",
            min=0,
            max=3660,
            help="Keep visits that ended up to this many days ago (a subscribed calendar "
            "deletes what leaves the feed).",
        ),
    ] = 30,
    utc: Annotated[
        bool, typer.Option("--utc", help="Times in UTC, no VTIMEZONE (for picky clients).")
    ] = False,
    output: OutputOption = None,
) -> None:
    """Write visits and open follow-ups as an iCalendar file to subscribe to.

    Visits stay in the file while they run and for --past days after they end; every open
    follow-up due by then is in it, overdue ones on their due day.
    Example: crm export ics --days 180 --output crm.ics
    """
    from crm.exchange.ics_export import calendar_file
    from crm.reminders.inputs import visits_under_way

    session = Session(ctx)
    end = session.today + timedelta(days=days)
    with session.app.reading() as conn:
        visits = visits_under_way(conn, session.today - timedelta(days=past), end)
        followups = _followups(conn, end)
    data = calendar_file(visits, followups, utc=utc, now=session.now)
    _deliver(data.decode(), output)


def _followups(conn: Any, last: date) -> list[tuple[str, str, str, datetime | date, str]]:
    from sqlalchemy import select

    from projections.followups_tables import followup_items

    query = select(followup_items).where(
        followup_items.c.status == "open",
        followup_items.c.is_retracted.is_(False),
        followup_items.c.due_day <= last.isoformat(),
    )
    found: list[tuple[str, str, str, datetime | date, str]] = []
    for row in conn.execute(query):
        day = date.fromisoformat(row.due_day)
        due: datetime | date = day
        if row.due_time:
            due = datetime.combine(day, time.fromisoformat(row.due_time), ZoneInfo(row.due_zone))
        found.append((row.followup_id, row.text, row.owner_email, due, row.due_zone))
    return found


@app.command("events")
def export_events(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar="FILE", dir_okay=False, help="The .jsonl file to write.")
    ],
    without_keys: Annotated[
        bool,
        typer.Option("--without-keys", help="Leave out personal-data keys: people read as erased."),
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Write the whole log (and the keys that open personal data) as JSON Lines.

    The file holds every person's key unless --without-keys: keep it as safe as the store.
    Example: crm export events backup.jsonl
    """
    import os

    from crm.errors import BadInputError
    from crm.exchange.event_log import export_log

    session = Session(ctx)
    if file.exists():
        raise BadInputError(f"{file} exists already; choose a new file")
    descriptor = os.open(file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        summary = export_log(session.app.store, out, with_keys=not without_keys)
    emit_object({"file": str(file), "events": summary.events, "keys": summary.keys}, fmt)


def backup(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar="FILE", dir_okay=False, help="The new SQLite file.")
    ],
    fmt: FormatOption = Format.table,
) -> None:
    """Copy a SQLite store consistently while others keep writing (readable by you only).

    Example: crm backup backups/crm-2026-11-28.db
    """
    from crm.exchange.backup import backup_sqlite

    session = Session(ctx)
    size = backup_sqlite(session.app.settings.database_url, file)
    emit_object({"file": str(file), "bytes": size}, fmt)


def forget(
    ctx: typer.Context,
    contact: Annotated[str, typer.Argument(metavar="CONTACT", help="The person to erase.")],
    reason: ReasonOption,
    yes: Annotated[
        bool, typer.Option("--yes", help="Erase even though entries still mention them.")
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Erase a person: delete their key, so their details read as "[erased]" everywhere.

    First lists entries whose own text names them (a key cannot reach free text): correct or
    retract those, or confirm with --yes. The erasure is logged (who, when, why; not what).
    Example: crm forget "Zhao Xuenong" --reason "Subject access request 2026-114"
    """
    from uuid import UUID

    from crm import fields
    from crm.errors import CommandRejectedError
    from crm.exchange.erasure import forget as erase
    from crm.exchange.erasure import mentions

    session = Session(ctx)
    why = fields.one_line(reason, "--reason")
    with session.lookup() as lookup:
        entry = lookup.resolve(["contact"], contact)
        found = mentions(lookup.conn, entry.data)
    if found and not yes:
        rows = [{"kind": m.kind, "id": m.entry_id, "title": m.title, "when": m.when} for m in found]
        emit_rows(rows, fmt, ["when", "kind", "id", "title"], title="Entries that name them")
        raise CommandRejectedError(
            f"{len(found)} entries still name this person: correct or retract them, "
            "or erase anyway with --yes"
        )
    try:
        erase(session.context(), UUID(entry.entry_id), why)
    except CommandRejectedError:
        # Erased already: finish what a forget killed after its erasure left undone.
        _clear_what_erasure_freed(session)
        raise
    session.app.after_command()
    _clear_what_erasure_freed(session)
    emit_object({"erased": entry.entry_id, "mentions_left": len(found)}, fmt)


def _clear_what_erasure_freed(session: Session) -> None:
    """Drop the views built aside (they hold people as they were) and scrub freed space."""
    from crm.exchange.erasure import SCRUBBED_TABLES

    session.app.runner.discard_copies()
    session.app.store.scrub_freed_space(SCRUBBED_TABLES)
