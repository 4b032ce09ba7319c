"""The timeline: everything that happened in a relationship, linked to whom and what it concerns.

Rows keep their original values and every revision (correction, retraction, reschedule), so
a timeline can be read as it stands now or as it was known at any earlier position.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, time
from operator import itemgetter
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import orjson

from events.moments import iso_microseconds
from events.reader import placeholders, reader_of
from events.vocabulary import INTERACTION_KINDS
from projections.names import name_key

if TYPE_CHECKING:
    from events.reader import Readable

VERSION = 3
"""The shape and content of these tables: a change rebuilds them on first use.

2: corrections of a forgotten person are retitled as a rebuild after the erasure reads them
3: links as JSON, filled by SQL at the end of a rebuild; subjects list their corrections
4: data and changes written by orjson: compact JSON
"""

TOUCH_KINDS = (*INTERACTION_KINDS, "signing")
TOUCHED = ("contact", "partnership", "organisation")


def pack_links(links: dict[str, str]) -> str:
    """What a row links to, as a JSON object (SQL can unpack it: see `finalize`).

    Written by hand, a rebuild's hottest line: ids and kinds never hold quotes or escapes.
    """
    return "{" + ",".join(f'"{ref}":"{kind}"' for ref, kind in links.items()) + "}"


def unpack_links(text: str) -> dict[str, str]:
    """The links a row holds."""
    links: dict[str, str] = orjson.loads(text)
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
    return iso_microseconds(moment.astimezone(UTC))


def sorted_json(value: Any) -> str:
    """Compact JSON with sorted keys, by orjson: a rebuild writes 200,000 of these (follow-ups,
    signings, missions, revisions), a second of its time through the stdlib's json."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


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

_ROW_COLUMNS = (
    "row_id",
    "entry_id",
    "kind",
    "occurred_utc",
    "occurred_local",
    "timezone",
    "position",
    "title",
    "data",
    "links",
    "original",
    "search_text",
    "is_corrected",
    "is_retracted",
)
_ROW = f"SELECT {', '.join(_ROW_COLUMNS)} FROM timeline_entries"
_SHOWN_COLUMNS = tuple(c for c in _ROW_COLUMNS if c not in ("links", "search_text"))
"""What a timeline shows of its rows: the links and search text of 5,000 rows were a tenth
of the query's time, read only to be thrown away."""
_IN_ORDER = itemgetter(_SHOWN_COLUMNS.index("occurred_utc"), _SHOWN_COLUMNS.index("position"))
"""When things happened, ties by position (ISO UTC text sorts as time does)."""


def _rows(
    found: list[tuple[Any, ...]], columns: tuple[str, ...] = _ROW_COLUMNS
) -> list[dict[str, Any]]:
    rows = [dict(zip(columns, row, strict=True)) for row in found]
    for row in rows:  # SQLite hands booleans over as 0 and 1
        row["is_corrected"] = bool(row["is_corrected"])
        row["is_retracted"] = bool(row["is_retracted"])
    return rows


def rows_linked_to(
    conn: Readable,
    ref_ids: Sequence[str],
    *,
    up_to_position: int | None = None,
    include_retracted: bool = False,
) -> list[dict[str, Any]]:
    """Timeline rows linked to any of these entries, in the order things happened (without
    their links and search text)."""
    if not ref_ids:
        return []
    reader = reader_of(conn)
    member, params = reader.member_of("ref_id", "refs", ref_ids)
    conditions = [f"row_id IN (SELECT row_id FROM timeline_links WHERE {member})"]
    if up_to_position is not None:
        conditions.append("position <= :up_to")
        params["up_to"] = up_to_position
    if not include_retracted:
        conditions.append("is_retracted = false")
    sql = (
        f"SELECT {', '.join(_SHOWN_COLUMNS)} FROM timeline_entries WHERE {' AND '.join(conditions)}"
    )
    found = reader.rows(sql, params)
    found.sort(key=_IN_ORDER)  # SQLite's ORDER BY sorted whole rows: 10 ms of 5,000 more
    return _rows(found, _SHOWN_COLUMNS)


def revisions_of(conn: Readable, row_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Every revision of these rows, oldest first."""
    found: dict[str, list[dict[str, Any]]] = {}
    if not row_ids:
        return found
    reader = reader_of(conn)
    member, params = reader.member_of("row_id", "rows", row_ids)
    sql = (
        "SELECT row_id, position, action, changes, reason FROM timeline_revisions"
        f" WHERE {member} ORDER BY position"
    )
    for row in reader.dicts(sql, params):
        found.setdefault(row["row_id"], []).append(row)
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


def search_rows(conn: Readable, words: Sequence[str], limit: int) -> list[dict[str, Any]]:
    """Current rows whose title, place or details hold every word (details: any case)."""
    reader = reader_of(conn)
    conditions, params = ["is_retracted = false"], {"limit": limit}
    for n, word in enumerate(words):
        in_text, more = reader.contains("search_text", f"text_{n}", word)
        in_data, data_params = reader.contains("lower(data)", f"data_{n}", word)
        conditions.append(f"({in_text} OR {in_data})")
        params |= more | data_params
    sql = f"{_ROW} WHERE {' AND '.join(conditions)} ORDER BY occurred_utc DESC LIMIT :limit"
    return _rows(reader.rows(sql, params))


def interactions_matching(conn: Readable, prefix: str | None, key: str | None) -> list[Any]:
    """Current interaction rows by id prefix or by exact title key (for references)."""
    reader = reader_of(conn)
    listed, params = placeholders("kind", INTERACTION_KINDS)
    conditions = [f"kind IN ({listed})", "row_id = entry_id", "is_retracted = false"]
    if prefix is not None:
        starts, more = reader.starts_with("row_id", "prefix", prefix)
        conditions.append(starts)
        params |= more
    if key is not None:
        for n, word in enumerate(key.split()):
            holds, more = reader.contains("search_text", f"word_{n}", word)
            conditions.append(holds)
            params |= more
    sql = f"{_ROW} WHERE {' AND '.join(conditions)} LIMIT 50"
    rows = _rows(reader.rows(sql, params))
    if key is not None:
        rows = [r for r in rows if name_key(r["title"]) == key] or rows
    return rows
