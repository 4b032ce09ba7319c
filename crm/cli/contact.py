"""`crm contact`: people, their details, and the titles they hold over time."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID, uuid4

import typer

from crm.cli.console import Format, emit_object, emit_rows
from crm.cli.options import FormatOption, TimezoneOption
from crm.cli.session import Session

app = typer.Typer(
    rich_markup_mode=None, help="Contacts: people, their details, and their titles over time."
)

COLUMNS = ["id", "name", "native_name", "titles", "emails", "phones", "tags"]


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="Full name, in the person's own order.")
    ],
    family_name_first: Annotated[
        bool, typer.Option("--family-name-first", help="Family name comes first (Zhao Xuenong).")
    ] = False,
    family_name: Annotated[str | None, typer.Option("--family-name")] = None,
    given_name: Annotated[str | None, typer.Option("--given-name")] = None,
    native_name: Annotated[str | None, typer.Option("--native-name")] = None,
    preferred_name: Annotated[str | None, typer.Option("--preferred-name")] = None,
    honorific: Annotated[
        str | None, typer.Option("--honorific", help="e.g. Cllr, Dr, Vice Mayor")
    ] = None,
    org: Annotated[str | None, typer.Option("--org", help="Organisation of their title.")] = None,
    title: Annotated[str | None, typer.Option("--title", help="Title held at --org.")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Held since (a day).")] = None,
    email: Annotated[list[str] | None, typer.Option("--email")] = None,
    phone: Annotated[list[str] | None, typer.Option("--phone")] = None,
    language: Annotated[list[str] | None, typer.Option("--language")] = None,
    timezone: TimezoneOption = None,
    tag: Annotated[list[str] | None, typer.Option("--tag")] = None,
    notes: Annotated[str | None, typer.Option("--notes")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Add a person, optionally with the title they hold at an organisation.

    Example: crm contact add "Zhao Xuenong" --family-name-first --native-name 赵学农
    --org Kunming --title "Vice Mayor" --since 2015-01-01
    """
    from crm import fields
    from crm.commands.contacts import register_contact
    from crm.dates import parse_timezone
    from events.schemas.contacts import ContactRegistered, FirstRole

    session = Session(ctx)
    full = fields.one_line(name, "NAME")
    family, given = fields.split_name(full, family_first=family_name_first)
    if (org is None) != (title is None):
        raise typer.BadParameter("--org and --title go together", param_hint="--org/--title")
    contact = ContactRegistered(
        contact_id=uuid4(),
        family_name=fields.one_line(family_name or family, "--family-name"),
        given_name=fields.optional_line(given if given_name is None else given_name, "--given-name")
        or "",
        family_name_first=family_name_first,
        native_name=fields.one_line(native_name or "", "--native-name", required=False) or None,
        preferred_name=fields.one_line(preferred_name or "", "--preferred-name", required=False)
        or None,
        honorific=fields.one_line(honorific or "", "--honorific", required=False) or None,
        emails=tuple(fields.email(e) for e in email or ()),
        phones=tuple(fields.phone(p) for p in phone or ()),
        notes=fields.long_text(notes or "", "--notes") or None,
        languages=tuple(fields.one_line(x, "--language") for x in language or ()),
        timezone=parse_timezone(timezone) if timezone else None,
        tags=tuple(fields.one_line(t, "--tag") for t in tag or ()),
    )
    with session.lookup() as lookup:
        duplicate = _duplicate(lookup, contact)
        if org is not None and title is not None:
            role = FirstRole(
                role_id=uuid4(),
                organisation_id=UUID(lookup.resolve(["organisation"], org).entry_id),
                title=fields.one_line(title, "--title"),
                since=session.day(since) if since else None,
            )
            contact = contact.model_copy(update={"first_role": role})
    session.run(register_contact, contact, duplicate)
    session.created("contact", contact.contact_id, fmt, name=full)


