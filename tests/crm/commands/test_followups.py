"""Deciding on follow-ups (crm.commands.followups): changes while open, and none once closed."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date, time
from functools import reduce
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.commands.followups import (
    FollowUp,
    decide_cancel,
    decide_complete,
    decide_open,
    decide_reassign,
    decide_redate,
    evolve,
)
from crm.errors import CommandRejectedError
from events.event import Event
from events.schemas.corrections import EntryCorrected, EntryRetracted
from events.schemas.followups import (
    FollowUpCancelled,
    FollowUpCompleted,
    FollowUpOpened,
    FollowUpReassigned,
    FollowUpRedated,
)
from events.schemas.values import Link, When

FOLLOWUP_ID = UUID(int=1)
DUE = When(day=date(2016, 7, 1), timezone="Europe/London")

OPENED = FollowUpOpened(
    followup_id=FOLLOWUP_ID,
    text="Send the signed MoU to the Kunming foreign affairs office",
    owner_email="ellen.cutler@leeds.gov.uk",
    due=DUE,
    links=(Link(kind="agreement", id=UUID(int=2)),),
)
COMPLETE = FollowUpCompleted(followup_id=FOLLOWUP_ID, note="sent by courier")
CANCEL = FollowUpCancelled(followup_id=FOLLOWUP_ID, reason="they have a copy")
REASSIGN = FollowUpReassigned(followup_id=FOLLOWUP_ID, owner_email="james.blake@leeds.gov.uk")
REDATE = FollowUpRedated(
    followup_id=FOLLOWUP_ID, due=When(day=date(2016, 7, 8), timezone="Europe/London")
)

Decide = Callable[[Any, FollowUp], list[Event]]
CHANGES: list[tuple[Decide, Event]] = [
    (decide_complete, COMPLETE),
    (decide_cancel, CANCEL),
    (decide_reassign, REASSIGN),
    (decide_redate, REDATE),
]
CHANGE_IDS = ["complete", "cancel", "reassign", "redate"]


def fold(*events: Event) -> FollowUp:
    return reduce(evolve, events, FollowUp())


# opening


def test_a_follow_up_is_opened() -> None:
    decided = decide_open(OPENED, fold())

    assert decided == [OPENED]


def test_opening_the_same_follow_up_again_records_nothing() -> None:
    decided = decide_open(OPENED, fold(OPENED))

    assert decided == []


def test_different_content_under_an_existing_follow_up_id_is_rejected() -> None:
    other = OPENED.model_copy(update={"text": "Book the return visit"})

    with pytest.raises(CommandRejectedError, match=f"follow-up {FOLLOWUP_ID} already exists"):
        decide_open(other, fold(OPENED))


# changing an open follow-up


@pytest.mark.parametrize(("decide", "cmd"), CHANGES, ids=CHANGE_IDS)
def test_an_open_follow_up_accepts_each_change(decide: Decide, cmd: Event) -> None:
    decided = decide(cmd, fold(OPENED))

    assert decided == [cmd]


@pytest.mark.parametrize(("decide", "cmd"), CHANGES, ids=CHANGE_IDS)
def test_a_done_follow_up_rejects_every_change(decide: Decide, cmd: Event) -> None:
    state = fold(OPENED, COMPLETE)

    with pytest.raises(CommandRejectedError, match=r"follow-up 00000000 is already done"):
        decide(cmd, state)


@pytest.mark.parametrize(("decide", "cmd"), CHANGES, ids=CHANGE_IDS)
def test_a_cancelled_follow_up_rejects_every_change(decide: Decide, cmd: Event) -> None:
    state = fold(OPENED, CANCEL)

    with pytest.raises(CommandRejectedError, match=r"follow-up 00000000 is already cancelled"):
        decide(cmd, state)


@pytest.mark.parametrize(("decide", "cmd"), CHANGES, ids=CHANGE_IDS)
def test_a_retracted_follow_up_rejects_every_change(decide: Decide, cmd: Event) -> None:
    state = fold(OPENED, EntryRetracted(entry_id=FOLLOWUP_ID, reason="duplicate"))

    with pytest.raises(CommandRejectedError, match=f"follow-up {FOLLOWUP_ID} does not exist"):
        decide(cmd, state)


@pytest.mark.parametrize(("decide", "cmd"), CHANGES, ids=CHANGE_IDS)
def test_an_unknown_follow_up_rejects_every_change(decide: Decide, cmd: Event) -> None:
    with pytest.raises(CommandRejectedError, match=f"follow-up {FOLLOWUP_ID} does not exist"):
        decide(cmd, fold())


def test_reassigning_to_the_current_owner_is_rejected() -> None:
    same = REASSIGN.model_copy(update={"owner_email": OPENED.owner_email})

    with pytest.raises(
        CommandRejectedError, match=r"already owned by ellen\.cutler@leeds\.gov\.uk"
    ):
        decide_reassign(same, fold(OPENED))


def test_redating_to_the_current_due_is_rejected() -> None:
    same = REDATE.model_copy(update={"due": DUE})

    with pytest.raises(CommandRejectedError, match="the follow-up is already due then"):
        decide_redate(same, fold(OPENED))


def test_redating_an_all_day_due_to_a_time_that_day_is_accepted() -> None:
    timed = REDATE.model_copy(update={"due": DUE.model_copy(update={"local_time": time(9, 0)})})

    decided = decide_redate(timed, fold(OPENED))

    assert decided == [timed]


# folding


def test_a_reassignment_folds_the_new_owner() -> None:
    state = fold(OPENED, REASSIGN)

    assert state == FollowUp(opened=OPENED.model_copy(update={"owner_email": REASSIGN.owner_email}))


def test_a_redating_folds_the_new_due() -> None:
    state = fold(OPENED, REDATE)

    assert state == FollowUp(opened=OPENED.model_copy(update={"due": REDATE.due}))


def test_a_completion_folds_into_done() -> None:
    state = fold(OPENED, COMPLETE)

    assert state == FollowUp(opened=OPENED, status="done")


def test_a_cancellation_folds_into_cancelled() -> None:
    state = fold(OPENED, CANCEL)

    assert state == FollowUp(opened=OPENED, status="cancelled")


def test_a_correction_changes_the_text() -> None:
    correction = EntryCorrected(
        entry_id=FOLLOWUP_ID, changes={"text": "Courier the signed MoU"}, reason="clearer"
    )

    state = fold(OPENED, correction)

    assert state.opened == OPENED.model_copy(update={"text": "Courier the signed MoU"})


# properties

EMAILS = st.sampled_from(
    ["ellen.cutler@leeds.gov.uk", "james.blake@leeds.gov.uk", "wang.li@kunming.gov.cn"]
)
DUES = st.builds(
    When,
    day=st.dates(min_value=date(2016, 1, 1), max_value=date(2030, 12, 31)),
    local_time=st.none() | st.times(),
    timezone=st.sampled_from(["Europe/London", "Asia/Shanghai", "America/New_York"]),
)


def reassign_to(owner_email: str) -> tuple[Decide, Event]:
    return decide_reassign, FollowUpReassigned(followup_id=FOLLOWUP_ID, owner_email=owner_email)


def redate_to(due: When) -> tuple[Decide, Event]:
    return decide_redate, FollowUpRedated(followup_id=FOLLOWUP_ID, due=due)


OPEN_CHANGES = st.builds(reassign_to, EMAILS) | st.builds(redate_to, DUES)
ANY_CHANGES = OPEN_CHANGES | st.sampled_from(CHANGES)


def apply(state: FollowUp, changes: list[tuple[Decide, Event]]) -> FollowUp:
    """Fold in each change the decisions accept; skip the ones they reject."""
    for decide, cmd in changes:
        with contextlib.suppress(CommandRejectedError):
            state = reduce(evolve, decide(cmd, state), state)
    return state


@pytest.mark.parametrize(
    ("closing", "status"),
    [((decide_complete, COMPLETE), "done"), ((decide_cancel, CANCEL), "cancelled")],
    ids=["completed", "cancelled"],
)
@given(
    before=st.lists(OPEN_CHANGES, max_size=6),
    after=st.lists(ANY_CHANGES, min_size=1, max_size=6),
)
def test_once_closed_every_further_change_is_rejected(
    closing: tuple[Decide, Event],
    status: str,
    before: list[tuple[Decide, Event]],
    after: list[tuple[Decide, Event]],
) -> None:
    decide_close, close = closing
    state = apply(fold(OPENED), before)
    state = reduce(evolve, decide_close(close, state), state)

    for decide, cmd in after:
        with pytest.raises(CommandRejectedError, match=f"is already {status}"):
            decide(cmd, state)


@given(before=st.lists(OPEN_CHANGES, max_size=6), change=OPEN_CHANGES)
def test_a_reassignment_or_redating_is_accepted_exactly_when_it_changes_the_follow_up(
    before: list[tuple[Decide, Event]], change: tuple[Decide, Event]
) -> None:
    state = apply(fold(OPENED), before)
    decide, cmd = change
    would_change = evolve(state, cmd) != state

    try:
        accepted = decide(cmd, state) == [cmd]
    except CommandRejectedError:
        accepted = False

    assert accepted == would_change
