"""`crm log`: record a meeting, call, email, message, banquet, site visit or note."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

import typer

from crm.cli.console import Format
from crm.cli.options import FormatOption, TimezoneOption
from crm.cli.session import Session, place_zone

app = typer.Typer(
    rich_markup_mode=None,
    help="Log an interaction: who, when (in whose zone), where, what came of it.",
)

KINDS = {
    # Spelled out, not derived from the event schema: importing it would slow `crm --help`
    # (a test keeps the two equal).
    "meeting": "meeting",
    "call": "call",
    "email": "email",
    "message": "message",
    "banquet": "banquet",
    "site-visit": "site_visit",
    "note": "note",
}
IDEMPOTENCY_NAMESPACE = uuid5(NAMESPACE_URL, "https://trade-mission-crm/idempotency")


def parse_gift(text: str, direction: str) -> Any:
    """ "Silk scroll @ 200 GBP" -> a gift with a description and an estimated value."""
    from crm import fields
    from events.schemas.values import Gift

    description, _, value = text.partition("@")
    amount, currency = fields.money(value, field="--gift") if value.strip() else (None, None)
    return Gift(
        description=fields.one_line(description, "--gift"),
        direction=direction,
        value=amount,
        currency=currency,
    )


def _command(kind: str) -> Callable[..., None]:
    def log(
        ctx: typer.Context,
        with_: Annotated[
            list[str], typer.Option("--with", help="A participant (repeatable; ours too).")
        ],
        on: Annotated[str, typer.Option("--on", help="When: 2016-02-25 10:00, today 14:30...")],
        subject: Annotated[str, typer.Option("--subject", help="One line: what it was about.")],
        place: Annotated[str | None, typer.Option("--place", help="Where it happened.")] = None,
        timezone: TimezoneOption = None,
        partnership: Annotated[str | None, typer.Option("--partnership")] = None,
        mission: Annotated[str | None, typer.Option("--mission")] = None,
        summary: Annotated[str | None, typer.Option("--summary", help="What was said.")] = None,
        outcome: Annotated[list[str] | None, typer.Option("--outcome")] = None,
        gift: Annotated[
            list[str] | None, typer.Option("--gift", help="Given: 'Silk scroll @ 200 GBP'.")
        ] = None,
        gift_received: Annotated[list[str] | None, typer.Option("--gift-received")] = None,
        idempotency_key: Annotated[
            str | None,
            typer.Option("--idempotency-key", help="Repeat with the same key: logged once."),
        ] = None,
        fmt: FormatOption = Format.table,
    ) -> None:
        from crm import fields
        from crm.commands.interactions import log_interaction
        from crm.dates import parse_timezone
        from events.schemas.interactions import InteractionLogged
        from events.schemas.values import Person

        session = Session(ctx)
        key = fields.optional_line(idempotency_key, "--idempotency-key")
        where = fields.optional_line(place, "--place")
        with session.lookup() as lookup:
            people = [UUID(lookup.resolve(["contact"], who).entry_id) for who in with_]
            partnership_id = (
                UUID(lookup.resolve(["partnership"], partnership).entry_id) if partnership else None
            )
            mission_entry = lookup.resolve(["mission"], mission) if mission else None
            mission_zones = [
                p["timezone"] for p in (mission_entry.data["places"] if mission_entry else [])
            ]
            zone = (
                (parse_timezone(timezone) if timezone else None)
                or place_zone(lookup, where)
                or (mission_zones[0] if mission_zones else None)
                or session.zone
            )
        held = session.when(on, zone)
        interaction_id = uuid5(IDEMPOTENCY_NAMESPACE, key) if key else uuid4()
        event = InteractionLogged(
            interaction_id=interaction_id,
            kind=KINDS[kind],
            held_at=held.start(),
            timezone=held.timezone,
            place=where,
            participants=tuple(Person(contact_id=p) for p in dict.fromkeys(people)),
            partnership_id=partnership_id,
            mission_id=UUID(mission_entry.entry_id) if mission_entry else None,
            subject=fields.one_line(subject, "--subject"),
            summary=fields.long_text(summary or "", "--summary") or None,
            outcomes=tuple(fields.one_line(o, "--outcome") for o in outcome or ()),
            gifts=tuple(
                [parse_gift(g, "given") for g in gift or ()]
                + [parse_gift(g, "received") for g in gift_received or ()]
            ),
        )
        session.run(log_interaction, event)
        session.created("interaction", interaction_id, fmt, subject=event.subject)

    log.__doc__ = (
        f"Log a {kind.replace('-', ' ')}; a time without a zone is in the place's zone.\n\n"
        f'Example: crm log {kind} --with "Zhao Xuenong" --with "Gary Millar" '
        '--on "2016-02-25 10:00" --place Kunming --partnership Liverpool-Kunming '
        '--subject "Friendship agreement signing"'
    )
    return log


for _kind in KINDS:
    app.command(_kind)(_command(_kind))
