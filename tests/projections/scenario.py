"""Random but valid-looking histories, written through the real command handlers."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from crm.commands import (
    agreements,
    contacts,
    corrections,
    followups,
    interactions,
    missions,
    organisations,
    partnerships,
)
from crm.commands.context import CommandContext
from crm.errors import CommandRejectedError
from crm.exchange import erasure
from events.schemas.agreements import AgreementSigned
from events.schemas.contacts import ContactRegistered, ContactRoleAssigned, FirstRole
from events.schemas.followups import FollowUpCompleted, FollowUpOpened, FollowUpRedated
from events.schemas.interactions import InteractionLogged
from events.schemas.missions import (
    MissionCancelled,
    MissionParticipant,
    MissionParticipantAdded,
    MissionPlanned,
    MissionRescheduled,
    Place,
)
from events.schemas.organisations import OrganisationRegistered
from events.schemas.partnerships import PartnershipFormed, PartnershipStatusChanged
from events.schemas.values import Link, Person, When
from events.sql_store import SqlEventStore

ZONES = ("Europe/London", "Asia/Shanghai")
START = datetime(2015, 9, 1, 9, tzinfo=ZoneInfo("Europe/London"))


@dataclass
class World:
    """Ids created so far, so later steps can refer to them."""

    orgs: list[UUID] = field(default_factory=list)
    contacts: list[UUID] = field(default_factory=list)
    partnerships: list[UUID] = field(default_factory=list)
    missions: list[UUID] = field(default_factory=list)
    interactions: list[UUID] = field(default_factory=list)
    followups: list[UUID] = field(default_factory=list)
    agreements: list[UUID] = field(default_factory=list)


def base_world(ctx: CommandContext) -> World:
    """Three organisations, four people with roles, one partnership."""
    world = World()
    for n, zone in enumerate(("Europe/London", "Asia/Shanghai", "Asia/Shanghai")):
        org = OrganisationRegistered(
            organisation_id=uuid4(), name=f"Org {n}", timezone=zone, is_ours=n == 0
        )
        organisations.register_organisation(ctx, org)
        world.orgs.append(org.organisation_id)
    for n in range(4):
        person = ContactRegistered(contact_id=uuid4(), family_name=f"Family{n}", given_name="G")
        role = ContactRoleAssigned(
            contact_id=person.contact_id,
            role_id=uuid4(),
            organisation_id=world.orgs[n % 3],
            title=f"Title {n}",
        )
        if n % 2:  # registered holding the role, as imports and `crm contact add` record it
            first = FirstRole(**role.model_dump(exclude={"contact_id"}))
            contacts.register_contact(ctx, person.model_copy(update={"first_role": first}))
        else:  # registered, then assigned the role: how stores written before 2026-12 read
            contacts.register_contact(ctx, person)
            contacts.assign_role(ctx, role)
        world.contacts.append(person.contact_id)
    formed = PartnershipFormed(
        partnership_id=uuid4(),
        name="P 0",
        our_organisation_id=world.orgs[0],
        counterpart_organisation_id=world.orgs[1],
        owner_email="owner@example.org",
    )
    partnerships.form_partnership(ctx, formed)
    world.partnerships.append(formed.partnership_id)
    return world


OPERATIONS = (
    "log",
    "log",
    "log",
    "sign",
    "status",
    "plan",
    "reschedule",
    "cancel",
    "open",
    "complete",
    "redate",
    "correct",
    "retract",
    "role",
    "partnership",
    "join",
    "correct_contact",
    "correct_signing",
    "forget",
)


def run(ctx: CommandContext, world: World, op: str, data: st.DataObject) -> None:
    """Apply one operation with drawn parameters; rejected commands are fine (skipped)."""
    day = START + timedelta(
        days=data.draw(st.integers(0, 900)), hours=data.draw(st.integers(0, 12))
    )
    ctx = replace(ctx, business_time=day)
    pick = lambda items: data.draw(st.sampled_from(items))  # noqa: E731
    zone = pick(ZONES)
    with contextlib.suppress(CommandRejectedError):
        _run(ctx, world, op, day, zone, pick, data)


def _run(
    ctx: CommandContext,
    world: World,
    op: str,
    day: datetime,
    zone: str,
    pick: Any,
    data: st.DataObject,
) -> None:
    when = When(day=day.date(), timezone=zone)
    if op == "log":
        people = data.draw(
            st.lists(st.sampled_from(world.contacts), min_size=1, max_size=3, unique=True)
        )
        event = InteractionLogged(
            interaction_id=uuid4(),
            kind=pick(["meeting", "call", "email"]),
            held_at=day.astimezone(ZoneInfo(zone)),
            timezone=zone,
            participants=tuple(Person(contact_id=p) for p in people),
            partnership_id=pick([None, *world.partnerships]),
            subject=f"subject {data.draw(st.integers(0, 99))}",
        )
        interactions.log_interaction(ctx, event)
        world.interactions.append(event.interaction_id)
    elif op == "sign":
        signers = data.draw(
            st.lists(st.sampled_from(world.contacts), min_size=1, max_size=2, unique=True)
        )
        event = AgreementSigned(
            agreement_id=uuid4(),
            partnership_id=pick(world.partnerships),
            title="Agreement",
            signed_on=day.date(),
            place="Kunming",
            timezone=zone,
            signatories=tuple(Person(contact_id=c) for c in signers),
            expires_on=day.date() + timedelta(days=400),
        )
        agreements.sign_agreement(ctx, event)
        world.agreements.append(event.agreement_id)
    elif op == "status":
        change = PartnershipStatusChanged(
            partnership_id=pick(world.partnerships),
            status=pick(["negotiating", "dormant", "active"]),
            reason="because",
            effective_on=day.date(),
        )
        partnerships.change_status(ctx, change)
    elif op == "plan":
        plan = MissionPlanned(
            mission_id=uuid4(),
            name="M",
            direction=pick(["inbound", "outbound"]),
            starts=when,
            ends=replace_day(when, 3),
            places=(Place(name="Kunming", timezone=zone),),
            partnership_ids=(pick(world.partnerships),),
        )
        missions.handle(ctx, plan, missions.decide_plan)
        world.missions.append(plan.mission_id)
    elif op == "reschedule" and world.missions:
        move = MissionRescheduled(
            mission_id=pick(world.missions), starts=when, ends=replace_day(when, 2)
        )
        missions.handle(ctx, move, missions.decide_reschedule)
    elif op == "cancel" and world.missions:
        stop = MissionCancelled(mission_id=pick(world.missions), reason="off")
        missions.handle(ctx, stop, missions.decide_cancel)
    elif op == "open":
        links: tuple[Link, ...] = (Link(kind="partnership", id=pick(world.partnerships)),)
        if world.interactions and data.draw(st.booleans()):  # it takes over the meeting's links
            links += (Link(kind="interaction", id=pick(world.interactions)),)
        opened = FollowUpOpened(
            followup_id=uuid4(), text="do it", owner_email="a@example.org", due=when, links=links
        )
        followups.handle(ctx, opened, followups.decide_open)
        world.followups.append(opened.followup_id)
    elif op == "complete" and world.followups:
        done = FollowUpCompleted(followup_id=pick(world.followups))
        followups.handle(ctx, done, followups.decide_complete)
    elif op == "redate" and world.followups:
        moved = FollowUpRedated(followup_id=pick(world.followups), due=replace_day(when, 5))
        followups.handle(ctx, moved, followups.decide_redate)
    elif op == "correct" and world.interactions:
        target = pick(world.interactions)
        changes = pick(
            [
                {"subject": f"fixed {day.day}"},
                {"held_at": day.astimezone(ZoneInfo(zone)).isoformat()},
            ]
        )
        corrections.correct_entry(
            ctx, corrections.CorrectEntry("interaction", target, changes, "fix")
        )
    elif op == "retract":
        kind, pool = pick(
            [
                ("interaction", world.interactions),
                ("mission", world.missions),
                ("followup", world.followups),
            ]
        )
        if pool:
            corrections.retract_entry(ctx, corrections.RetractEntry(kind, pick(pool), "wrong"))
    elif op == "role":
        role = ContactRoleAssigned(
            contact_id=pick(world.contacts),
            role_id=uuid4(),
            organisation_id=pick(world.orgs),
            title="New title",
            since=day.date(),
        )
        contacts.assign_role(ctx, role)
    elif op == "partnership":
        formed = PartnershipFormed(
            partnership_id=uuid4(),
            name=f"P {len(world.partnerships)}",
            our_organisation_id=world.orgs[0],
            counterpart_organisation_id=pick(world.orgs[1:]),
        )
        partnerships.form_partnership(ctx, formed)
        world.partnerships.append(formed.partnership_id)
    elif op == "join" and world.missions:
        joined = MissionParticipantAdded(
            mission_id=pick(world.missions),
            participant=MissionParticipant(contact_id=pick(world.contacts)),
        )
        missions.handle(ctx, joined, missions.decide_add_participant)
    elif op == "correct_contact":
        changes = pick([{"family_name": f"Fixed {day.day}"}, {"timezone": zone}])
        corrections.correct_entry(
            ctx, corrections.CorrectEntry("contact", pick(world.contacts), changes, "fix")
        )
    elif op == "correct_signing" and world.agreements:
        moved_to = {"signed_on": day.date().isoformat()}
        corrections.correct_entry(
            ctx, corrections.CorrectEntry("agreement", pick(world.agreements), moved_to, "fix")
        )
    elif op == "forget" and len(world.contacts) > 2:
        gone = pick(world.contacts)
        erasure.forget(ctx, gone, "asked")
        world.contacts.remove(gone)


def replace_day(when: When, days: int) -> When:
    """The same moment shifted by whole days."""
    return when.model_copy(update={"day": when.day + timedelta(days=days)})


def context(store: SqlEventStore, now: datetime) -> CommandContext:
    """A command context on a store at a fixed time."""
    return CommandContext(store=store, now=now, actor="test")


def date_of(value: str) -> date:
    """Parse an ISO day."""
    return date.fromisoformat(value)
