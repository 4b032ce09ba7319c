"""Deciding on contacts (crm.commands.contacts): registration, roles over time, erasure."""

from __future__ import annotations

from datetime import date
from functools import reduce
from uuid import UUID

import pytest

from crm.commands.contacts import (
    Contact,
    decide_assign_role,
    decide_end_role,
    decide_register,
    evolve,
)
from crm.errors import CommandRejectedError
from events.event import Event
from events.schemas.contacts import (
    ContactForgotten,
    ContactRegistered,
    ContactRoleAssigned,
    ContactRoleEnded,
    FirstRole,
)
from events.schemas.corrections import EntryCorrected, EntryRetracted
from events.vocabulary import ERASED

ZHAO_ID = UUID(int=1)
KUNMING = UUID(int=10)
CHAMBER = UUID(int=11)

ZHAO = ContactRegistered(
    contact_id=ZHAO_ID,
    family_name="Zhao",
    given_name="Xuenong",
    family_name_first=True,
    native_name="赵学农",
    emails=("zhao@kunming.gov.cn",),
)


def role(
    n: int,
    title: str,
    organisation_id: UUID = KUNMING,
    since: date | None = None,
    until: date | None = None,
) -> ContactRoleAssigned:
    return ContactRoleAssigned(
        contact_id=ZHAO_ID,
        role_id=UUID(int=100 + n),
        organisation_id=organisation_id,
        title=title,
        since=since,
        until=until,
    )


def fold(*events: Event) -> Contact:
    return reduce(evolve, events, Contact())


VICE_MAYOR = role(1, "Vice Mayor", since=date(2015, 1, 1))
MAYOR = role(2, "Mayor", since=date(2021, 1, 1))


def arriving_as(assignment: ContactRoleAssigned) -> ContactRegistered:
    """Zhao, registered holding this role."""
    first = FirstRole(**assignment.model_dump(exclude={"contact_id"}))
    return ZHAO.model_copy(update={"first_role": first})


# registering


def test_a_new_contact_is_registered_without_a_role() -> None:
    decided = decide_register(ZHAO, fold(), None)

    assert decided == [ZHAO]


def test_a_new_contact_is_registered_with_a_first_role_in_one_event() -> None:
    arriving = arriving_as(VICE_MAYOR)

    decided = decide_register(arriving, fold(), None)

    assert decided == [arriving]


def test_a_first_role_is_held_as_a_separately_assigned_role_would_be() -> None:
    embedded = fold(arriving_as(VICE_MAYOR))
    separate = fold(ZHAO, VICE_MAYOR)

    assert embedded.roles == separate.roles == {VICE_MAYOR.role_id: VICE_MAYOR}
    assert embedded.role_on(date(2016, 1, 1)) == VICE_MAYOR


def test_a_later_role_ends_the_first_role_at_the_same_organisation() -> None:
    state = fold(arriving_as(VICE_MAYOR))

    decided = decide_assign_role(MAYOR, state)

    assert decided == [
        ContactRoleEnded(contact_id=ZHAO_ID, role_id=VICE_MAYOR.role_id, until=date(2020, 12, 31)),
        MAYOR,
    ]


def test_registering_the_same_contact_again_records_nothing() -> None:
    arriving = arriving_as(VICE_MAYOR)
    state = fold(arriving)

    decided = decide_register(arriving, state, None)

    assert decided == []


def test_different_content_under_an_existing_contact_id_is_rejected() -> None:
    state = fold(ZHAO)
    other = ZHAO.model_copy(update={"given_name": "Xue"})

    with pytest.raises(CommandRejectedError, match=f"contact {ZHAO_ID} already exists"):
        decide_register(other, state, None)


def test_a_likely_duplicate_of_an_existing_contact_is_rejected() -> None:
    duplicate = "zhao@kunming.gov.cn belongs to contact 0a1b2c3d"

    with pytest.raises(
        CommandRejectedError, match=f"this looks like an existing contact: {duplicate}"
    ):
        decide_register(ZHAO, fold(), duplicate)


def test_a_first_role_ending_before_it_starts_is_rejected() -> None:
    backwards = role(1, "Vice Mayor", since=date(2021, 1, 1), until=date(2020, 12, 31))

    with pytest.raises(CommandRejectedError, match="before it starts"):
        decide_register(arriving_as(backwards), fold(), None)


# assigning roles


def test_a_role_is_assigned_to_a_registered_contact() -> None:
    state = fold(ZHAO)

    decided = decide_assign_role(VICE_MAYOR, state)

    assert decided == [VICE_MAYOR]


