"""`crm import` and `crm undo`: spreadsheets, address books and whole logs coming in."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer

from crm.cli.console import Format, emit_object, emit_rows, note, progress_bar
from crm.cli.options import FormatOption, ReasonOption
from crm.cli.session import Session, place_zone
from events.collector import collector_paused

app = typer.Typer(rich_markup_mode=None, help="Bring data in: CSV, vCard, or a whole exported log.")


class Kind(StrEnum):
    """What a CSV holds (a choice, so a wrong one is a usage error)."""

    contacts = "contacts"
    organisations = "organisations"
    meetings = "meetings"
    followups = "followups"


ExistingFile = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="The file to read.")
]


def _run_plan(
    session: Session, plan: Any, *, dry_run: bool, skip_invalid: bool, fmt: Format
) -> None:
    from crm.exchange.batches import write_plan

    problems = [
        {"line": r.line, "row": r.label, "problem": r.error or f"duplicate: {r.duplicate_of}"}
        for r in (*plan.invalid, *plan.duplicates)
    ]
    problems.sort(key=lambda p: p["line"])
    summary: dict[str, Any] = {
        "batch": str(plan.batch_id),
        "rows": len(plan.rows),
        "to_create": len(plan.valid),
        "duplicates": len(plan.duplicates),
        "invalid": len(plan.invalid),
        "written": 0,
        "problems": problems,
    }
    if dry_run:
        summary["preview"] = [{"line": r.line, "row": r.label} for r in plan.valid[:20]]
        emit_object(summary, fmt)
        return
    if plan.invalid and not skip_invalid:
        emit_rows(problems, fmt, ["line", "row", "problem"], title="Rows to fix")
    # Planned rows, then their records, live until written and caught up: passes of the
    # garbage collector over them cost a tenth of a 10,000-row import. The catch-up pauses
    # it per batch itself (it may turn into a rebuild, which must not hold garbage to the end).
    with collector_paused(keep_survivors=True):
        written = write_plan(session.context(), plan, skip_invalid=skip_invalid)
    session.app.after_command(written)
    summary["written"] = len(written)
    emit_object(summary, fmt)
    if written:  # a batch that wrote nothing is not in the log, so it cannot be undone
        note(f"batch {plan.batch_id}: undo it with `crm undo --batch {plan.batch_id}`")
    else:
        note("nothing new to write, so no batch to undo")


def _context(session: Session, lookup: Any) -> Any:
    from crm.exchange.row_parsers import RowContext

    return RowContext(
        lookup=lookup,
        now=session.now,
        zone=session.zone,
        default_owner=session.app.settings.email,
        zone_of_place=lambda place: place_zone(lookup, place),
    )


@app.command("csv")
def import_csv(
    ctx: typer.Context,
    file: ExistingFile,
    kind: Annotated[
        Kind, typer.Option("--kind", help="contacts, organisations, meetings or followups.")
    ],
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--map", exists=True, dir_okay=False, help="MAP.toml: [columns] and [defaults]."
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Preview; write nothing.")] = False,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Import the good rows, skip the bad ones.")
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Import a CSV as one batch; any invalid row stops it (nothing written) unless skipped.

    Headers name fields (name, email, organisation, title, ... see the README); duplicates
    (same email; same name and organisation) are reported and left out.
    Example: crm import csv contacts.csv --kind contacts --dry-run
    """
    from crm.exchange.csv_import import plan_import

    session = Session(ctx)
    with (
        session.lookup() as lookup,
        progress_bar(f"checking {file.name}") as advance,
        collector_paused(keep_survivors=True),
    ):
        plan = plan_import(
            kind.value,
            file,
            _context(session, lookup),
            mapping=mapping,
            progress=lambda n: advance(n, None),
        )
    _run_plan(session, plan, dry_run=dry_run, skip_invalid=skip_invalid, fmt=fmt)


@app.command("vcard")
def import_vcard(
    ctx: typer.Context,
    file: ExistingFile,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Preview; write nothing.")] = False,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid")] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Import contacts from a vCard file (3.0 or 4.0, as Outlook and phones export them).

    Example: crm import vcard outlook-export.vcf --dry-run
    """
    from crm.errors import BadInputError
    from crm.exchange.csv_import import ImportPlan, plan_row
    from crm.exchange.row_parsers import contact_row
    from crm.exchange.vcard import vcard_rows

    session = Session(ctx)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise BadInputError(f"{file} is not UTF-8 text") from None
    plan = ImportPlan(kind="contacts", rows=[])
    with session.lookup() as lookup:
        context = _context(session, lookup)
        for line, raw in vcard_rows(text):
            names = [raw.get("given_name", ""), raw.get("family_name", "")]
            label = " ".join(names[::-1] if "family_name_first" in raw else names)
            plan.rows.append(plan_row(contact_row, raw, context, line, label))
    _run_plan(session, plan, dry_run=dry_run, skip_invalid=skip_invalid, fmt=fmt)


@app.command("events")
def import_events(ctx: typer.Context, file: ExistingFile, fmt: FormatOption = Format.table) -> None:
    """Load an exported log (JSON Lines) into an empty store, checking every hash first.

    Example: crm --db postgresql+psycopg://crm@db/crm import events backup.jsonl
    """
    from crm.exchange.event_log import import_log

    session = Session(ctx)
    events, keys = import_log(session.app.store, file)
    session.app.after_command()
    emit_object({"events": events, "keys": keys, "head": session.app.store.head_position()}, fmt)


def undo(
    ctx: typer.Context,
    batch: Annotated[str, typer.Option("--batch", help="The batch id an import printed.")],
    reason: ReasonOption = "import undone",
    fmt: FormatOption = Format.table,
) -> None:
    """Retract every entry an import batch created (the log keeps both the import and this).

    Example: crm undo --batch 3f2a91c0-0e5b-4f0e-9a44-9d1f2c3b4a5d --reason "Wrong file"
    """
    from crm import fields
    from crm.exchange.batches import undo_batch

    try:
        batch_id = UUID(batch)
    except ValueError:
        raise typer.BadParameter(f"{batch!r} is not a batch id", param_hint="--batch") from None
    session = Session(ctx)
    retracted = undo_batch(session.context(), batch_id, fields.one_line(reason, "--reason"))
    session.app.after_command()
    emit_object({"batch": str(batch_id), "retracted": retracted}, fmt)
