"""Events and stores for the store tests: a private registry, so tests own their types."""

from __future__ import annotations

from uuid import UUID, uuid4

from events.connect import open_store
from events.event import Event, OptionalPersonalText, PersonalText, PersonalTexts
from events.registry import EventRegistry
from events.sql_store import SqlEventStore
from tests.conftest import T0

sample_registry = EventRegistry()


@sample_registry.register
class NoteTaken(Event):
    """A note was taken (a test event without personal data)."""

    text: str


@sample_registry.register
class PersonMet(Event):
    """A person was met (a test event with personal data)."""

    subject_field = "person_id"

    person_id: UUID
    name: PersonalText
    emails: PersonalTexts = ()
    phone: OptionalPersonalText = None
    place: str = "Kunming"


def open_sample_store(url: str) -> SqlEventStore:
    """Open a store that knows the sample events, with the clock fixed at T0."""
    return open_store(url, clock=lambda: T0, event_registry=sample_registry)


def person(name: str = "Zhao Xuenong", email: str = "zhao@example.cn") -> PersonMet:
    """A person-met event with a fresh subject."""
    return PersonMet(person_id=uuid4(), name=name, emails=(email,), phone="+86 871 0000 0000")
