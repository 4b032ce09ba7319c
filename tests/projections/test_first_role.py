"""A first role recorded in the registration reads exactly as one assigned after it."""

from __future__ import annotations

import json
from datetime import date
from uuid import UUID

from crm.commands import contacts
from events.codec import PayloadCodec
from events.database import read_transaction
from events.registry import registry
from events.schemas.contacts import ContactRegistered, ContactRoleAssigned, FirstRole
from projections.directory import get_entry, roles_of
from projections.runner import ProjectionRunner
from tests.conftest import T0
from tests.projections.scenario import context

KUNMING = UUID("00000000-0000-4000-8000-00000000000a")


def _register(runner: ProjectionRunner, n: int, *, embedded: bool) -> str:
    contact_id = UUID(int=1000 + n)
    person = ContactRegistered(contact_id=contact_id, family_name="Zhao", given_name=f"X{n}")
    role = ContactRoleAssigned(
        contact_id=contact_id,
        role_id=UUID(int=2000 + n),
        organisation_id=KUNMING,
        title="Vice Mayor",
        since=date(2015, 1, 1),
    )
    ctx = context(runner.store, T0)
    if embedded:
        first = FirstRole(**role.model_dump(exclude={"contact_id"}))
        contacts.register_contact(ctx, person.model_copy(update={"first_role": first}))
    else:
        contacts.register_contact(ctx, person)
        contacts.assign_role(ctx, role)
    runner.catch_up()
    return str(contact_id)


def test_the_directory_holds_the_same_entry_and_role_either_way(runner: ProjectionRunner) -> None:
    embedded = _register(runner, 1, embedded=True)
    separate = _register(runner, 2, embedded=False)

    with read_transaction(runner.store.engine) as conn:
        entries = [get_entry(conn, i) for i in (embedded, separate)]
        roles = [roles_of(conn, [i]) for i in (embedded, separate)]

    first, second = (e.data if e else {} for e in entries)
    assert first, "the contact registered with its role is in the directory"
    assert "first_role" not in first, "the role is a row of directory_roles, not entry data"
    assert first == {**second, "contact_id": embedded, "given_name": "X1"}
    shapes = [[(r.organisation_id, r.title, r.since, r.until) for r in found] for found in roles]
    assert shapes[0] == shapes[1] == [(str(KUNMING), "Vice Mayor", date(2015, 1, 1), None)]


def test_a_registration_stored_before_first_roles_existed_decodes_without_one() -> None:
    """Version 1 payloads have no `first_role`: the upcaster reads them as having none."""
    contact_id = "00000000-0000-4000-8000-0000000003e9"
    stored = json.dumps({"contact_id": contact_id, "family_name": "Li", "given_name": "Wei"})

    event, erased = PayloadCodec(registry).decode(
        "ContactRegistered", 1, stored, "event-1", lambda subject: None
    )

    assert isinstance(event, ContactRegistered)
    assert (event.family_name, event.first_role, erased) == ("Li", None, False)
    assert ContactRegistered.schema_version == 2
