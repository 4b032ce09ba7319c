"""`crm partnership`: our relationships with counterpart organisations, and their status."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID, uuid4

import typer

from crm.cli.console import Format, emit_object, emit_rows
from crm.cli.options import FormatOption, ReasonOption
from crm.cli.session import Session

app = typer.Typer(
    rich_markup_mode=None, help="Partnerships between our organisation and a counterpart."
)

KINDS = "friendship, sister_city, mou, investment, institutional"
STATUSES = "exploring, negotiating, active, dormant, ended"
COLUMNS = ["id", "name", "kind", "status", "ours", "counterpart", "sectors", "owner"]


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="A name for the partnership.")],
    between: Annotated[str, typer.Option("--between", help="Our organisation.")],
    and_: Annotated[str, typer.Option("--and", help="The counterpart organisation.")],
    kind: Annotated[str, typer.Option("--kind", help=f"One of: {KINDS}.")] = "friendship",
    sector: Annotated[
        list[str] | None, typer.Option("--sector", help="A sector of cooperation.")
    ] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", help="Email that receives its reminders.")
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Open a partnership between our organisation and a counterpart (status: exploring).

    Example: crm partnership add "Liverpool-Kunming Friendship" --between Liverpool
    --and Kunming --kind friendship --sector education --owner intl@liverpool.gov.uk
    """
    from crm import fields
    from crm.commands.partnerships import form_partnership
    from events.schemas.partnerships import PartnershipFormed

    session = Session(ctx)
    with session.lookup() as lookup:
        ours = UUID(lookup.resolve(["organisation"], between).entry_id)
        theirs = UUID(lookup.resolve(["organisation"], and_).entry_id)
    event = PartnershipFormed(
        partnership_id=uuid4(),
        name=fields.one_line(name, "NAME"),
        our_organisation_id=ours,
        counterpart_organisation_id=theirs,
        kind=kind.replace("-", "_").lower(),
        sectors=tuple(dict.fromkeys(fields.sector(s) for s in sector or ())),
        owner_email=fields.email(owner, "--owner") if owner else None,
    )
    session.run(form_partnership, event)
    session.created("partnership", event.partnership_id, fmt, name=event.name)


@app.command("status")
def status(
    ctx: typer.Context,
    partnership: Annotated[str, typer.Argument(metavar="PARTNERSHIP", help="The partnership.")],
    new_status: Annotated[str, typer.Argument(metavar="STATUS", help=f"One of: {STATUSES}.")],
    reason: ReasonOption,
    on: Annotated[str | None, typer.Option("--on", help="Effective day (default today).")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Move a partnership to a new status, for a reason.

    Example: crm partnership status "Liverpool-Kunming" dormant --reason "No contact since 2019"
    """
    from crm import fields
    from crm.commands.partnerships import change_status
    from events.schemas.partnerships import PartnershipStatusChanged

    session = Session(ctx)
    partnership_id = session.resolve_id(["partnership"], partnership)
    event = PartnershipStatusChanged(
        partnership_id=partnership_id,
        status=new_status.lower(),
        reason=fields.one_line(reason, "--reason"),
        effective_on=session.day(on) if on else session.today,
    )
    records = session.run(change_status, event)
    session.created("status", UUID(records[0].event_id_text), fmt, status=event.status)


def partnership_row(conn: Any, entry: Any) -> dict[str, Any]:
    """One partnership as listed."""
    from projections.directory import get_entry

    data = entry.data
    ours = get_entry(conn, data["our_organisation_id"])
    theirs = get_entry(conn, data["counterpart_organisation_id"])
    return {
        "id": entry.entry_id,
        "name": data["name"],
        "kind": data.get("kind"),
        "status": data.get("status"),
        "ours": ours.label if ours else None,
        "counterpart": theirs.label if theirs else None,
        "sectors": data.get("sectors", []),
        "owner": data.get("owner_email"),
    }


@app.command("list")
def list_(
    ctx: typer.Context,
    status_: Annotated[str | None, typer.Option("--status", help="Only this status.")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List partnerships with their status.

    Example: crm partnership list --status active --format json
    """
    from projections.directory import list_entries

    with Session(ctx).app.views() as conn:
        rows = [partnership_row(conn, e) for e in list_entries(conn, "partnership")]
    if status_:
        rows = [r for r in rows if r["status"] == status_]
    emit_rows(rows, fmt, COLUMNS, title="Partnerships")


@app.command("show")
def show(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="Id, id prefix or name.")],
    fmt: FormatOption = Format.table,
) -> None:
    """Show one partnership: parties, kind, status, sectors and owner.

    Example: crm partnership show Liverpool-Kunming
    """
    session = Session(ctx)
    with session.app.view_lookup() as lookup:
        entry = lookup.resolve(["partnership"], ref)
        record = partnership_row(lookup.conn, entry)
    emit_object(record, fmt)
