"""People with the titles they held on a given day."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from events.vocabulary import ERASED
from projections.directory import Role, get_entry, roles_of
from projections.names import display_name

if TYPE_CHECKING:
    from events.reader import Readable


def contact_name(data: dict[str, Any], *, honorific: bool = False) -> str:
    """A contact's name in their own order, "[erased]" once they have been forgotten."""
    family = data.get("family_name") or ""
    if family == ERASED:
        return ERASED
    return display_name(
        family,
        data.get("given_name") or "",
        family_first=bool(data.get("family_name_first")),
        honorific=(data.get("honorific") or None) if honorific else None,
    )


def role_on(roles: list[Role], day: date, prefer: tuple[str, ...] = ()) -> Role | None:
    """The role to show for a day: one at a preferred organisation if held, else the oldest."""
    held = [r for r in roles if r.covers(day)]
    for role in held:
        if role.organisation_id in prefer:
            return role
    return held[0] if held else None


def titled(conn: Readable, contact_id: str, day: date, prefer: tuple[str, ...] = ()) -> str:
    """ "Vice Mayor Zhao Xuenong (Kunming Municipal People's Government)" as of a day."""
    entry = get_entry(conn, contact_id)
    name = contact_name(entry.data, honorific=True) if entry else f"unknown ({contact_id[:8]})"
    role = role_on(roles_of(conn, [contact_id]), day, prefer)
    if role is None:
        return name
    org = get_entry(conn, role.organisation_id)
    return f"{name}, {role.title}" + (f", {org.label}" if org else "")


def people_at(conn: Readable, organisation_id: str, day: date) -> list[str]:
    """Who holds a title at an organisation on a day."""
    from projections.directory import entries_by_id, roles_at

    held = [role for role in roles_at(conn, organisation_id) if role.covers(day)]
    entries = entries_by_id(conn, [role.contact_id for role in held])
    names = []
    for role in held:
        entry = entries.get(role.contact_id)
        if entry is not None and not entry.is_retracted:
            names.append(f"{role.title}: {contact_name(entry.data)}")
    return names
