"""The timeline's tables (see `projections.timeline` for what they hold and how to read them)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, MetaData, String, Table, Text

metadata = MetaData()

timeline_entries = Table(
    "timeline_entries",
    metadata,
    Column("row_id", String(36), primary_key=True),
    Column("entry_id", String(36), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("occurred_utc", String(40), nullable=False),
    Column("occurred_local", String(40), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("title", Text, nullable=False),
    Column("data", Text, nullable=False),
    Column("links", Text, nullable=False),
    # {"ref id": "ref kind"} as JSON: `timeline_links` holds the same pairs, keyed for lookups.
    Column("original", Text),
    # The data as first recorded; NULL until a revision changes `data`.
    Column("search_text", Text, nullable=False),
    Column("is_corrected", Boolean, nullable=False),
    Column("is_retracted", Boolean, nullable=False),
)

timeline_links = Table(
    "timeline_links",
    metadata,
    Column("ref_id", String(36), primary_key=True),
    Column("row_id", String(36), primary_key=True),
    Column("ref_kind", String(20), nullable=False),
    Column("touch_at", String(40)),
    # When the linked row counts as a touch (an interaction or signing, not retracted): its
    # time, so last touches come from this table alone. Every column follows from the row's
    # own, so a rebuild fills this table from timeline_entries at the end, in key order.
    sqlite_with_rowid=False,  # small rows keyed by text: one b-tree, not two
)

timeline_revisions = Table(
    "timeline_revisions",
    metadata,
    Column("row_id", String(36), primary_key=True),
    Column("position", BigInteger, primary_key=True),
    Column("action", String(20), nullable=False),
    Column("changes", Text, nullable=False),
    Column("reason", Text),
)

timeline_last_touch = Table(
    "timeline_last_touch",
    metadata,
    Column("ref_id", String(36), primary_key=True),
    Column("ref_kind", String(20), nullable=False),
    Column("at_utc", String(40), nullable=False),
    sqlite_with_rowid=False,  # small rows keyed by text: one b-tree, not two
)
"""When each contact, organisation and partnership last took part in an interaction or signing."""

timeline_subjects = Table(
    "timeline_subjects",
    metadata,
    Column("subject_id", String(36), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("links", Text, nullable=False),
    Column("corrections", Text, nullable=False),
    # The ids of this entry's correction rows, ";"-joined: what an erasure revisits.
)
"""Entries that are not rows themselves (contacts, organisations, partnerships): what a
correction of one links to. No names here: personal data stays in the directory."""
