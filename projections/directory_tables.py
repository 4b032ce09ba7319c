"""The directory's tables (see `projections.directory` for what they hold and how to read them)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Index, MetaData, String, Table, Text

metadata = MetaData()

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
