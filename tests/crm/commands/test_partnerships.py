"""Deciding on partnerships (crm.commands.partnerships): forming, status, activation by signing."""

from __future__ import annotations

from datetime import date
from functools import reduce
from uuid import UUID

import pytest

from crm.commands.partnerships import (
    Partnership,
    decide_activation,
    decide_change_status,
    decide_form,
    evolve,
)
from crm.errors import CommandRejectedError
from events.event import Event
from events.schemas.agreements import AgreementSigned
from events.schemas.corrections import EntryCorrected, EntryRetracted
from events.schemas.partnerships import PartnershipFormed, PartnershipStatusChanged
from events.schemas.values import Person

PARTNERSHIP_ID = UUID(int=1)
LEEDS = UUID(int=10)
KUNMING = UUID(int=11)

FORMED = PartnershipFormed(
    partnership_id=PARTNERSHIP_ID,
    name="Leeds-Kunming",
    our_organisation_id=LEEDS,
    counterpart_organisation_id=KUNMING,
    kind="sister_city",
    sectors=("education",),
    owner_email="ellen.cutler@leeds.gov.uk",
)

NEGOTIATING = PartnershipStatusChanged(
    partnership_id=PARTNERSHIP_ID,
    status="negotiating",
    reason="draft MoU exchanged",
    effective_on=date(2016, 3, 1),
)

SIGNING = AgreementSigned(
    agreement_id=UUID(int=2),
    partnership_id=PARTNERSHIP_ID,
    title="Memorandum of Understanding on Education",
    signed_on=date(2016, 6, 22),
    place="Leeds Civic Hall",
    timezone="Europe/London",
    signatories=(Person(contact_id=UUID(int=20)),),
)


def fold(*events: Event) -> Partnership:
    return reduce(evolve, events, Partnership())


def test_a_partnership_between_two_organisations_is_formed() -> None:
    decided = decide_form(FORMED, fold())

    assert decided == [FORMED]


def test_forming_the_same_partnership_again_records_nothing() -> None:
    decided = decide_form(FORMED, fold(FORMED))

    assert decided == []


def test_different_content_under_an_existing_partnership_id_is_rejected() -> None:
    other = FORMED.model_copy(update={"kind": "mou"})

    with pytest.raises(CommandRejectedError, match=f"partnership {PARTNERSHIP_ID} already exists"):
        decide_form(other, fold(FORMED))


def test_a_partnership_of_an_organisation_with_itself_is_rejected() -> None:
    alone = FORMED.model_copy(update={"counterpart_organisation_id": LEEDS})

    with pytest.raises(CommandRejectedError, match="needs two different organisations"):
        decide_form(alone, fold())


def test_a_status_change_is_recorded() -> None:
    decided = decide_change_status(NEGOTIATING, fold(FORMED))

    assert decided == [NEGOTIATING]


def test_a_status_change_to_the_current_status_is_rejected() -> None:
    state = fold(FORMED, NEGOTIATING)

    with pytest.raises(CommandRejectedError, match="the partnership is already negotiating"):
        decide_change_status(NEGOTIATING, state)


def test_a_status_change_of_an_unknown_partnership_is_rejected() -> None:
    with pytest.raises(CommandRejectedError, match=f"partnership {PARTNERSHIP_ID} does not exist"):
        decide_change_status(NEGOTIATING, fold())


def test_a_retracted_partnership_rejects_a_status_change() -> None:
    state = fold(FORMED, EntryRetracted(entry_id=PARTNERSHIP_ID, reason="entered twice"))

    with pytest.raises(CommandRejectedError, match=f"partnership {PARTNERSHIP_ID} was retracted"):
        decide_change_status(NEGOTIATING, state)


def test_a_partnership_starts_in_the_status_it_was_formed_with() -> None:
    state = fold(FORMED.model_copy(update={"status": "active"}))

    assert state.status == "active"


def test_a_status_change_folds_into_the_status() -> None:
    state = fold(FORMED, NEGOTIATING)

    assert state.status == "negotiating"


def test_a_correction_renames_the_partnership_and_keeps_its_status() -> None:
    rename = EntryCorrected(
        entry_id=PARTNERSHIP_ID, changes={"name": "Leeds-Kunming Friendship"}, reason="style"
    )

    state = fold(FORMED, NEGOTIATING, rename)

    assert state == Partnership(
        formed=FORMED.model_copy(update={"name": "Leeds-Kunming Friendship"}),
        status="negotiating",
    )


def test_a_signing_activates_the_partnership_from_the_signing_day() -> None:
    state = fold(FORMED, NEGOTIATING)

    decided = decide_activation(SIGNING, state)

    assert decided == [
        PartnershipStatusChanged(
            partnership_id=PARTNERSHIP_ID,
            status="active",
            reason="signed: Memorandum of Understanding on Education",
            effective_on=date(2016, 6, 22),
        )
    ]


def test_a_signing_records_nothing_for_an_active_partnership() -> None:
    active = NEGOTIATING.model_copy(update={"status": "active"})
    state = fold(FORMED, active)

    decided = decide_activation(SIGNING, state)

    assert decided == []


def test_a_signing_for_a_retracted_partnership_is_rejected() -> None:
    state = fold(FORMED, EntryRetracted(entry_id=PARTNERSHIP_ID, reason="entered twice"))

    with pytest.raises(CommandRejectedError, match="was retracted"):
        decide_activation(SIGNING, state)
