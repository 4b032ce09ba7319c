"""The directory: every entry by kind with its current data, its names, and contacts' roles."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    Connection,
    Index,
    MetaData,
    String,
    Table,
    Text,
    select,
)

from events.database import member_of
from events.vocabulary import ERASED
from projections.ids import id_starts_with
from projections.names import display_name, name_key

metadata = MetaData()

VERSION = 2
"""The shape and content of these tables: a change rebuilds them on first use.

2: a new entry's data is pydantic's compact JSON
"""

directory_entries = Table(
    "directory_entries",
    metadata,
    Column("entry_id", String(36), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("label", Text, nullable=False),
    Column("data", Text, nullable=False),
    Column("created_position", BigInteger, nullable=False),
    Column("is_retracted", Boolean, nullable=False),
)
Index("ix_directory_entries_kind_label", directory_entries.c.kind, directory_entries.c.label)

directory_names = Table(
    "directory_names",
    metadata,
    Column("entry_id", String(36), primary_key=True),
    Column("name_key", Text, primary_key=True),
    Column("kind", String(20), nullable=False),
    sqlite_with_rowid=False,  # small rows keyed by text: one b-tree, not two
)
Index("ix_directory_names_kind_key", directory_names.c.kind, directory_names.c.name_key)

directory_roles = Table(
    "directory_roles",
    metadata,
    Column("role_id", String(36), primary_key=True),
    Column("contact_id", String(36), nullable=False),
    Column("organisation_id", String(36), nullable=False),
    Column("title", Text, nullable=False),
    Column("since", String(10)),
    Column("until", String(10)),
)
Index("ix_directory_roles_contact", directory_roles.c.contact_id)
Index("ix_directory_roles_organisation", directory_roles.c.organisation_id)


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
    keys.discard(name_key(ERASED))
    return keys


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


def _entry(row: Any) -> DirectoryEntry:
    return DirectoryEntry(
        row.entry_id,
        row.kind,
        row.label,
        json.loads(row.data),
        row.created_position,
        bool(row.is_retracted),
    )


def get_entry(conn: Connection, entry_id: str) -> DirectoryEntry | None:
    """One entry by its full id."""
    query = select(directory_entries).where(directory_entries.c.entry_id == entry_id)
    row = conn.execute(query).first()
    return None if row is None else _entry(row)


def entries_by_id(conn: Connection, entry_ids: Sequence[str]) -> dict[str, DirectoryEntry]:
    """The entries with these ids (retracted ones too), by id: one query for any number."""
    query = select(directory_entries).where(
        member_of(conn, directory_entries.c.entry_id, set(entry_ids))
    )
    return {row.entry_id: _entry(row) for row in conn.execute(query)}


def list_entries(
    conn: Connection, kind: str, *, include_retracted: bool = False
) -> list[DirectoryEntry]:
    """Every entry of a kind, by label."""
    query = (
        select(directory_entries)
        .where(directory_entries.c.kind == kind)
        .order_by(directory_entries.c.label, directory_entries.c.entry_id)
    )
    if not include_retracted:
        query = query.where(directory_entries.c.is_retracted.is_(False))
    return [_entry(row) for row in conn.execute(query)]


def entries_with_id_prefix(
    conn: Connection, kinds: Sequence[str], prefix: str
) -> list[DirectoryEntry]:
    """Current entries of these kinds whose id starts with `prefix`."""
    kind: ColumnElement[str] = directory_entries.c.kind
    if conn.dialect.name == "sqlite":
        # `kind || ''` keeps SQLite (which has no statistics here) from reading every entry
        # of these kinds through the (kind, label) index instead of the key's few ids in
        # range: 47 ms on a store of 20,000 contacts, for every reference typed as an id.
        kind = kind.concat("")
    query = select(directory_entries).where(
        kind.in_(kinds),
        id_starts_with(conn, directory_entries.c.entry_id, prefix),
        directory_entries.c.is_retracted.is_(False),
    )
    return [_entry(row) for row in conn.execute(query.limit(20))]


def name_keys(conn: Connection, kinds: Sequence[str]) -> list[tuple[str, str]]:
    """Every (name key, entry id) of current entries of these kinds."""
    query = select(directory_names.c.name_key, directory_names.c.entry_id).where(
        directory_names.c.kind.in_(kinds)
    )
    return [(row.name_key, row.entry_id) for row in conn.execute(query)]


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


def roles_of(conn: Connection, contact_ids: Sequence[str]) -> list[Role]:
    """Every role of these contacts, oldest first."""
    query = (
        select(directory_roles)
        .where(member_of(conn, directory_roles.c.contact_id, contact_ids))
        .order_by(directory_roles.c.since, directory_roles.c.role_id)
    )
    return [_role(row) for row in conn.execute(query)]


def roles_by_contact(conn: Connection, contact_ids: Sequence[str]) -> dict[str, list[Role]]:
    """Every role of each of these contacts, oldest first (one query for any number)."""
    found: dict[str, list[Role]] = {i: [] for i in contact_ids}
    for role in roles_of(conn, list(found)):
        found[role.contact_id].append(role)
    return found


def roles_at(conn: Connection, organisation_id: str) -> list[Role]:
    """Every role held at an organisation, oldest first."""
    query = (
        select(directory_roles)
        .where(directory_roles.c.organisation_id == organisation_id)
        .order_by(directory_roles.c.since, directory_roles.c.role_id)
    )
    return [_role(row) for row in conn.execute(query)]


def _role(row: Any) -> Role:
    return Role(
        row.role_id,
        row.contact_id,
        row.organisation_id,
        row.title,
        date.fromisoformat(row.since) if row.since else None,
        date.fromisoformat(row.until) if row.until else None,
    )


def ids_named(conn: Connection, kinds: Sequence[str], key: str) -> list[str]:
    """Ids of current entries of these kinds with exactly this name key (indexed)."""
    query = select(directory_names.c.entry_id).where(
        directory_names.c.kind.in_(kinds), directory_names.c.name_key == key
    )
    return sorted({row.entry_id for row in conn.execute(query)})
