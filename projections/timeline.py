"""The timeline: everything that happened in a relationship, linked to whom and what it concerns.

Rows keep their original values and every revision (correction, retraction, reschedule), so
a timeline can be read as it stands now or as it was known at any earlier position.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, time
from functools import lru_cache
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    MetaData,
    String,
    Table,
    Text,
    func,
    select,
)

from events.database import fetch_tuples, member_of
from events.vocabulary import INTERACTION_KINDS
from projections.ids import id_starts_with
from projections.names import name_key

metadata = MetaData()

VERSION = 3
"""The shape and content of these tables: a change rebuilds them on first use.

2: corrections of a forgotten person are retitled as a rebuild after the erasure reads them
3: links as JSON, filled by SQL at the end of a rebuild; subjects list their corrections
"""

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

TOUCH_KINDS = (*INTERACTION_KINDS, "signing")
TOUCHED = ("contact", "partnership", "organisation")

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


@lru_cache(maxsize=65_536)
def id_text(value: UUID) -> str:
    """The text of an id; people and partnerships recur on every row, so it is cached."""
    return str(value)


def pack_links(links: dict[str, str]) -> str:
    """What a row links to, as a JSON object (SQL can unpack it: see `finalize`).

    Written by hand, a rebuild's hottest line: ids and kinds never hold quotes or escapes.
    """
    return "{" + ",".join(f'"{ref}":"{kind}"' for ref, kind in links.items()) + "}"


def unpack_links(text: str) -> dict[str, str]:
    """The links a row holds."""
    links: dict[str, str] = json.loads(text)
    return links


def split_ids(text: str) -> list[str]:
    """The ids of a ";"-joined column ("" holds none)."""
    return text.split(";") if text else []


def touch_of(row: dict[str, Any]) -> str | None:
    """When a row counts as a touch of what it links to: an interaction or signing, while it
    stands (not retracted), at the time it happened. `finalize` states the same in SQL."""
    if row["kind"] in TOUCH_KINDS and not row["is_retracted"]:
        return str(row["occurred_utc"])
    return None


def utc_text(moment: datetime) -> str:
    """A sortable UTC form of an aware moment."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def sorted_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def searchable(*parts: Any) -> str:
    """Text the search command matches against, in comparable form."""
    flat: list[str] = []
    for part in parts:
        if isinstance(part, list | tuple):
            flat.extend(str(p) for p in part)
        elif part:
            flat.append(str(part))
    return name_key(" ".join(flat))


def title_of(row: dict[str, Any], data: dict[str, Any]) -> str:
    """A row's title after a correction (its subject, title or name may have changed)."""
    for field in ("subject", "name", "title"):
        if row["kind"] not in ("followup", "status", "correction") and data.get(field):
            return str(data[field])
    return str(row["title"])


def moment_columns(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """The sort and display time of a row after its data changed (a corrected meeting time)."""
    if kind in ("mission", "visit"):
        from events.schemas.values import When  # a corrected mission time: rare on a read

        starts = When.model_validate(data["starts"])
        moment, zone = starts.start(), starts.timezone
    elif "held_at" in data and data.get("timezone"):
        moment, zone = datetime.fromisoformat(data["held_at"]), data["timezone"]
    elif kind == "signing":
        zone = data["timezone"]
        signed_on = datetime.fromisoformat(data["signed_on"]).date()
        moment = (
            datetime.fromisoformat(data["signed_at"])
            if data.get("signed_at")
            else datetime.combine(signed_on, time(0), ZoneInfo(zone))
        )
    else:
        return {}
    return {
        "occurred_utc": utc_text(moment),
        "occurred_local": moment.astimezone(ZoneInfo(zone)).isoformat(),
        "timezone": zone,
    }


# -- queries ---------------------------------------------------------------------------------


def rows_linked_to(
    conn: Connection,
    ref_ids: Sequence[str],
    *,
    up_to_position: int | None = None,
    include_retracted: bool = False,
) -> list[dict[str, Any]]:
    """Timeline rows linked to any of these entries, in the order things happened."""
    linked = select(timeline_links.c.row_id).where(
        member_of(conn, timeline_links.c.ref_id, ref_ids)
    )
    query = (
        select(timeline_entries)
        .where(timeline_entries.c.row_id.in_(linked))
        .order_by(timeline_entries.c.occurred_utc, timeline_entries.c.position)
    )
    if up_to_position is not None:
        query = query.where(timeline_entries.c.position <= up_to_position)
    if not include_retracted:
        query = query.where(timeline_entries.c.is_retracted.is_(False))
    names = [column.name for column in timeline_entries.columns]
    return [dict(zip(names, row, strict=True)) for row in fetch_tuples(conn, query)]


def revisions_of(conn: Connection, row_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Every revision of these rows, oldest first."""
    found: dict[str, list[dict[str, Any]]] = {}
    query = (
        select(timeline_revisions)
        .where(member_of(conn, timeline_revisions.c.row_id, row_ids))
        .order_by(timeline_revisions.c.position)
    )
    for row in conn.execute(query).mappings():
        found.setdefault(row["row_id"], []).append(dict(row))
    return found


def as_known_at(
    row: dict[str, Any], revisions: list[dict[str, Any]], position: int
) -> dict[str, Any] | None:
    """A row as it read at a position: its original plus the revisions made by then."""
    data = json.loads(row["original"] or row["data"])
    is_corrected = False
    for revision in revisions:
        if revision["position"] > position:
            break
        if revision["action"] == "retract":
            return None
        data.update(json.loads(revision["changes"]))
        is_corrected = is_corrected or revision["action"] == "correct"
    values = {**row, "data": json.dumps(data), "title": title_of(row, data)}
    values |= moment_columns(row["kind"], data)
    values["is_corrected"] = is_corrected
    return values


def search_rows(conn: Connection, words: Sequence[str], limit: int) -> list[dict[str, Any]]:
    """Current rows whose title, place or details hold every word (details: any case)."""
    query = select(timeline_entries).where(timeline_entries.c.is_retracted.is_(False))
    for word in words:
        query = query.where(
            timeline_entries.c.search_text.contains(word, autoescape=True)
            | func.lower(timeline_entries.c.data).contains(word, autoescape=True)
        )
    query = query.order_by(timeline_entries.c.occurred_utc.desc()).limit(limit)
    return [dict(row) for row in conn.execute(query).mappings()]


def interactions_matching(conn: Connection, prefix: str | None, key: str | None) -> list[Any]:
    """Current interaction rows by id prefix or by exact title key (for references)."""
    query = select(timeline_entries).where(
        timeline_entries.c.kind.in_(INTERACTION_KINDS),
        timeline_entries.c.row_id == timeline_entries.c.entry_id,
        timeline_entries.c.is_retracted.is_(False),
    )
    if prefix is not None:
        query = query.where(id_starts_with(conn, timeline_entries.c.row_id, prefix))
    if key is not None:
        words = key.split()
        for word in words:
            query = query.where(timeline_entries.c.search_text.contains(word, autoescape=True))
    rows = [dict(row) for row in conn.execute(query.limit(50)).mappings()]
    if key is not None:
        rows = [r for r in rows if name_key(r["title"]) == key] or rows
    return rows
