"""The directory: every entry by kind with its current data, its names, and contacts' roles.

Its tables are in `projections.directory_tables`; reading them needs no SQLAlchemy.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from events.reader import placeholders, reader_of
from events.vocabulary import ERASED
from projections.names import display_name, name_key

if TYPE_CHECKING:
    from events.reader import Readable

VERSION = 2
"""The shape and content of these tables: a change rebuilds them on first use.

2: a new entry's data is pydantic's compact JSON
3: a changed entry's data is orjson's compact JSON
"""


def label_of(kind: str, data: dict[str, Any]) -> str:
    """The one-line name an entry is listed and shown under."""
    if kind == "contact":
        return display_name(
            data.get("family_name", ""),
            data.get("given_name", ""),
            family_first=bool(data.get("family_name_first")),
        )
    for field in ("name", "subject", "title", "text"):
        if data.get(field):
            return str(data[field])
    return kind


def names_of(kind: str, data: dict[str, Any]) -> set[str]:
    """Every name an entry can be referred to by, in comparable form."""
    if kind == "contact":
        family, given = data.get("family_name", ""), data.get("given_name", "")
        raw = [
            f"{family} {given}",
            f"{given} {family}",
            data.get("native_name"),
            data.get("preferred_name"),
            *data.get("emails", ()),
        ]
    elif kind == "organisation":
        raw = [data.get("name"), data.get("native_name"), *data.get("aliases", ())]
    else:
        raw = [label_of(kind, data)]
    keys = {name_key(str(r)) for r in raw if r and r != ERASED}
    keys.discard("")
    keys.discard(_ERASED_KEY)
    return keys


_ERASED_KEY = name_key(ERASED)
"""Made once: `names_of` runs for every entry an import creates."""


# -- queries ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryEntry:
    """One entry as listed: its kind, id, label and current data."""

    entry_id: str
    kind: str
    label: str
    data: dict[str, Any]
    created_position: int
    is_retracted: bool


_ENTRY = "SELECT entry_id, kind, label, data, created_position, is_retracted FROM directory_entries"


def _entry(row: tuple[Any, ...]) -> DirectoryEntry:
    entry_id, kind, label, data, position, is_retracted = row
    return DirectoryEntry(entry_id, kind, label, json.loads(data), position, bool(is_retracted))


def get_entry(conn: Readable, entry_id: str) -> DirectoryEntry | None:
    """One entry by its full id."""
    rows = reader_of(conn).rows(f"{_ENTRY} WHERE entry_id = :id", {"id": entry_id})
    return _entry(rows[0]) if rows else None


def entries_by_id(conn: Readable, entry_ids: Sequence[str]) -> dict[str, DirectoryEntry]:
    """The entries with these ids (retracted ones too), by id: one query for any number."""
    if not entry_ids:
        return {}
    reader = reader_of(conn)
    member, params = reader.member_of("entry_id", "ids", set(entry_ids))
    return {row[0]: _entry(row) for row in reader.rows(f"{_ENTRY} WHERE {member}", params)}


def list_entries(
    conn: Readable, kind: str, *, include_retracted: bool = False
) -> list[DirectoryEntry]:
    """Every entry of a kind, by label."""
    current = "" if include_retracted else " AND is_retracted = false"
    sql = f"{_ENTRY} WHERE kind = :kind{current} ORDER BY label, entry_id"
    return [_entry(row) for row in reader_of(conn).rows(sql, {"kind": kind})]


def entries_with_id_prefix(
    conn: Readable, kinds: Sequence[str], prefix: str
) -> list[DirectoryEntry]:
    """Current entries of these kinds whose id starts with `prefix`."""
    reader = reader_of(conn)
    # `kind || ''` keeps SQLite (which has no statistics here) from reading every entry of
    # these kinds through the (kind, label) index instead of the key's few ids in range: 47 ms
    # on a store of 20,000 contacts, for every reference typed as an id.
    kind = "kind || ''" if reader.dialect == "sqlite" else "kind"
    listed, params = placeholders("kind", kinds)
    starts, more = reader.starts_with("entry_id", "prefix", prefix)
    sql = f"{_ENTRY} WHERE {kind} IN ({listed}) AND {starts} AND is_retracted = false LIMIT 20"
    return [_entry(row) for row in reader.rows(sql, params | more)]


def name_keys(conn: Readable, kinds: Sequence[str]) -> list[tuple[str, str]]:
    """Every (name key, entry id) of current entries of these kinds."""
    listed, params = placeholders("kind", kinds)
    sql = f"SELECT name_key, entry_id FROM directory_names WHERE kind IN ({listed})"
    return [(key, entry_id) for key, entry_id in reader_of(conn).rows(sql, params)]


@dataclass(frozen=True)
class Role:
    """A title held at an organisation between two days."""

    role_id: str
    contact_id: str
    organisation_id: str
    title: str
    since: date | None
    until: date | None

    def covers(self, day: date) -> bool:
        """Say whether the role was held on a day."""
        return (self.since is None or self.since <= day) and (
            self.until is None or day <= self.until
        )


_ROLE = "SELECT role_id, contact_id, organisation_id, title, since, until FROM directory_roles"


def roles_of(conn: Readable, contact_ids: Sequence[str]) -> list[Role]:
    """Every role of these contacts, oldest first."""
    if not contact_ids:
        return []
    reader = reader_of(conn)
    member, params = reader.member_of("contact_id", "ids", contact_ids)
    sql = f"{_ROLE} WHERE {member} ORDER BY since, role_id"
    return [_role(row) for row in reader.rows(sql, params)]


def roles_by_contact(conn: Readable, contact_ids: Sequence[str]) -> dict[str, list[Role]]:
    """Every role of each of these contacts, oldest first (one query for any number)."""
    found: dict[str, list[Role]] = {i: [] for i in contact_ids}
    for role in roles_of(conn, list(found)):
        found[role.contact_id].append(role)
    return found


def roles_at(conn: Readable, organisation_id: str) -> list[Role]:
    """Every role held at an organisation, oldest first."""
    sql = f"{_ROLE} WHERE organisation_id = :org ORDER BY since, role_id"
    return [_role(row) for row in reader_of(conn).rows(sql, {"org": organisation_id})]


def _role(row: tuple[Any, ...]) -> Role:
    role_id, contact_id, organisation_id, title, since, until = row
    return Role(
        role_id,
        contact_id,
        organisation_id,
        title,
        date.fromisoformat(since) if since else None,
        date.fromisoformat(until) if until else None,
    )


def ids_named(conn: Readable, kinds: Sequence[str], key: str) -> list[str]:
    """Ids of current entries of these kinds with exactly this name key (indexed)."""
    listed, params = placeholders("kind", kinds)
    sql = f"SELECT entry_id FROM directory_names WHERE kind IN ({listed}) AND name_key = :key"
    return sorted({row[0] for row in reader_of(conn).rows(sql, params | {"key": key})})