def test_a_later_role_ends_the_open_role_at_the_same_organisation_the_day_before() -> None:
    state = fold(ZHAO, VICE_MAYOR)

    decided = decide_assign_role(MAYOR, state)

    assert decided == [
        ContactRoleEnded(contact_id=ZHAO_ID, role_id=VICE_MAYOR.role_id, until=date(2020, 12, 31)),
        MAYOR,
    ]


def test_a_later_role_leaves_an_open_role_at_another_organisation() -> None:
    chair = role(3, "Honorary Chair", organisation_id=CHAMBER, since=date(2010, 3, 1))
    state = fold(ZHAO, chair)

    decided = decide_assign_role(MAYOR, state)

    assert decided == [MAYOR]


def test_a_later_role_leaves_a_role_assigned_with_an_end() -> None:
    deputy = role(3, "Deputy Secretary", since=date(2012, 1, 1), until=date(2014, 12, 31))
    state = fold(ZHAO, deputy)

    decided = decide_assign_role(MAYOR, state)

    assert decided == [MAYOR]


def test_a_later_role_leaves_a_role_already_ended() -> None:
    ended = ContactRoleEnded(
        contact_id=ZHAO_ID, role_id=VICE_MAYOR.role_id, until=date(2019, 6, 30)
    )
    state = fold(ZHAO, VICE_MAYOR, ended)

    decided = decide_assign_role(MAYOR, state)

    assert decided == [MAYOR]


def test_a_role_without_a_first_day_ends_no_other_role() -> None:
    state = fold(ZHAO, VICE_MAYOR)
    undated = role(2, "Mayor")

    decided = decide_assign_role(undated, state)

    assert decided == [undated]


def test_a_role_starting_the_same_day_as_an_open_role_does_not_end_it() -> None:
    state = fold(ZHAO, VICE_MAYOR)
    concurrent = role(2, "Party Committee Member", since=VICE_MAYOR.since)

    decided = decide_assign_role(concurrent, state)

    assert decided == [concurrent]


def test_a_role_ending_before_it_starts_is_rejected() -> None:
    state = fold(ZHAO)
    backwards = role(2, "Mayor", since=date(2021, 1, 1), until=date(2020, 12, 31))

    with pytest.raises(
        CommandRejectedError, match=r"the role ends \(2020-12-31\) before it starts \(2021-01-01\)"
    ):
        decide_assign_role(backwards, state)


def test_a_role_id_already_used_is_rejected() -> None:
    state = fold(ZHAO, VICE_MAYOR)

    with pytest.raises(CommandRejectedError, match=f"role {VICE_MAYOR.role_id} already exists"):
        decide_assign_role(VICE_MAYOR, state)


def test_a_role_for_an_unknown_contact_is_rejected() -> None:
    with pytest.raises(CommandRejectedError, match=f"contact {ZHAO_ID} does not exist"):
        decide_assign_role(VICE_MAYOR, fold())


@pytest.mark.parametrize(
    ("retirement", "message"),
    [
        (EntryRetracted(entry_id=ZHAO_ID, reason="entered twice"), "was retracted"),
        (ContactForgotten(contact_id=ZHAO_ID, reason="erasure request"), "has been erased"),
    ],
)
def test_a_retracted_or_forgotten_contact_rejects_a_new_role(
    retirement: Event, message: str
) -> None:
    state = fold(ZHAO, retirement)

    with pytest.raises(CommandRejectedError, match=message):
        decide_assign_role(VICE_MAYOR, state)


# ending roles


def test_ending_a_role_is_recorded() -> None:
    state = fold(ZHAO, VICE_MAYOR)
    ending = ContactRoleEnded(
        contact_id=ZHAO_ID, role_id=VICE_MAYOR.role_id, until=date(2020, 6, 1)
    )

    decided = decide_end_role(ending, state)

    assert decided == [ending]


def test_ending_an_unknown_role_is_rejected() -> None:
    state = fold(ZHAO, VICE_MAYOR)
    unknown = UUID(int=999)
    ending = ContactRoleEnded(contact_id=ZHAO_ID, role_id=unknown, until=date(2020, 6, 1))

    with pytest.raises(CommandRejectedError, match=f"role {unknown} does not exist"):
        decide_end_role(ending, state)


def test_ending_a_role_before_it_began_is_rejected() -> None:
    state = fold(ZHAO, VICE_MAYOR)
    ending = ContactRoleEnded(
        contact_id=ZHAO_ID, role_id=VICE_MAYOR.role_id, until=date(2014, 12, 31)
    )

    with pytest.raises(
        CommandRejectedError, match=r"the role began on 2015-01-01, after 2014-12-31"
    ):
        decide_end_role(ending, state)


