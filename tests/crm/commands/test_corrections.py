"""Deciding on corrections and retractions (crm.commands.corrections), for every kind of entry."""

from __future__ import annotations

from datetime import date, datetime
from functools import reduce
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.commands.corrections import (
    ENTRY_MODELS,
    CorrectEntry,
    RetractEntry,
    decide_correct,
    decide_retract,
)
from crm.errors import CommandRejectedError
from events.event import Event
from events.schemas.agreements import AgreementSigned
from events.schemas.contacts import ContactRegistered
from events.schemas.corrections import EntryCorrected, EntryRetracted
from events.schemas.followups import FollowUpOpened
from events.schemas.interactions import InteractionLogged
from events.schemas.missions import MissionPlanned
from events.schemas.organisations import OrganisationRegistered
from events.schemas.partnerships import PartnershipFormed
from events.schemas.values import EntryKind, Person, When

ENTRY_ID = UUID(int=1)
LONDON = ZoneInfo("Europe/London")

ENTRIES: dict[EntryKind, Event] = {
    "organisation": OrganisationRegistered(
        organisation_id=ENTRY_ID, name="Kunming Municipal Government", kind="city_government"
    ),
    "contact": ContactRegistered(
        contact_id=ENTRY_ID,
        family_name="Zhao",
        given_name="Xuenong",
        family_name_first=True,
        tags=("kunming",),
    ),
    "partnership": PartnershipFormed(
        partnership_id=ENTRY_ID,
        name="Leeds-Kunming",
        our_organisation_id=UUID(int=10),
        counterpart_organisation_id=UUID(int=11),
    ),
    "mission": MissionPlanned(
        mission_id=ENTRY_ID,
        name="Kunming delegation to Leeds",
        direction="inbound",
        starts=When(day=date(2016, 6, 20), timezone="Europe/London"),
        ends=When(day=date(2016, 6, 24), timezone="Europe/London"),
    ),
    "interaction": InteractionLogged(
        interaction_id=ENTRY_ID,
        kind="meeting",
        held_at=datetime(2016, 6, 21, 10, 0, tzinfo=LONDON),
        timezone="Europe/London",
        participants=(Person(contact_id=UUID(int=20)),),
        subject="Courtesy call on the Lord Mayor",
    ),
    "agreement": AgreementSigned(
        agreement_id=ENTRY_ID,
        partnership_id=UUID(int=2),
        title="Memorandum of Understanding on Education",
        signed_on=date(2016, 6, 22),
        place="Leeds Civic Hall",
        timezone="Europe/London",
        signatories=(Person(contact_id=UUID(int=20)),),
        expires_on=date(2021, 6, 21),
    ),
    "followup": FollowUpOpened(
        followup_id=ENTRY_ID,
        text="Send the signed MoU to Kunming",
        owner_email="ellen.cutler@leeds.gov.uk",
        due=When(day=date(2016, 7, 1), timezone="Europe/London"),
    ),
}
RETRACTED = EntryRetracted(entry_id=ENTRY_ID, reason="entered twice")


def fold(kind: EntryKind, *events: Event) -> Any:
    model = ENTRY_MODELS[kind]
    return reduce(model.evolve, events, model.initial())


def correct(kind: EntryKind, changes: dict[str, Any]) -> CorrectEntry:
    return CorrectEntry(kind=kind, entry_id=ENTRY_ID, changes=changes, reason="typo")


# correcting


def test_an_ordinary_correction_is_recorded_in_changes() -> None:
    state = fold("organisation", ENTRIES["organisation"])

    decided = decide_correct(correct("organisation", {"name": "Kunming City Government"}), state)

    assert decided == [
        EntryCorrected(
            entry_id=ENTRY_ID, changes={"name": "Kunming City Government"}, reason="typo"
        )
    ]


def test_an_unknown_field_is_rejected_naming_the_allowed_ones() -> None:
    state = fold("organisation", ENTRIES["organisation"])

    with pytest.raises(
        CommandRejectedError,
        match=r"^cannot correct is_ours; allowed: "
        r"aliases, city, country, kind, name, native_name, timezone$",
    ):
        decide_correct(correct("organisation", {"is_ours": True}), state)


def test_a_correction_that_changes_nothing_is_rejected() -> None:
    state = fold("organisation", ENTRIES["organisation"])

    with pytest.raises(CommandRejectedError, match="the correction changes nothing"):
        decide_correct(correct("organisation", {"name": "Kunming Municipal Government"}), state)


def test_a_correction_of_a_retracted_entry_is_rejected() -> None:
    state = fold("organisation", ENTRIES["organisation"], RETRACTED)

    with pytest.raises(
        CommandRejectedError, match=f"organisation {ENTRY_ID} does not exist or was retracted"
    ):
        decide_correct(correct("organisation", {"name": "Kunming"}), state)


