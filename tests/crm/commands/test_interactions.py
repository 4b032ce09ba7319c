"""Deciding on interactions (crm.commands.interactions): logging once, corrections, retraction."""

from __future__ import annotations

from datetime import datetime
from functools import reduce
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from crm.commands.interactions import Interaction, decide_log, evolve
from crm.errors import CommandRejectedError
from events.event import Event
from events.schemas.corrections import EntryCorrected, EntryRetracted
from events.schemas.interactions import InteractionLogged
from events.schemas.values import Person

INTERACTION_ID = UUID(int=1)
LONDON = ZoneInfo("Europe/London")

MEETING = InteractionLogged(
    interaction_id=INTERACTION_ID,
    kind="meeting",
    held_at=datetime(2016, 6, 21, 10, 0, tzinfo=LONDON),
    timezone="Europe/London",
    place="Leeds Civic Hall",
    participants=(Person(contact_id=UUID(int=20)), Person(contact_id=UUID(int=21))),
    subject="Courtesy call on the Lord Mayor",
    outcomes=("agree MoU text by Friday",),
)


def fold(*events: Event) -> Interaction:
    return reduce(evolve, events, Interaction())


def test_an_interaction_with_participants_is_logged() -> None:
    decided = decide_log(MEETING, fold())

    assert decided == [MEETING]


def test_an_interaction_without_participants_is_rejected() -> None:
    alone = MEETING.model_copy(update={"participants": ()})

    with pytest.raises(CommandRejectedError, match="needs at least one participant"):
        decide_log(alone, fold())


def test_logging_the_same_interaction_again_records_nothing() -> None:
    decided = decide_log(MEETING, fold(MEETING))

    assert decided == []


def test_a_reused_id_with_different_content_is_rejected_naming_the_earlier_subject() -> None:
    other = MEETING.model_copy(update={"subject": "Banquet at the Queens Hotel"})

    with pytest.raises(
        CommandRejectedError,
        match=r"already used for a different interaction \('Courtesy call on the Lord Mayor'\)",
    ):
        decide_log(other, fold(MEETING))


def test_logging_again_after_a_retraction_records_nothing() -> None:
    state = fold(MEETING, EntryRetracted(entry_id=INTERACTION_ID, reason="wrong day"))

    decided = decide_log(MEETING, state)

    assert decided == []


def test_a_correction_changes_the_logged_subject() -> None:
    correction = EntryCorrected(
        entry_id=INTERACTION_ID, changes={"subject": "Courtesy call"}, reason="shorter"
    )

    state = fold(MEETING, correction)

    assert state.logged == MEETING.model_copy(update={"subject": "Courtesy call"})


def test_a_correction_stored_as_json_folds_back_into_an_aware_time() -> None:
    correction = EntryCorrected(
        entry_id=INTERACTION_ID, changes={"held_at": "2016-06-21T11:30:00+01:00"}, reason="late"
    )

    state = fold(MEETING, correction)

    assert state.logged == MEETING.model_copy(
        update={"held_at": datetime(2016, 6, 21, 11, 30, tzinfo=LONDON)}
    )


def test_a_retraction_marks_the_interaction_retracted() -> None:
    state = fold(MEETING, EntryRetracted(entry_id=INTERACTION_ID, reason="wrong day"))

    assert state == Interaction(logged=MEETING, is_retracted=True)