def test_ending_a_role_on_its_first_day_is_accepted() -> None:
    state = fold(ZHAO, VICE_MAYOR)
    ending = ContactRoleEnded(
        contact_id=ZHAO_ID, role_id=VICE_MAYOR.role_id, until=date(2015, 1, 1)
    )

    decided = decide_end_role(ending, state)

    assert decided == [ending]


@pytest.mark.parametrize(
    ("retirement", "message"),
    [
        (EntryRetracted(entry_id=ZHAO_ID, reason="entered twice"), "was retracted"),
        (ContactForgotten(contact_id=ZHAO_ID, reason="erasure request"), "has been erased"),
    ],
)
def test_a_retracted_or_forgotten_contact_rejects_ending_a_role(
    retirement: Event, message: str
) -> None:
    state = fold(ZHAO, VICE_MAYOR, retirement)
    ending = ContactRoleEnded(
        contact_id=ZHAO_ID, role_id=VICE_MAYOR.role_id, until=date(2020, 6, 1)
    )

    with pytest.raises(CommandRejectedError, match=message):
        decide_end_role(ending, state)


# folding


def test_a_role_end_folds_into_the_role() -> None:
    ending = ContactRoleEnded(
        contact_id=ZHAO_ID, role_id=VICE_MAYOR.role_id, until=date(2020, 6, 1)
    )

    state = fold(ZHAO, VICE_MAYOR, ending)

    assert state.roles == {
        VICE_MAYOR.role_id: VICE_MAYOR.model_copy(update={"until": date(2020, 6, 1)})
    }


def test_an_end_of_an_unknown_role_folds_to_nothing() -> None:
    ending = ContactRoleEnded(contact_id=ZHAO_ID, role_id=UUID(int=999), until=date(2020, 6, 1))

    state = fold(ZHAO, ending)

    assert state == Contact(registered=ZHAO)


@pytest.mark.parametrize(
    ("day", "title"),
    [
        (date(2015, 1, 1), "Vice Mayor"),
        (date(2020, 12, 31), "Vice Mayor"),
        (date(2021, 1, 1), "Mayor"),
        (date(2024, 5, 1), "Mayor"),
    ],
)
def test_role_on_gives_the_title_held_that_day_across_a_title_change(day: date, title: str) -> None:
    state = fold(ZHAO, VICE_MAYOR)
    state = reduce(evolve, decide_assign_role(MAYOR, state), state)

    held = state.role_on(day, (KUNMING,))

    assert held is not None
    assert held.title == title


def test_role_on_a_day_before_any_role_is_none() -> None:
    state = fold(ZHAO, VICE_MAYOR)

    held = state.role_on(date(2014, 12, 31), (KUNMING,))

    assert held is None


def test_role_on_without_preference_gives_the_longest_held_role() -> None:
    chair = role(3, "Honorary Chair", organisation_id=CHAMBER, since=date(2010, 3, 1))
    state = fold(ZHAO, VICE_MAYOR, chair)

    held = state.role_on(date(2016, 6, 22))

    assert held == chair


def test_role_on_prefers_a_role_at_a_preferred_organisation() -> None:
    chair = role(3, "Honorary Chair", organisation_id=CHAMBER, since=date(2010, 3, 1))
    state = fold(ZHAO, VICE_MAYOR, chair)

    held = state.role_on(date(2016, 6, 22), (UUID(int=12), KUNMING))

    assert held == VICE_MAYOR


def test_a_correction_with_personal_changes_changes_the_folded_name() -> None:
    correction = EntryCorrected(
        entry_id=ZHAO_ID,
        personal_changes='{"family_name": "Zhou"}',
        subject_id=ZHAO_ID,
        reason="misspelt",
    )

    state = fold(ZHAO, correction)

    assert state.registered == ZHAO.model_copy(update={"family_name": "Zhou"})


def test_an_erased_correction_leaves_the_folded_name_alone() -> None:
    correction = EntryCorrected(
        entry_id=ZHAO_ID, personal_changes=ERASED, subject_id=ZHAO_ID, reason="misspelt"
    )

    state = fold(ZHAO, correction)

    assert state.registered == ZHAO


def test_forgetting_marks_the_contact_forgotten() -> None:
    state = fold(ZHAO, ContactForgotten(contact_id=ZHAO_ID, reason="erasure request"))

    assert state == Contact(registered=ZHAO, is_forgotten=True)
