"""Deciding on organisations (crm.commands.organisations): registration, corrections, retraction."""

from __future__ import annotations

from functools import reduce
from uuid import UUID

import pytest

from crm.commands.organisations import Organisation, decide_register, evolve
from crm.errors import CommandRejectedError
from events.event import Event
from events.schemas.corrections import EntryCorrected, EntryRetracted
from events.schemas.organisations import OrganisationRegistered

KUNMING_ID = UUID(int=1)

KUNMING = OrganisationRegistered(
    organisation_id=KUNMING_ID,
    name="Kunming Municipal People's Government",
    native_name="昆明市人民政府",
    kind="city_government",
    country="CN",
    city="Kunming",
    timezone="Asia/Shanghai",
)


def fold(*events: Event) -> Organisation:
    return reduce(evolve, events, Organisation())


def test_a_new_organisation_is_registered() -> None:
    state = fold()

    decided = decide_register(KUNMING, state, ())

    assert decided == [KUNMING]


def test_registering_the_same_organisation_again_records_nothing() -> None:
    state = fold(KUNMING)

    decided = decide_register(KUNMING, state, ())

    assert decided == []


def test_different_content_under_an_existing_id_is_rejected() -> None:
    state = fold(KUNMING)
    renamed = KUNMING.model_copy(update={"name": "Kunming City"})

    with pytest.raises(CommandRejectedError, match=f"organisation {KUNMING_ID} already exists"):
        decide_register(renamed, state, ())


def test_a_name_already_in_the_directory_is_rejected_naming_the_other_entry() -> None:
    state = fold()
    same_name = ("0a1b2c3d-0000-0000-0000-000000000000",)

    with pytest.raises(
        CommandRejectedError,
        match=r"named \"Kunming Municipal People's Government\" already exists \(0a1b2c3d\)",
    ):
        decide_register(KUNMING, state, same_name)


def test_a_registration_folds_into_the_organisation() -> None:
    state = fold(KUNMING)

    assert state == Organisation(registered=KUNMING, is_retracted=False)


def test_a_correction_changes_the_registered_name() -> None:
    correction = EntryCorrected(
        entry_id=KUNMING_ID, changes={"name": "Kunming City Government"}, reason="official name"
    )

    state = fold(KUNMING, correction)

    assert state.registered == KUNMING.model_copy(update={"name": "Kunming City Government"})


def test_a_correction_before_any_registration_is_ignored() -> None:
    correction = EntryCorrected(entry_id=KUNMING_ID, changes={"name": "Kunming"}, reason="typo")

    state = fold(correction)

    assert state == Organisation()


def test_a_retraction_marks_the_organisation_retracted() -> None:
    retraction = EntryRetracted(entry_id=KUNMING_ID, reason="entered twice")

    state = fold(KUNMING, retraction)

    assert state == Organisation(registered=KUNMING, is_retracted=True)
