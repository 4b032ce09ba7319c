"""Events of the contact stream: a person, their details (sealed) and the roles they hold."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from events.event import Event, OptionalPersonalText, PersonalText, PersonalTexts
from events.registry import registry
from events.schemas.values import Value


class FirstRole(Value):
    """The title a person held when they were added: most people arrive with one.

    Part of the registration, not an event of its own, so the one fact is one event (a
    10,000-row import writes 10,000 events, not 20,000). It reads as a `ContactRoleAssigned`.
    """

    role_id: UUID
    organisation_id: UUID
    title: str
    since: date | None = None
    until: date | None = None


@registry.register
class ContactRegistered(Event):
    """A person was added; their personal details are sealed under their own key."""

    schema_version = 2
    subject_field = "contact_id"

    contact_id: UUID
    family_name: PersonalText
    given_name: PersonalText = ""
    family_name_first: bool = False
    native_name: OptionalPersonalText = None
    preferred_name: OptionalPersonalText = None
    honorific: OptionalPersonalText = None
    emails: PersonalTexts = ()
    phones: PersonalTexts = ()
    notes: OptionalPersonalText = None
    languages: tuple[str, ...] = ()
    timezone: str | None = None
    tags: tuple[str, ...] = ()
    first_role: FirstRole | None = None

    def role_assigned(self) -> ContactRoleAssigned | None:
        """The first role as the assignment it stands for (None when registered without)."""
        role = self.first_role
        if role is None:
            return None
        return ContactRoleAssigned(contact_id=self.contact_id, **dict(role))


@registry.upcaster("ContactRegistered", from_version=1)
def _registered_v1(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 had no `first_role`: a first title came as a `ContactRoleAssigned` after it.

    The version tells an older crm that meets a version 2 event to upgrade, rather than report
    a payload it cannot decode."""
    return {**data, "first_role": None}


@registry.register
class ContactRoleAssigned(Event):
    """A contact held a title at an organisation from one day (open-ended unless `until`)."""

    contact_id: UUID
    role_id: UUID
    organisation_id: UUID
    title: str
    since: date | None = None
    until: date | None = None


@registry.register
class ContactRoleEnded(Event):
    """A contact stopped holding a role on a day."""

    contact_id: UUID
    role_id: UUID
    until: date


@registry.register
class ContactForgotten(Event):
    """A person's key was deleted on request; who and why are kept, never what."""

    contact_id: UUID
    reason: str
