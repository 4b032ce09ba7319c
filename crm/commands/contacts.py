"""Contacts and their roles over time: register, assign a title, end a role."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from uuid import UUID

from crm.commands.context import CommandContext
from crm.commands.revisions import corrected
from crm.commands.streams import append, load, stream_id
from crm.errors import CommandRejectedError
from events.envelope import RecordedEvent
from events.event import Event
from events.schemas.contacts import (
    ContactForgotten,
    ContactRegistered,
    ContactRoleAssigned,
    ContactRoleEnded,
    FirstRole,
)
from events.schemas.corrections import EntryCorrected, EntryRetracted


def held_on(role: ContactRoleAssigned, day: date) -> bool:
    """Say whether a role covers a day (open ends run forever)."""
    return (role.since is None or role.since <= day) and (role.until is None or day <= role.until)


@dataclass(frozen=True)
class Contact:
    """A person as their stream tells it, with every role they have held."""

    registered: ContactRegistered | None = None
    first: ContactRegistered | None = field(default=None, compare=False)
    """The entry as first recorded, before corrections: what a retried command matches."""
    roles: dict[UUID, ContactRoleAssigned] = field(default_factory=dict)
    is_retracted: bool = False
    is_forgotten: bool = False

    def roles_on(self, day: date) -> list[ContactRoleAssigned]:
        """The roles held on a day, longest-held first."""
        held = [
            role
            for role in self.roles.values()
            if (role.since is None or role.since <= day)
            and (role.until is None or day <= role.until)
        ]
        return sorted(held, key=lambda role: role.since or date.min)

    def role_on(
        self, day: date, preferred_orgs: tuple[UUID, ...] = ()
    ) -> ContactRoleAssigned | None:
        """The role to show for a day: one at a preferred organisation if any, else the first."""
        held = self.roles_on(day)
        for role in held:
            if role.organisation_id in preferred_orgs:
                return role
        return held[0] if held else None


def evolve(state: Contact, event: Event) -> Contact:
    """Fold one event into the contact."""
    match event:
        case ContactRegistered():
            role = event.role_assigned()
            roles = {role.role_id: role} if role else {}
            return replace(state, registered=event, first=event, roles=roles)
        case ContactRoleAssigned():
            return replace(state, roles={**state.roles, event.role_id: event})
        case ContactRoleEnded() if event.role_id in state.roles:
            ended = state.roles[event.role_id].model_copy(update={"until": event.until})
            return replace(state, roles={**state.roles, event.role_id: ended})
        case EntryCorrected() if state.registered is not None:
            return replace(state, registered=corrected(state.registered, event))
        case EntryRetracted():
            return replace(state, is_retracted=True)
        case ContactForgotten():
            return replace(state, is_forgotten=True)
    return state


def _require_current(state: Contact, contact_id: UUID) -> None:
    if state.registered is None:
        raise CommandRejectedError(f"contact {contact_id} does not exist")
    if state.is_forgotten:
        raise CommandRejectedError(f"contact {contact_id} has been erased")
    if state.is_retracted:
        raise CommandRejectedError(f"contact {contact_id} was retracted")


def decide_register(
    cmd: ContactRegistered, state: Contact, duplicate_of: str | None
) -> list[Event]:
    """Register a person (with their first role), unless they are already in the directory."""
    if state.registered is not None:
        if state.first == cmd:
            return []
        raise CommandRejectedError(f"contact {cmd.contact_id} already exists")
    if duplicate_of is not None:
        raise CommandRejectedError(f"this looks like an existing contact: {duplicate_of}")
    if cmd.first_role is not None:
        _check_span(cmd.first_role)
    return [cmd]


def _check_span(role: ContactRoleAssigned | FirstRole) -> None:
    if role.since and role.until and role.until < role.since:
        raise CommandRejectedError(f"the role ends ({role.until}) before it starts ({role.since})")


def decide_assign_role(cmd: ContactRoleAssigned, state: Contact) -> list[Event]:
    """Record a title held from a day; an open role at the same organisation ends the day before."""
    _require_current(state, cmd.contact_id)
    _check_span(cmd)
    if cmd.role_id in state.roles:
        raise CommandRejectedError(f"role {cmd.role_id} already exists")
    return _role_change(cmd, state)


def _role_change(cmd: ContactRoleAssigned, state: Contact) -> list[Event]:
    ended: list[Event] = []
    if cmd.since is not None:
        for role in state.roles.values():
            same_org = role.organisation_id == cmd.organisation_id
            open_before = role.until is None and (role.since is None or role.since < cmd.since)
            if same_org and open_before:
                ended.append(
                    ContactRoleEnded(
                        contact_id=cmd.contact_id,
                        role_id=role.role_id,
                        until=cmd.since - timedelta(days=1),
                    )
                )
    return [*ended, cmd]


def decide_end_role(cmd: ContactRoleEnded, state: Contact) -> list[Event]:
    """End a role on a day (not before it began)."""
    _require_current(state, cmd.contact_id)
    role = state.roles.get(cmd.role_id)
    if role is None:
        raise CommandRejectedError(f"role {cmd.role_id} does not exist")
    if role.since is not None and cmd.until < role.since:
        raise CommandRejectedError(f"the role began on {role.since}, after {cmd.until}")
    return [cmd]


def decide_forget(cmd: ContactForgotten, state: Contact) -> list[Event]:
    """Erase a person: once, and only a person who exists."""
    if state.registered is None:
        raise CommandRejectedError(f"contact {cmd.contact_id} does not exist")
    if state.is_forgotten:
        raise CommandRejectedError(f"contact {cmd.contact_id} has been erased already")
    return [cmd]


def register_contact(
    ctx: CommandContext, cmd: ContactRegistered, duplicate_of: str | None = None
) -> list[RecordedEvent[Event]]:
    """Handle: load, decide, append."""
    stream = stream_id("contact", cmd.contact_id)
    state, version = load(ctx, stream, evolve, Contact())
    return append(ctx, stream, decide_register(cmd, state, duplicate_of), version)


def assign_role(ctx: CommandContext, cmd: ContactRoleAssigned) -> list[RecordedEvent[Event]]:
    """Handle: load, decide, append."""
    stream = stream_id("contact", cmd.contact_id)
    state, version = load(ctx, stream, evolve, Contact())
    return append(ctx, stream, decide_assign_role(cmd, state), version)


def end_role(ctx: CommandContext, cmd: ContactRoleEnded) -> list[RecordedEvent[Event]]:
    """Handle: load, decide, append."""
    stream = stream_id("contact", cmd.contact_id)
    state, version = load(ctx, stream, evolve, Contact())
    return append(ctx, stream, decide_end_role(cmd, state), version)


def load_contact(ctx: CommandContext, contact_id: UUID) -> Contact:
    """The current state of one contact."""
    return load(ctx, stream_id("contact", contact_id), evolve, Contact())[0]