def test_a_correction_of_a_missing_entry_is_rejected() -> None:
    with pytest.raises(CommandRejectedError, match="does not exist or was retracted"):
        decide_correct(correct("followup", {"text": "Call Kunming"}), fold("followup"))


def test_an_invalid_value_is_rejected_with_a_one_line_message_naming_the_field() -> None:
    state = fold("interaction", ENTRIES["interaction"])

    with pytest.raises(
        CommandRejectedError, match=r"\Akind: Input should be 'meeting', .* or 'note'\Z"
    ):
        decide_correct(correct("interaction", {"kind": "spaceship"}), state)


def test_corrected_values_are_recorded_in_their_json_form() -> None:
    state = fold("interaction", ENTRIES["interaction"])
    later = datetime(2016, 6, 21, 11, 30, tzinfo=LONDON)

    decided = decide_correct(correct("interaction", {"held_at": later}), state)

    assert decided == [
        EntryCorrected(
            entry_id=ENTRY_ID, changes={"held_at": "2016-06-21T11:30:00+01:00"}, reason="typo"
        )
    ]


def test_personal_fields_of_a_contact_are_sealed_apart_from_ordinary_ones() -> None:
    state = fold("contact", ENTRIES["contact"])

    decided = decide_correct(
        correct("contact", {"family_name": "Zhou", "tags": ("yunnan",)}), state
    )

    assert decided == [
        EntryCorrected(
            entry_id=ENTRY_ID,
            changes={"tags": ["yunnan"]},
            personal_changes='{"family_name": "Zhou"}',
            subject_id=ENTRY_ID,
            reason="typo",
        )
    ]


def test_personal_changes_keep_text_in_any_script() -> None:
    state = fold("contact", ENTRIES["contact"])

    decided = decide_correct(correct("contact", {"native_name": "赵学农"}), state)

    assert decided == [
        EntryCorrected(
            entry_id=ENTRY_ID,
            personal_changes='{"native_name": "赵学农"}',
            subject_id=ENTRY_ID,
            reason="typo",
        )
    ]


def test_a_decided_personal_correction_folds_into_the_contact() -> None:
    state = fold("contact", ENTRIES["contact"])

    decided = decide_correct(correct("contact", {"family_name": "Zhou"}), state)
    after = reduce(ENTRY_MODELS["contact"].evolve, decided, state)

    assert after.registered == ENTRIES["contact"].model_copy(update={"family_name": "Zhou"})


def test_a_correction_making_an_agreement_expire_before_its_signing_is_rejected() -> None:
    state = fold("agreement", ENTRIES["agreement"])

    with pytest.raises(CommandRejectedError, match="must expire after it is signed"):
        decide_correct(correct("agreement", {"expires_on": date(2016, 6, 1)}), state)


@pytest.mark.parametrize("kind", list(ENTRY_MODELS))
def test_every_correctable_field_is_a_field_of_its_entry(kind: EntryKind) -> None:
    fields = set(type(ENTRIES[kind]).model_fields)

    assert ENTRY_MODELS[kind].correctable <= fields


@given(name=st.text(min_size=1).filter(lambda n: n != ENTRIES["organisation"].name))
def test_any_new_name_decided_then_folded_reads_back(name: str) -> None:
    state = fold("organisation", ENTRIES["organisation"])

    after = reduce(
        ENTRY_MODELS["organisation"].evolve,
        decide_correct(correct("organisation", {"name": name}), state),
        state,
    )

    assert after.registered.name == name


# retracting


@pytest.mark.parametrize("kind", list(ENTRY_MODELS))
def test_every_kind_of_entry_can_be_retracted(kind: EntryKind) -> None:
    state = fold(kind, ENTRIES[kind])

    decided = decide_retract(
        RetractEntry(kind=kind, entry_id=ENTRY_ID, reason="entered twice"), state
    )

    assert decided == [RETRACTED]


def test_retracting_an_already_retracted_entry_is_rejected() -> None:
    state = fold("mission", ENTRIES["mission"], RETRACTED)

    with pytest.raises(CommandRejectedError, match="mission 00000000 is already retracted"):
        decide_retract(RetractEntry(kind="mission", entry_id=ENTRY_ID, reason="again"), state)


def test_retracting_an_entry_that_does_not_exist_is_rejected() -> None:
    with pytest.raises(CommandRejectedError, match=f"agreement {ENTRY_ID} does not exist"):
        decide_retract(
            RetractEntry(kind="agreement", entry_id=ENTRY_ID, reason="never signed"),
            fold("agreement"),
        )
