"""`crm org`: the organisations in the directory."""

from __future__ import annotations

from typing import Annotated
from uuid import uuid4

import typer

from crm.cli.console import Format, emit_object, emit_rows
from crm.cli.options import FormatOption, TimezoneOption
from crm.cli.session import Session

app = typer.Typer(
    rich_markup_mode=None,
    help="Organisations: city governments, agencies, companies, universities.",
)

KINDS = "city_government, foreign_affairs_office, agency, company, university, chamber, other"
COLUMNS = ["id", "name", "native_name", "kind", "country", "city", "timezone", "ours"]


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="The organisation's name in English.")
    ],
    kind: Annotated[str, typer.Option("--kind", help=f"One of: {KINDS}.")] = "other",
    country: Annotated[str | None, typer.Option("--country", help="ISO code, e.g. CN.")] = None,
    city: Annotated[str | None, typer.Option("--city")] = None,
    timezone: TimezoneOption = None,
    native_name: Annotated[
        str | None, typer.Option("--native-name", help="Name in its own script.")
    ] = None,
    alias: Annotated[list[str] | None, typer.Option("--alias", help="Another name.")] = None,
    ours: Annotated[bool, typer.Option("--ours", help="This is our own organisation.")] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Add an organisation to the directory.

    Example: crm org add "Kunming Municipal People's Government" --kind city_government
    --country CN --city Kunming --timezone Asia/Shanghai --native-name 昆明市人民政府
    """
    from crm import fields
    from crm.commands.organisations import register_organisation
    from crm.dates import parse_timezone
    from events.schemas.organisations import OrganisationRegistered

    session = Session(ctx)
    event = OrganisationRegistered(
        organisation_id=uuid4(),
        name=fields.one_line(name, "NAME"),
        native_name=fields.optional_line(native_name, "--native-name"),
        kind=fields.one_line(kind, "--kind").replace("-", "_").replace(" ", "_").lower(),
        country=fields.country(country) if country else None,
        city=fields.optional_line(city, "--city"),
        timezone=parse_timezone(timezone) if timezone else None,
        aliases=tuple(fields.one_line(a, "--alias") for a in alias or ()),
        is_ours=ours,
    )
    with session.lookup() as lookup:
        same = tuple(lookup.find_name(["organisation"], event.name))
    session.run(register_organisation, event, same)
    session.created("organisation", event.organisation_id, fmt, name=event.name)


def _row(entry: object) -> dict[str, object]:
    data = entry.data  # type: ignore[attr-defined]
    return {
        "id": entry.entry_id,  # type: ignore[attr-defined]
        "name": data["name"],
        "native_name": data.get("native_name"),
        "kind": data.get("kind"),
        "country": data.get("country"),
        "city": data.get("city"),
        "timezone": data.get("timezone"),
        "aliases": data.get("aliases", []),
        "ours": data.get("is_ours", False),
    }


@app.command("list")
def list_(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """List organisations by name.

    Example: crm org list --format json
    """
    from projections.directory import list_entries

    with Session(ctx).app.views() as conn:
        rows = [_row(e) for e in list_entries(conn, "organisation")]
    emit_rows(rows, fmt, COLUMNS, title="Organisations")


@app.command("show")
def show(
    ctx: typer.Context,
    ref: Annotated[
        str, typer.Argument(metavar="REF", help="Id, id prefix, name, alias or native name.")
    ],
    fmt: FormatOption = Format.table,
) -> None:
    """Show one organisation and the people who hold titles there.

    Example: crm org show Kunming
    """
    from crm.reports.people import people_at

    session = Session(ctx)
    with session.app.view_lookup() as lookup:
        entry = lookup.resolve(["organisation"], ref)
        record = {**_row(entry), "people": people_at(lookup.conn, entry.entry_id, session.today)}
    emit_object(record, fmt)
