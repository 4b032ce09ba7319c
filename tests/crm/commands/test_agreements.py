"""Deciding on signings (crm.commands.agreements): signatories, expiry, titles frozen on the day."""

from __future__ import annotations

from datetime import date
from functools import reduce
from uuid import UUID

import pytest

from crm.commands import contacts
from crm.commands.agreements import Agreement, decide_sign, evolve, freeze_titles
from crm.errors import CommandRejectedError
from events.event import Event
from events.schemas.agreements import AgreementSigned
from events.schemas.contacts import ContactForgotten, ContactRegistered, ContactRoleAssigned
from events.schemas.corrections import EntryCorrected, EntryRetracted
from events.schemas.values import Person

AGREEMENT_ID = UUID(int=1)
LEEDS = UUID(int=10)
KUNMING = UUID(int=11)
CHAMBER = UUID(int=12)
ZHAO_ID = UUID(int=20)
BLAKE_ID = UUID(int=21)
CUTLER_ID = UUID(int=22)
PREFER = (LEEDS, KUNMING)
SIGNED_ON = date(2016, 6, 22)

SIGNING = AgreementSigned(
    agreement_id=AGREEMENT_ID,
    partnership_id=UUID(int=2),
    title="Memorandum of Understanding on Education",
    kind="mou",
    signed_on=SIGNED_ON,
    place="Leeds Civic Hall",
    timezone="Europe/London",
    signatories=(Person(contact_id=ZHAO_ID), Person(contact_id=BLAKE_ID)),
    witnesses=(Person(contact_id=CUTLER_ID),),
    expires_on=date(2021, 6, 21),
)


def fold(*events: Event) -> Agreement:
    return reduce(evolve, events, Agreement())


def contact(contact_id: UUID, *events: Event) -> contacts.Contact:
    registered = ContactRegistered(contact_id=contact_id, family_name=f"Person {contact_id.int}")
    return reduce(contacts.evolve, (registered, *events), contacts.Contact())


def role(
    contact_id: UUID,
    n: int,
    organisation_id: UUID,
    title: str,
    since: date,
    until: date | None = None,
) -> ContactRoleAssigned:
    return ContactRoleAssigned(
        contact_id=contact_id,
        role_id=UUID(int=100 + n),
        organisation_id=organisation_id,
        title=title,
        since=since,
        until=until,
    )


def signing(**changes: object) -> AgreementSigned:
    return SIGNING.model_copy(update=changes)


# signing


def test_a_signing_is_recorded() -> None:
    decided = decide_sign(SIGNING, fold())

    assert decided == [SIGNING]


def test_the_same_signing_again_records_nothing() -> None:
    decided = decide_sign(SIGNING, fold(SIGNING))

    assert decided == []


def test_a_different_signing_under_an_existing_id_is_rejected() -> None:
    other = signing(place="Kunming")

    with pytest.raises(CommandRejectedError, match=f"agreement {AGREEMENT_ID} already exists"):
        decide_sign(other, fold(SIGNING))


def test_a_signing_without_signatories_is_rejected() -> None:
    with pytest.raises(CommandRejectedError, match="a signing needs at least one signatory"):
        decide_sign(signing(signatories=()), fold())


@pytest.mark.parametrize("expires_on", [SIGNED_ON, date(2016, 6, 21)], ids=["on", "before"])
def test_an_expiry_on_or_before_the_signing_day_is_rejected(expires_on: date) -> None:
    with pytest.raises(
        CommandRejectedError,
        match=rf"must expire after it is signed \(2016-06-22\), not on {expires_on}",
    ):
        decide_sign(signing(expires_on=expires_on), fold())


def test_an_expiry_the_day_after_the_signing_is_accepted() -> None:
    next_day = signing(expires_on=date(2016, 6, 23))

    decided = decide_sign(next_day, fold())

    assert decided == [next_day]


def test_a_person_both_signing_and_witnessing_is_rejected() -> None:
    both = signing(witnesses=(Person(contact_id=ZHAO_ID),))

    with pytest.raises(CommandRejectedError, match="each person signs or witnesses once"):
        decide_sign(both, fold())


def test_a_duplicate_signatory_is_rejected() -> None:
    twice = signing(signatories=(Person(contact_id=ZHAO_ID), Person(contact_id=ZHAO_ID)))

    with pytest.raises(CommandRejectedError, match="each person signs or witnesses once"):
        decide_sign(twice, fold())


