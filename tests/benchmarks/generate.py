"""A generated, realistic store: partnerships, people with roles, years of interactions.

Shape per 1,000,000 events: about 2,000 partnerships, 20,000 contacts with roles, 10,000
missions, 100,000 follow-ups (most completed) and the rest interactions; one partnership
("Busy partnership") carries 5,000 timeline entries.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from events.envelope import PendingEvent, StreamWrite
from events.event import Event
from events.schemas.agreements import AgreementSigned
from events.schemas.contacts import ContactRegistered, ContactRoleAssigned
from events.schemas.followups import FollowUpCompleted, FollowUpOpened
from events.schemas.interactions import InteractionLogged
from events.schemas.missions import MissionPlanned, Place
from events.schemas.organisations import OrganisationRegistered
from events.schemas.partnerships import PartnershipFormed
from events.schemas.values import Link, Person, When
from events.sql_store import SqlEventStore

KINDS = ("meeting", "meeting", "call", "email", "email", "message", "banquet", "site_visit")
ZONES = ("Europe/London", "Asia/Shanghai", "America/New_York", "Europe/Berlin", "Asia/Tokyo")
START = datetime(2019, 1, 1, 9, tzinfo=UTC)
SUMMARY = (
    "Discussed cooperation in trade and investment, the next delegation visit and a joint "
    "education programme; agreed to exchange contact lists and draft an action plan. "
)


@dataclass
class Generated:
    """Ids of the generated store, for the queries the benchmark runs."""

    events: int = 0
    busy_partnership: UUID | None = None
    partnerships: list[UUID] = field(default_factory=list)
    contacts: list[UUID] = field(default_factory=list)
    today: date = date(2026, 3, 2)


def _directory(
    total: int, rng: random.Random, out: Generated
) -> Iterator[tuple[str, Event, datetime]]:
    scale = total / 1_000_000
    n_partnerships = max(3, int(2_000 * scale))
    n_contacts = max(10, int(20_000 * scale))
    ours = uuid4()
    yield (
        f"organisation-{ours}",
        OrganisationRegistered(organisation_id=ours, name="Our City Council", is_ours=True),
        START,
    )
    orgs = []
    for i in range(n_partnerships):
        org = uuid4()
        orgs.append(org)
        registered = OrganisationRegistered(
            organisation_id=org,
            name=f"City {i} Government",
            kind="city_government",
            timezone=rng.choice(ZONES),
            city=f"City {i}",
        )
        yield f"organisation-{org}", registered, START
    for i in range(n_contacts):
        contact = uuid4()
        out.contacts.append(contact)
        person = ContactRegistered(
            contact_id=contact,
            family_name=f"Family{i}",
            given_name=f"Given{i}",
            emails=(f"person{i}@city{i % n_partnerships}.example",),
        )
        yield f"contact-{contact}", person, START
        role = ContactRoleAssigned(
            contact_id=contact,
            role_id=uuid4(),
            organisation_id=orgs[i % n_partnerships],
            title=rng.choice(["Vice Mayor", "Director", "Deputy Director", "Officer"]),
            since=date(2015, 1, 1),
        )
        yield f"contact-{contact}", role, START
    for i, org in enumerate(orgs):
        partnership = uuid4()
        out.partnerships.append(partnership)
        formed = PartnershipFormed(
            partnership_id=partnership,
            name=f"Partnership {i}" if i else "Busy partnership",
            our_organisation_id=ours,
            counterpart_organisation_id=org,
            owner_email=f"owner{i % 20}@council.example",
        )
        yield f"partnership-{partnership}", formed, START
    out.busy_partnership = out.partnerships[0]


def _activity(
    budget: int, rng: random.Random, out: Generated
) -> Iterator[tuple[str, Event, datetime]]:
    n = len(out.partnerships)
    span_minutes = ((out.today - START.date()).days + 180) * 24 * 60
    busy_every = max(1, budget // 5_000)
    for i in range(budget):
        moment = START + timedelta(minutes=rng.randrange(span_minutes))
        index = 0 if i % busy_every == 0 else rng.randrange(n)
        partnership = out.partnerships[index]
        people = tuple(
            Person(contact_id=out.contacts[(index + k * n) % len(out.contacts)])
            for k in range(rng.randint(1, 3))
        )
        yield from _one(rng, moment, partnership, people, i)


def _one(
    rng: random.Random, moment: datetime, partnership: UUID, people: tuple[Person, ...], i: int
) -> Iterator[tuple[str, Event, datetime]]:
    roll = rng.random()
    if roll < 0.05:
        followup = uuid4()
        due = When(
            day=(moment + timedelta(days=rng.randint(1, 60))).date(), timezone="Europe/London"
        )
        opened = FollowUpOpened(
            followup_id=followup,
            text="Send the programme",
            owner_email="officer@council.example",
            due=due,
            links=(Link(kind="partnership", id=partnership),),
        )
        yield f"followup-{followup}", opened, moment
        if rng.random() < 0.8:
            done = FollowUpCompleted(followup_id=followup)
            yield f"followup-{followup}", done, moment + timedelta(days=3)
    elif roll < 0.06:
        mission = uuid4()
        zone = rng.choice(ZONES)
        starts = When(day=(moment + timedelta(days=30)).date(), timezone=zone)
        planned = MissionPlanned(
            mission_id=mission,
            name="Delegation visit",
            direction=rng.choice(["inbound", "outbound"]),
            starts=starts,
            ends=starts.model_copy(update={"day": starts.day + timedelta(days=3)}),
            places=(Place(name="City", timezone=zone),),
            partnership_ids=(partnership,),
        )
        yield f"mission-{mission}", planned, moment
    elif roll < 0.062:
        agreement = uuid4()
        signed = AgreementSigned(
            agreement_id=agreement,
            partnership_id=partnership,
            title="Memorandum of Understanding",
            signed_on=moment.date(),
            place="City Hall",
            timezone="UTC",
            signatories=people,
            expires_on=moment.date() + timedelta(days=365 * 3),
        )
        yield f"agreement-{agreement}", signed, moment
    else:
        interaction = uuid4()
        logged = InteractionLogged(
            interaction_id=interaction,
            kind=rng.choice(KINDS),
            held_at=moment,
            timezone="UTC",
            place="City Hall",
            participants=people,
            partnership_id=partnership,
            subject=f"Partnership follow-up {i}",
            summary=SUMMARY,
        )
        yield f"interaction-{interaction}", logged, moment


def generate(store: SqlEventStore, total: int, seed: int = 7, chunk: int = 5_000) -> Generated:
    """Append about `total` events, in chunks of one transaction each."""
    rng = random.Random(seed)
    out = Generated()
    directory = list(_directory(total, rng, out))
    activity = _activity(max(0, total - len(directory)), rng, out)
    batch: list[StreamWrite] = []
    for stream, event, moment in (*directory, *activity):
        batch.append(StreamWrite(stream, [PendingEvent(event, moment)], None))
        if len(batch) >= chunk:
            out.events += len(store.append_batch(batch))
            batch = []
    if batch:
        out.events += len(store.append_batch(batch))
    return out
