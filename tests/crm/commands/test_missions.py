"""Deciding on missions (crm.commands.missions): dates across time zones, people, cancellation."""

from __future__ import annotations

from datetime import date, time
from functools import reduce
from uuid import UUID

import pytest

from crm.commands.missions import (
    Mission,
    decide_add_participant,
    decide_cancel,
    decide_plan,
    decide_reschedule,
    evolve,
)
from crm.errors import CommandRejectedError
from events.event import Event
from events.schemas.corrections import EntryCorrected, EntryRetracted
from events.schemas.missions import (
    MissionCancelled,
    MissionParticipant,
    MissionParticipantAdded,
    MissionPlanned,
    MissionRescheduled,
    Place,
)
from events.schemas.values import When

MISSION_ID = UUID(int=1)
ZHAO = MissionParticipant(contact_id=UUID(int=20), role="head_of_delegation", precedence=1)
GUAN = MissionParticipant(contact_id=UUID(int=21), role="member", precedence=2)


def day(d: date, zone: str = "Europe/London") -> When:
    return When(day=d, timezone=zone)


def at(d: date, local: time, zone: str) -> When:
    return When(day=d, local_time=local, timezone=zone)


PLANNED = MissionPlanned(
    mission_id=MISSION_ID,
    name="Kunming delegation to Leeds",
    direction="inbound",
    starts=day(date(2016, 6, 20)),
    ends=day(date(2016, 6, 24)),
    places=(Place(name="Leeds", timezone="Europe/London"),),
    participants=(ZHAO,),
)

RESCHEDULED = MissionRescheduled(
    mission_id=MISSION_ID,
    starts=day(date(2016, 9, 5)),
    ends=day(date(2016, 9, 9)),
    reason="clash with the referendum",
)

CANCELLED = MissionCancelled(mission_id=MISSION_ID, reason="budget withdrawn")


def fold(*events: Event) -> Mission:
    return reduce(evolve, events, Mission())


def planned(starts: When, ends: When) -> MissionPlanned:
    return PLANNED.model_copy(update={"starts": starts, "ends": ends})


# planning


def test_a_mission_is_planned() -> None:
    decided = decide_plan(PLANNED, fold())

    assert decided == [PLANNED]


def test_planning_the_same_mission_again_records_nothing() -> None:
    decided = decide_plan(PLANNED, fold(PLANNED))

    assert decided == []


def test_different_content_under_an_existing_mission_id_is_rejected() -> None:
    other = PLANNED.model_copy(update={"name": "Kunming delegation to Bradford"})

    with pytest.raises(CommandRejectedError, match=f"mission {MISSION_ID} already exists"):
        decide_plan(other, fold(PLANNED))


def test_a_one_day_mission_is_planned() -> None:
    one_day = planned(day(date(2016, 6, 20)), day(date(2016, 6, 20)))

    decided = decide_plan(one_day, fold())

    assert decided == [one_day]


def test_an_all_day_end_before_the_start_is_rejected() -> None:
    backwards = planned(day(date(2016, 6, 20)), day(date(2016, 6, 19)))

    with pytest.raises(
        CommandRejectedError, match=r"the end \(2016-06-19\) is before the start \(2016-06-20\)"
    ):
        decide_plan(backwards, fold())


def test_a_timed_end_after_a_timed_start_in_another_zone_is_accepted() -> None:
    # 15:00 in Shanghai is 07:00 UTC; 09:00 in London (BST) is 08:00 UTC.
    leaving_kunming = at(date(2016, 6, 20), time(15, 0), "Asia/Shanghai")
    landing_in_london = at(date(2016, 6, 20), time(9, 0), "Europe/London")
    flight = planned(leaving_kunming, landing_in_london)

    decided = decide_plan(flight, fold())

    assert decided == [flight]


def test_a_timed_end_before_a_timed_start_in_another_zone_is_rejected() -> None:
    # 09:00 in London (BST) is 08:00 UTC; 15:00 in Shanghai is 07:00 UTC.
    starts = at(date(2016, 6, 20), time(9, 0), "Europe/London")
    ends = at(date(2016, 6, 20), time(15, 0), "Asia/Shanghai")

    with pytest.raises(CommandRejectedError, match="is before the start"):
        decide_plan(planned(starts, ends), fold())


def test_a_timed_end_on_an_earlier_local_day_but_a_later_instant_is_accepted() -> None:
    # 09:00 on the 21st in Tokyo is 00:00 UTC on the 21st; 20:00 on the 20th in Los Angeles
    # (PDT) is 03:00 UTC on the 21st: the flight lands three hours after it leaves.
    leaving_tokyo = at(date(2016, 6, 21), time(9, 0), "Asia/Tokyo")
    landing_in_los_angeles = at(date(2016, 6, 20), time(20, 0), "America/Los_Angeles")
    flight = planned(leaving_tokyo, landing_in_los_angeles)

    decided = decide_plan(flight, fold())

    assert decided == [flight]


