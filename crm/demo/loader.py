"""Load the demo story through the real handlers, with fixed ids: loading twice is a no-op."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, time
from importlib import resources
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5
from zoneinfo import ZoneInfo

from crm.commands import (
    agreements,
    contacts,
    followups,
    interactions,
    missions,
    organisations,
    partnerships,
)
from crm.commands.context import CommandContext
from crm.commands.streams import load, stream_id
from events.schemas.agreements import AgreementSigned
from events.schemas.contacts import ContactRegistered, ContactRoleAssigned
from events.schemas.followups import FollowUpCompleted, FollowUpOpened
from events.schemas.interactions import InteractionLogged
from events.schemas.missions import MissionParticipant, MissionPlanned, Place
from events.schemas.organisations import OrganisationRegistered
from events.schemas.partnerships import PartnershipFormed, PartnershipStatusChanged
from events.schemas.values import Link, Person, When

DEMO_NAMESPACE = uuid5(NAMESPACE_URL, "https://trade-mission-crm/demo/liverpool-kunming")


def demo_id(key: str) -> UUID:
    """The fixed id of a demo entry."""
    return uuid5(DEMO_NAMESPACE, key)


def story() -> dict[str, Any]:
    """The demo facts, shipped inside the package."""
    return dict(json.loads(resources.files("crm.demo").joinpath("story.json").read_text()))


def _midday(day: str, zone: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(12), ZoneInfo(zone))


class DemoLoader:
    """Replays the story: each step at its own business time, recorded now."""

    def __init__(self, ctx: CommandContext) -> None:
        self.ctx = ctx
        self.data = story()
        self.partnership = demo_id(self.data["partnership"]["key"])

    def at(self, moment: datetime) -> CommandContext:
        return replace(self.ctx, business_time=moment)

    def load(self) -> int:
        """Load everything; return how many events were written (0 when already loaded)."""
        written = sum(self._organisation(o) for o in self.data["organisations"])
        written += sum(self._contact(c) for c in self.data["contacts"])
        written += self._partnership(self.data["partnership"])
        for step in self.data["steps"]:
            written += getattr(self, f"_{step['do']}")(step)
        return written

    def _organisation(self, org: dict[str, Any]) -> int:
        fields = {k: v for k, v in org.items() if k != "key"}
        event = OrganisationRegistered(organisation_id=demo_id(org["key"]), **fields)
        ctx = self.at(datetime(2015, 8, 1, 9, tzinfo=ZoneInfo("Europe/London")))
        return len(organisations.register_organisation(ctx, event))

    def _contact(self, person: dict[str, Any]) -> int:
        fields = {k: v for k, v in person.items() if k not in ("key", "roles")}
        contact_id = demo_id(person["key"])
        ctx = self.at(datetime(2015, 8, 1, 9, tzinfo=ZoneInfo("Europe/London")))
        written = len(
            contacts.register_contact(ctx, ContactRegistered(contact_id=contact_id, **fields))
        )
        state = contacts.load_contact(ctx, contact_id)
        for n, role in enumerate(person["roles"]):
            role_id = demo_id(f"{person['key']}-role-{n}")
            if role_id in state.roles:
                continue
            event = ContactRoleAssigned(
                contact_id=contact_id,
                role_id=role_id,
                organisation_id=demo_id(role["org"]),
                title=role["title"],
                since=date.fromisoformat(role["since"]) if role["since"] else None,
            )
            written += len(contacts.assign_role(ctx, event))
        return written

    def _partnership(self, data: dict[str, Any]) -> int:
        event = PartnershipFormed(
            partnership_id=self.partnership,
            name=data["name"],
            our_organisation_id=demo_id(data["ours"]),
            counterpart_organisation_id=demo_id(data["counterpart"]),
            kind=data["kind"],
            sectors=tuple(data["sectors"]),
            owner_email=self.data["owner_email"],
        )
        ctx = self.at(datetime.fromisoformat(data["formed"]))
        return len(partnerships.form_partnership(ctx, event))

    def _mission(self, step: dict[str, Any]) -> int:
        zone = step["timezone"]
        event = MissionPlanned(
            mission_id=demo_id(step["key"]),
            name=step["name"],
            direction=step["direction"],
            starts=When(day=date.fromisoformat(step["start"]), timezone=zone),
            ends=When(day=date.fromisoformat(step["end"]), timezone=zone),
            places=(Place(name=step["place"], timezone=zone),),
            partnership_ids=(self.partnership,),
            participants=tuple(
                MissionParticipant(contact_id=demo_id(who), role=role, precedence=rank)
                for rank, (who, role) in enumerate(step["participants"], 1)
            ),
        )
        ctx = self.at(datetime.fromisoformat(step["recorded"]))
        return len(missions.handle(ctx, event, missions.decide_plan))

    def _meeting(self, step: dict[str, Any]) -> int:
        held = datetime.fromisoformat(step["held"]).replace(tzinfo=ZoneInfo(step["timezone"]))
        event = InteractionLogged(
            interaction_id=demo_id(step["key"]),
            kind=step["kind"],
            held_at=held,
            timezone=step["timezone"],
            place=step["place"],
            participants=tuple(Person(contact_id=demo_id(who)) for who in step["with"]),
            partnership_id=self.partnership,
            mission_id=demo_id(step["mission"]) if step.get("mission") else None,
            subject=step["subject"],
            summary=step["summary"],
            outcomes=tuple(step["outcomes"]),
        )
        return len(interactions.log_interaction(self.at(held), event))

    def _status(self, step: dict[str, Any]) -> int:
        state, _ = _partnership_state(self.ctx, self.partnership)
        if state.status == step["status"] or state.status == "active":
            return 0
        event = PartnershipStatusChanged(
            partnership_id=self.partnership,
            status=step["status"],
            reason=step["reason"],
            effective_on=date.fromisoformat(step["on"]),
        )
        ctx = self.at(_midday(step["on"], "Europe/London"))
        return len(partnerships.change_status(ctx, event))

    def _sign(self, step: dict[str, Any]) -> int:
        zone = step["timezone"]
        event = AgreementSigned(
            agreement_id=demo_id(step["key"]),
            partnership_id=self.partnership,
            title=step["title"],
            kind=step["kind"],
            signed_on=date.fromisoformat(step["on"]),
            place=step["place"],
            timezone=zone,
            signatories=tuple(Person(contact_id=demo_id(w)) for w in step["signatories"]),
            witnesses=tuple(Person(contact_id=demo_id(w)) for w in step["witnesses"]),
            sectors=tuple(self.data["partnership"]["sectors"]),
            expires_on=date.fromisoformat(step["expires"]),
        )
        return len(agreements.sign_agreement(self.at(_midday(step["on"], zone)), event))

    def _followup(self, step: dict[str, Any]) -> int:
        links = tuple(
            Link(kind="partnership", id=self.partnership)
            if ref == "partnership"
            else Link(kind="mission", id=demo_id(ref))
            for ref in step["about"]
        )
        followup_id = demo_id(step["key"])
        event = FollowUpOpened(
            followup_id=followup_id,
            text=step["text"],
            owner_email=self.data["owner_email"],
            due=When(day=date.fromisoformat(step["due"]), timezone="Europe/London"),
            links=links,
        )
        ctx = self.at(datetime.fromisoformat(step["recorded"]))
        written = len(followups.handle(ctx, event, followups.decide_open))
        if step.get("done"):
            state, _ = followups_state(ctx, followup_id)
            if state.status == "open":
                done = self.at(datetime.fromisoformat(step["done"]))
                completed = FollowUpCompleted(followup_id=followup_id)
                written += len(followups.handle(done, completed, followups.decide_complete))
        return written


def _partnership_state(ctx: CommandContext, partnership_id: UUID) -> tuple[Any, int]:

    return load(
        ctx,
        stream_id("partnership", partnership_id),
        partnerships.evolve,
        partnerships.Partnership(),
    )


def followups_state(ctx: CommandContext, followup_id: UUID) -> tuple[Any, int]:

    return load(ctx, stream_id("followup", followup_id), followups.evolve, followups.FollowUp())