def _duplicate(lookup: Any, contact: Any) -> str | None:
    """Describe an existing contact with the same email, if any."""
    for address in contact.emails:
        found = lookup.find_name(["contact"], address)
        if found:
            return f"{address} belongs to contact {found[0][:8]}"
    return None


@app.command("role")
def role(
    ctx: typer.Context,
    contact: Annotated[str, typer.Argument(metavar="CONTACT", help="The contact.")],
    org: Annotated[str, typer.Option("--org", help="The organisation.")],
    title: Annotated[str, typer.Option("--title", help="The title held there.")],
    since: Annotated[str | None, typer.Option("--since", help="First day held.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Last day held.")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Record a title a contact holds (or held) at an organisation, from a day to a day.

    An open role at the same organisation ends the day before the new one starts.
    Example: crm contact role "Zhao Xuenong" --org Kunming --title Mayor --since 2021-06-01
    """
    from crm import fields
    from crm.commands.contacts import assign_role
    from events.schemas.contacts import ContactRoleAssigned

    session = Session(ctx)
    with session.lookup() as lookup:
        contact_id = UUID(lookup.resolve(["contact"], contact).entry_id)
        org_id = UUID(lookup.resolve(["organisation"], org).entry_id)
    event = ContactRoleAssigned(
        contact_id=contact_id,
        role_id=uuid4(),
        organisation_id=org_id,
        title=fields.one_line(title, "--title"),
        since=session.day(since) if since else None,
        until=session.day(until) if until else None,
    )
    session.run(assign_role, event)
    session.created("role", event.role_id, fmt, title=event.title)


def contact_row(conn: Any, entry: Any, day: date) -> dict[str, Any]:
    """One contact as listed: names, titles held on `day`, details."""
    from crm.reports.people import contact_name
    from projections.directory import get_entry, roles_of

    data = entry.data
    titles = []
    for held in roles_of(conn, [entry.entry_id]):
        if held.covers(day):
            org = get_entry(conn, held.organisation_id)
            titles.append(f"{held.title}, {org.label if org else '?'}")
    return {
        "id": entry.entry_id,
        "name": contact_name(data),
        "native_name": data.get("native_name"),
        "honorific": data.get("honorific"),
        "titles": titles,
        "emails": data.get("emails", []),
        "phones": data.get("phones", []),
        "languages": data.get("languages", []),
        "timezone": data.get("timezone"),
        "tags": data.get("tags", []),
    }


@app.command("list")
def list_(
    ctx: typer.Context,
    tag: Annotated[str | None, typer.Option("--tag", help="Only contacts with this tag.")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List contacts with the titles they hold today.

    Example: crm contact list --tag kunming --format csv
    """
    from projections.directory import list_entries

    session = Session(ctx)
    with session.app.views() as conn:
        rows = [contact_row(conn, e, session.today) for e in list_entries(conn, "contact")]
    if tag:
        rows = [r for r in rows if tag in r["tags"]]
    emit_rows(rows, fmt, COLUMNS, title="Contacts")


@app.command("show")
def show(
    ctx: typer.Context,
    ref: Annotated[
        str, typer.Argument(metavar="REF", help="Id, id prefix, name, native name or email.")
    ],
    fmt: FormatOption = Format.table,
) -> None:
    """Show one contact: details, every title held over time, notes.

    Example: crm contact show "Zhao Xuenong"
    """
    from projections.directory import get_entry, roles_of

    session = Session(ctx)
    with session.app.view_lookup() as lookup:
        entry = lookup.resolve(["contact"], ref)
        record = contact_row(lookup.conn, entry, session.today)
        history = []
        for held in roles_of(lookup.conn, [entry.entry_id]):
            org = get_entry(lookup.conn, held.organisation_id)
            span = f"{held.since or '…'} to {held.until or 'now'}"
            history.append(f"{held.title}, {org.label if org else '?'} ({span})")
    record["roles"] = history
    record["notes"] = entry.data.get("notes")
    emit_object(record, fmt)
