"""Signings: an agreement signed on a day, which makes its partnership active."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from uuid import UUID
from zoneinfo import ZoneInfo

from crm.commands import contacts, partnerships
from crm.commands.context import CommandContext
from crm.commands.revisions import corrected
from crm.commands.streams import append_all, load, stream_id
from crm.errors import CommandRejectedError
from events.envelope import RecordedEvent
from events.event import Event
from events.schemas.agreements import AgreementSigned
from events.schemas.corrections import EntryCorrected, EntryRetracted
from events.schemas.values import Person


@dataclass(frozen=True)
class Agreement:
    """An agreement as its stream tells it."""

    signed: AgreementSigned | None = None
    first: AgreementSigned | None = field(default=None, compare=False)
    """The entry as first recorded, before corrections: what a retried command matches."""
    is_retracted: bool = False


def evolve(state: Agreement, event: Event) -> Agreement:
    """Fold one event into the agreement."""
    match event:
        case AgreementSigned():
            return replace(state, signed=event, first=event)
        case EntryCorrected() if state.signed is not None:
            return replace(state, signed=corrected(state.signed, event))
        case EntryRetracted():
            return replace(state, is_retracted=True)
    return state


def check_expiry(signed: AgreementSigned) -> None:
    """Refuse an expiry on or before the signing day."""
    if signed.expires_on is not None and signed.expires_on <= signed.signed_on:
        raise CommandRejectedError(
            f"the agreement must expire after it is signed ({signed.signed_on}), "
            f"not on {signed.expires_on}"
        )


def decide_sign(cmd: AgreementSigned, state: Agreement) -> list[Event]:
    """Record a signing with at least one signatory and an expiry after the signing day."""
    if state.signed is not None:
        if state.first == cmd:
            return []
        raise CommandRejectedError(f"agreement {cmd.agreement_id} already exists")
    if not cmd.signatories:
        raise CommandRejectedError("a signing needs at least one signatory")
    check_expiry(cmd)
    people = [p.contact_id for p in (*cmd.signatories, *cmd.witnesses)]
    if len(set(people)) != len(people):
        raise CommandRejectedError("each person signs or witnesses once")
    return [cmd]


def freeze_titles(
    people: tuple[Person, ...],
    states: dict[UUID, contacts.Contact],
    day: date,
    prefer: tuple[UUID, ...],
) -> tuple[Person, ...]:
    """Each person with the organisation and title they held on the signing day."""
    frozen = []
    for person in people:
        state = states[person.contact_id]
        if state.registered is None or state.is_retracted or state.is_forgotten:
            raise CommandRejectedError(f"contact {person.contact_id} cannot sign or witness")
        role = state.role_on(day, prefer)
        frozen.append(
            person.model_copy(
                update={
                    "organisation_id": role.organisation_id if role else None,
                    "title": role.title if role else None,
                }
            )
        )
    return tuple(frozen)


def sign_agreement(ctx: CommandContext, cmd: AgreementSigned) -> list[RecordedEvent[Event]]:
    """Handle: freeze titles as of the day, then append the signing and the activation."""
    agreement_stream = stream_id("agreement", cmd.agreement_id)
    partnership_stream = stream_id("partnership", cmd.partnership_id)
    agreement, agreement_version = load(ctx, agreement_stream, evolve, Agreement())
    partnership, partnership_version = load(
        ctx, partnership_stream, partnerships.evolve, partnerships.Partnership()
    )
    formed = partnerships.require_current(partnership, cmd.partnership_id)
    prefer = (formed.our_organisation_id, formed.counterpart_organisation_id)
    people = {p.contact_id for p in (*cmd.signatories, *cmd.witnesses)}
    states = {c: contacts.load_contact(ctx, c) for c in people}
    cmd = cmd.model_copy(
        update={
            "signatories": freeze_titles(cmd.signatories, states, cmd.signed_on, prefer),
            "witnesses": freeze_titles(cmd.witnesses, states, cmd.signed_on, prefer),
        }
    )
    signing = decide_sign(cmd, agreement)
    activation = partnerships.decide_activation(cmd, partnership) if signing else []
    moment = cmd.signed_at or datetime.combine(cmd.signed_on, time(0), ZoneInfo(cmd.timezone))
    return append_all(
        ctx,
        [
            (agreement_stream, signing, agreement_version),
            (partnership_stream, activation, partnership_version),
        ],
        occurred_at=moment,
    )