def test_a_duplicate_witness_is_rejected() -> None:
    twice = signing(witnesses=(Person(contact_id=CUTLER_ID), Person(contact_id=CUTLER_ID)))

    with pytest.raises(CommandRejectedError, match="each person signs or witnesses once"):
        decide_sign(twice, fold())


# folding


def test_a_correction_changes_the_signed_title() -> None:
    correction = EntryCorrected(
        entry_id=AGREEMENT_ID, changes={"title": "MoU on Education and Culture"}, reason="title"
    )

    state = fold(SIGNING, correction)

    assert state.signed == signing(title="MoU on Education and Culture")


def test_a_retraction_marks_the_agreement_retracted() -> None:
    state = fold(SIGNING, EntryRetracted(entry_id=AGREEMENT_ID, reason="never signed"))

    assert state == Agreement(signed=SIGNING, is_retracted=True)


# freezing titles


def test_each_person_gets_the_title_held_on_the_signing_day() -> None:
    states = {
        ZHAO_ID: contact(ZHAO_ID, role(ZHAO_ID, 1, KUNMING, "Vice Mayor", date(2015, 1, 1))),
        BLAKE_ID: contact(BLAKE_ID, role(BLAKE_ID, 2, LEEDS, "Leader", date(2012, 5, 1))),
    }

    frozen = freeze_titles(SIGNING.signatories, states, SIGNED_ON, PREFER)

    assert frozen == (
        Person(contact_id=ZHAO_ID, organisation_id=KUNMING, title="Vice Mayor"),
        Person(contact_id=BLAKE_ID, organisation_id=LEEDS, title="Leader"),
    )


@pytest.mark.parametrize(
    ("day", "title"), [(date(2020, 12, 31), "Vice Mayor"), (date(2021, 1, 1), "Mayor")]
)
def test_a_frozen_title_is_the_one_of_that_day_across_a_title_change(day: date, title: str) -> None:
    zhao = contact(
        ZHAO_ID,
        role(ZHAO_ID, 1, KUNMING, "Vice Mayor", date(2015, 1, 1), until=date(2020, 12, 31)),
        role(ZHAO_ID, 2, KUNMING, "Mayor", date(2021, 1, 1)),
    )

    frozen = freeze_titles((Person(contact_id=ZHAO_ID),), {ZHAO_ID: zhao}, day, PREFER)

    assert frozen == (Person(contact_id=ZHAO_ID, organisation_id=KUNMING, title=title),)


def test_a_frozen_title_is_the_one_at_an_organisation_of_the_partnership() -> None:
    zhao = contact(
        ZHAO_ID,
        role(ZHAO_ID, 1, CHAMBER, "Honorary Chair", date(2010, 3, 1)),
        role(ZHAO_ID, 2, KUNMING, "Vice Mayor", date(2015, 1, 1)),
    )

    frozen = freeze_titles((Person(contact_id=ZHAO_ID),), {ZHAO_ID: zhao}, SIGNED_ON, PREFER)

    assert frozen == (Person(contact_id=ZHAO_ID, organisation_id=KUNMING, title="Vice Mayor"),)


def test_a_person_without_a_role_that_day_is_frozen_without_a_title() -> None:
    later = contact(ZHAO_ID, role(ZHAO_ID, 1, KUNMING, "Mayor", date(2021, 1, 1)))
    person = Person(contact_id=ZHAO_ID, role="guest of honour")

    frozen = freeze_titles((person,), {ZHAO_ID: later}, SIGNED_ON, PREFER)

    assert frozen == (person,)


@pytest.mark.parametrize(
    "state",
    [
        contact(ZHAO_ID, EntryRetracted(entry_id=ZHAO_ID, reason="entered twice")),
        contact(ZHAO_ID, ContactForgotten(contact_id=ZHAO_ID, reason="erasure request")),
        contacts.Contact(),
    ],
    ids=["retracted", "forgotten", "unknown"],
)
def test_a_contact_who_cannot_sign_is_rejected(state: contacts.Contact) -> None:
    with pytest.raises(CommandRejectedError, match=f"contact {ZHAO_ID} cannot sign or witness"):
        freeze_titles((Person(contact_id=ZHAO_ID),), {ZHAO_ID: state}, SIGNED_ON, PREFER)
