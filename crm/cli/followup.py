"""`crm followup`: what someone must do by when; done, cancelled, reassigned or re-dated."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID, uuid4

import typer

from crm.cli.console import Format, emit_object, emit_rows
from crm.cli.options import FormatOption
from crm.cli.session import Session

app = typer.Typer(rich_markup_mode=None, help="Follow-ups: never drop one.")

COLUMNS = ["id", "text", "owner", "due", "status", "about"]
ALL_KINDS = ["partnership", "contact", "organisation", "mission", "interaction", "agreement"]
FollowUpRef = Annotated[str, typer.Argument(metavar="ID", help="Id, id prefix or its text.")]


@app.command("add")
def add(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="What must be done.")],
    due: Annotated[str, typer.Option("--due", help="When: a day, or a day and time.")],
    owner: Annotated[
        str | None, typer.Option("--owner", help="Who must do it (default: you, CRM_EMAIL).")
    ] = None,
    about: Annotated[
        list[str] | None,
        typer.Option("--about", help="A meeting, signing, partnership, contact or mission."),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Record a follow-up; without --owner it goes to the partnership's owner, else to you.

    Example: crm followup add "Send IFB programme to Kunming FAO" --due "next friday"
    --about Liverpool-Kunming --owner intl@liverpool.gov.uk
    """
    from crm import fields
    from crm.commands.followups import decide_open, handle
    from events.schemas.followups import FollowUpOpened
    from events.schemas.values import Link

    session = Session(ctx)
    with session.lookup() as lookup:
        entries = [lookup.resolve(ALL_KINDS, ref) for ref in about or ()]
    links = tuple(Link(kind=e.kind, id=UUID(e.entry_id)) for e in entries)
    owners = [e.data.get("owner_email") for e in entries if e.kind == "partnership"]
    chosen = owner or next((o for o in owners if o), None) or session.app.settings.email
    if not chosen:
        raise typer.BadParameter("say who owns it (or set CRM_EMAIL)", param_hint="--owner")
    event = FollowUpOpened(
        followup_id=uuid4(),
        text=fields.one_line(text, "TEXT"),
        owner_email=fields.email(chosen, "--owner"),
        due=session.when(due),
        links=links,
    )
    session.run(handle, event, decide_open)
    session.created("followup", event.followup_id, fmt, text=event.text)


def _resolve(session: Session, ref: str) -> UUID:
    return session.resolve_id(["followup"], ref)


@app.command("done")
def done(
    ctx: typer.Context,
    ref: FollowUpRef,
    note: Annotated[str | None, typer.Option("--note")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Mark a follow-up done (its reminders stop).

    Example: crm followup done 3f2a91c0
    """
    from crm import fields
    from crm.commands.followups import decide_complete, handle
    from events.schemas.followups import FollowUpCompleted

    session = Session(ctx)
    followup_id = _resolve(session, ref)
    event = FollowUpCompleted(followup_id=followup_id, note=fields.optional_line(note, "--note"))
    session.run(handle, event, decide_complete)
    session.created("followup", followup_id, fmt, status="done")


@app.command("cancel")
def cancel(
    ctx: typer.Context,
    ref: FollowUpRef,
    reason: Annotated[str, typer.Option("--reason")] = "no longer needed",
    fmt: FormatOption = Format.table,
) -> None:
    """Drop a follow-up (its reminders stop).

    Example: crm followup cancel 3f2a91c0 --reason "Covered at the banquet"
    """
    from crm import fields
    from crm.commands.followups import decide_cancel, handle
    from events.schemas.followups import FollowUpCancelled

    session = Session(ctx)
    followup_id = _resolve(session, ref)
    event = FollowUpCancelled(followup_id=followup_id, reason=fields.one_line(reason, "--reason"))
    session.run(handle, event, decide_cancel)
    session.created("followup", followup_id, fmt, status="cancelled")


@app.command("reassign")
def reassign(
    ctx: typer.Context,
    ref: FollowUpRef,
    owner: Annotated[str, typer.Option("--owner", help="The new owner's email.")],
    fmt: FormatOption = Format.table,
) -> None:
    """Give a follow-up to someone else.

    Example: crm followup reassign 3f2a91c0 --owner ellen@investliverpool.example
    """
    from crm import fields
    from crm.commands.followups import decide_reassign, handle
    from events.schemas.followups import FollowUpReassigned

    session = Session(ctx)
    followup_id = _resolve(session, ref)
    event = FollowUpReassigned(followup_id=followup_id, owner_email=fields.email(owner, "--owner"))
    session.run(handle, event, decide_reassign)
    session.created("followup", followup_id, fmt, owner=event.owner_email)


@app.command("redate")
def redate(
    ctx: typer.Context,
    ref: FollowUpRef,
    due: Annotated[str, typer.Option("--due", help="The new due day or time.")],
    fmt: FormatOption = Format.table,
) -> None:
    """Move a follow-up's due date.

    Example: crm followup redate 3f2a91c0 --due +7d
    """
    from crm.commands.followups import decide_redate, handle
    from events.schemas.followups import FollowUpRedated

    session = Session(ctx)
    followup_id = _resolve(session, ref)
    event = FollowUpRedated(followup_id=followup_id, due=session.when(due))
    session.run(handle, event, decide_redate)
    session.created("followup", followup_id, fmt, due=event.due.day)


def followup_row(conn: Any, entry: Any) -> dict[str, Any]:
    """One follow-up as listed."""
    from crm.dates import format_when
    from events.schemas.values import When
    from projections.directory import get_entry

    data = entry.data
    about = []
    for link in data.get("links", []):
        found = get_entry(conn, link["id"])
        about.append(f"{link['kind']}: {found.label if found else link['id'][:8]}")
    return {
        "id": entry.entry_id,
        "text": data["text"],
        "owner": data["owner_email"],
        "due": format_when(When.model_validate(data["due"])),
        "status": data.get("status", "open"),
        "about": about,
    }


@app.command("list")
def list_(
    ctx: typer.Context,
    owner: Annotated[str | None, typer.Option("--owner")] = None,
    status: Annotated[str, typer.Option("--status", help="open, done, cancelled or all.")] = "open",
    fmt: FormatOption = Format.table,
) -> None:
    """List follow-ups by due date (open ones unless --status says otherwise).

    Example: crm followup list --owner intl@liverpool.gov.uk --format json
    """
    from projections.directory import list_entries

    with Session(ctx).app.views() as conn:
        rows = [followup_row(conn, e) for e in list_entries(conn, "followup")]
    rows = [r for r in rows if status == "all" or r["status"] == status]
    rows = [r for r in rows if owner is None or r["owner"] == owner.lower()]
    rows.sort(key=lambda r: r["due"])
    emit_rows(rows, fmt, COLUMNS, title="Follow-ups")


@app.command("show")
def show(ctx: typer.Context, ref: FollowUpRef, fmt: FormatOption = Format.table) -> None:
    """Show one follow-up.

    Example: crm followup show 3f2a91c0
    """
    session = Session(ctx)
    with session.app.view_lookup() as lookup:
        record = followup_row(lookup.conn, lookup.resolve(["followup"], ref))
    emit_object(record, fmt)
