"""`crm sign`: record the signing of an agreement; its partnership becomes active."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID, uuid4

import typer

from crm.cli.console import Format
from crm.cli.options import FormatOption, TimezoneOption
from crm.cli.session import Session, place_zone


def sign(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(metavar="TITLE", help="The agreement's title.")],
    partnership: Annotated[str, typer.Option("--partnership")],
    on: Annotated[str, typer.Option("--on", help="The signing day (or day and time).")],
    place: Annotated[str, typer.Option("--place", help="Where it was signed.")],
    signatory: Annotated[list[str], typer.Option("--signatory", help="Repeatable.")],
    witness: Annotated[list[str] | None, typer.Option("--witness")] = None,
    sector: Annotated[list[str] | None, typer.Option("--sector")] = None,
    expires: Annotated[str | None, typer.Option("--expires", help="Expiry or renewal day.")] = None,
    kind: Annotated[
        str, typer.Option("--kind", help="e.g. friendship agreement, MoU.")
    ] = "agreement",
    document: Annotated[
        str | None, typer.Option("--document", help="Where the signed copy is filed.")
    ] = None,
    timezone: TimezoneOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Record a signing; signatories' titles are frozen as held on that day.

    Example: crm sign "Friendship Partnership Agreement" --partnership Liverpool-Kunming
    --on 2016-02-25 --place Kunming --signatory "Gary Millar" --signatory "Zhao Xuenong"
    --witness "Ellen Cutler" --sector education --sector culture
    """
    from crm import fields
    from crm.commands.agreements import sign_agreement
    from crm.dates import parse_timezone
    from events.schemas.agreements import AgreementSigned
    from events.schemas.values import Person

    session = Session(ctx)
    where = fields.one_line(place, "--place")
    with session.lookup() as lookup:
        partnership_entry = lookup.resolve(["partnership"], partnership)
        signers = [UUID(lookup.resolve(["contact"], who).entry_id) for who in signatory]
        witnesses = [UUID(lookup.resolve(["contact"], who).entry_id) for who in witness or ()]
        zone = (parse_timezone(timezone) if timezone else None) or place_zone(lookup, where)
    when = session.when(on, zone)
    sectors = sector or partnership_entry.data.get("sectors") or []
    event = AgreementSigned(
        agreement_id=uuid4(),
        partnership_id=UUID(partnership_entry.entry_id),
        title=fields.one_line(title, "TITLE"),
        kind=fields.one_line(kind, "--kind"),
        signed_on=when.day,
        signed_at=None if when.is_all_day() else when.start(),
        place=where,
        timezone=when.timezone,
        signatories=tuple(Person(contact_id=c) for c in signers),
        witnesses=tuple(Person(contact_id=c) for c in witnesses),
        sectors=tuple(dict.fromkeys(fields.sector(s) for s in sectors)),
        expires_on=session.day(expires) if expires else None,
        document_ref=fields.optional_line(document, "--document"),
    )
    session.run(sign_agreement, event)
    session.created("agreement", event.agreement_id, fmt, title=event.title)