def test_a_timed_end_on_the_start_day_of_an_all_day_start_is_accepted() -> None:
    mixed = planned(day(date(2016, 6, 20)), at(date(2016, 6, 20), time(0, 30), "Europe/London"))

    decided = decide_plan(mixed, fold())

    assert decided == [mixed]


def test_planning_with_the_same_person_twice_is_rejected() -> None:
    twice = PLANNED.model_copy(update={"participants": (ZHAO, ZHAO)})

    with pytest.raises(CommandRejectedError, match="takes part in a mission once"):
        decide_plan(twice, fold())


# rescheduling and cancelling


def test_a_mission_is_rescheduled() -> None:
    decided = decide_reschedule(RESCHEDULED, fold(PLANNED))

    assert decided == [RESCHEDULED]


def test_rescheduling_to_the_same_dates_is_rejected() -> None:
    same = RESCHEDULED.model_copy(update={"starts": PLANNED.starts, "ends": PLANNED.ends})

    with pytest.raises(CommandRejectedError, match="the mission already has those dates"):
        decide_reschedule(same, fold(PLANNED))


def test_rescheduling_to_an_end_before_the_start_is_rejected() -> None:
    backwards = RESCHEDULED.model_copy(update={"ends": day(date(2016, 9, 4))})

    with pytest.raises(CommandRejectedError, match="is before the start"):
        decide_reschedule(backwards, fold(PLANNED))


def test_an_unknown_mission_rejects_a_reschedule() -> None:
    with pytest.raises(CommandRejectedError, match="that mission does not exist"):
        decide_reschedule(RESCHEDULED, fold())


def test_a_cancelled_mission_rejects_a_reschedule() -> None:
    state = fold(PLANNED, CANCELLED)

    with pytest.raises(
        CommandRejectedError, match="mission 'Kunming delegation to Leeds' was cancelled"
    ):
        decide_reschedule(RESCHEDULED, state)


def test_a_mission_is_cancelled() -> None:
    decided = decide_cancel(CANCELLED, fold(PLANNED))

    assert decided == [CANCELLED]


def test_a_cancelled_mission_rejects_another_cancel() -> None:
    state = fold(PLANNED, CANCELLED)

    with pytest.raises(CommandRejectedError, match="was cancelled"):
        decide_cancel(CANCELLED, state)


def test_a_retracted_mission_rejects_a_cancel() -> None:
    state = fold(PLANNED, EntryRetracted(entry_id=MISSION_ID, reason="entered twice"))

    with pytest.raises(
        CommandRejectedError, match="mission 'Kunming delegation to Leeds' was retracted"
    ):
        decide_cancel(CANCELLED, state)


# participants


def test_a_participant_is_added() -> None:
    added = MissionParticipantAdded(mission_id=MISSION_ID, participant=GUAN)

    decided = decide_add_participant(added, fold(PLANNED))

    assert decided == [added]


def test_adding_a_participant_already_on_the_mission_is_rejected() -> None:
    again = MissionParticipantAdded(
        mission_id=MISSION_ID, participant=ZHAO.model_copy(update={"role": "member"})
    )

    with pytest.raises(CommandRejectedError, match="that person is already on the mission"):
        decide_add_participant(again, fold(PLANNED))


def test_adding_a_participant_twice_is_rejected() -> None:
    added = MissionParticipantAdded(mission_id=MISSION_ID, participant=GUAN)
    state = fold(PLANNED, added)

    with pytest.raises(CommandRejectedError, match="that person is already on the mission"):
        decide_add_participant(added, state)


def test_a_cancelled_mission_rejects_a_new_participant() -> None:
    added = MissionParticipantAdded(mission_id=MISSION_ID, participant=GUAN)

    with pytest.raises(CommandRejectedError, match="was cancelled"):
        decide_add_participant(added, fold(PLANNED, CANCELLED))


# folding


def test_a_reschedule_folds_the_new_dates() -> None:
    state = fold(PLANNED, RESCHEDULED)

    assert state.planned == planned(RESCHEDULED.starts, RESCHEDULED.ends)


def test_an_added_participant_folds_into_the_mission() -> None:
    state = fold(PLANNED, MissionParticipantAdded(mission_id=MISSION_ID, participant=GUAN))

    assert state.planned == PLANNED.model_copy(update={"participants": (ZHAO, GUAN)})


def test_a_cancellation_folds_into_the_mission() -> None:
    state = fold(PLANNED, CANCELLED)

    assert state == Mission(planned=PLANNED, is_cancelled=True)


def test_a_correction_renames_the_mission() -> None:
    rename = EntryCorrected(
        entry_id=MISSION_ID, changes={"name": "Kunming education delegation"}, reason="style"
    )

    state = fold(PLANNED, rename)

    assert state.planned == PLANNED.model_copy(update={"name": "Kunming education delegation"})


def test_a_reschedule_before_the_plan_is_ignored() -> None:
    state = fold(RESCHEDULED)

    assert state == Mission()
