"""The whole log as JSON Lines: backup, restore, and moving between SQLite and PostgreSQL.

Line 1 is a header; then one line per data-subject key (unless left out); then one line per
event with every stored column, the payload as its exact stored text. Import checks the
whole file first (positions, hash chain, header), then appends it in batches, so a damaged
file writes nothing. Both directions stream: memory stays flat however long the log.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from crm.errors import BadInputError
from events import chain
from events.sql_store import COLUMN_NAMES, SqlEventStore
from events.tables import GENESIS_HASH

FORMAT = "trade-mission-crm/events"
VERSION = 1


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote."""

    events: int
    keys: int
    head_hash: str


def export_log(store: SqlEventStore, out: IO[str], *, with_keys: bool = True) -> ExportSummary:
    """Write the header, the keys and every event; return what was written."""
    verification = store.verify()
    if not verification.is_intact:
        raise BadInputError(
            f"the log is damaged at position {verification.first_bad_position}; "
            "run `crm verify` before exporting"
        )
    keys = store.subject_keys() if with_keys else []
    head = store.head_position()
    last_hash = GENESIS_HASH
    header = {"format": FORMAT, "version": VERSION, "events": head, "keys": len(keys)}
    out.write(json.dumps(header) + "\n")
    for subject, key in keys:
        out.write(json.dumps({"subject": subject, "key": base64.b64encode(key).decode()}) + "\n")
    written = 0
    for row in store.read_rows(up_to=head):
        out.write(json.dumps(dict(zip(COLUMN_NAMES, row, strict=True)), ensure_ascii=False) + "\n")
        last_hash, written = row[-1], written + 1
    out.write(json.dumps({"end": True, "events": written, "head_hash": last_hash}) + "\n")
    return ExportSummary(written, len(keys), last_hash)


def _lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            try:
                value = json.loads(line)
            except json.JSONDecodeError as error:
                raise BadInputError(f"{path.name} line {number}: not JSON ({error.msg})") from None
            if not isinstance(value, dict):
                raise BadInputError(f"{path.name} line {number}: expected an object")
            yield number, value


def _row(number: int, value: dict[str, Any], name: str) -> tuple[Any, ...]:
    try:
        return tuple(value[column] for column in COLUMN_NAMES)
    except KeyError as missing:
        raise BadInputError(f"{name} line {number}: missing {missing}") from None


def check_file(path: Path, start_position: int, start_hash: str) -> tuple[int, int]:
    """Check a whole export continues a log at (position, hash); return (events, keys)."""
    lines = _lines(path)
    number, header = next(lines, (0, {}))
    if header.get("format") != FORMAT or header.get("version") != VERSION:
        raise BadInputError(f"{path.name} is not a crm event export (version {VERSION})")
    position, previous, events, keys, ended = start_position, start_hash, 0, 0, False
    for number, value in lines:
        if "subject" in value:
            keys += 1
        elif value.get("end"):
            ended = value.get("events") == events and value.get("head_hash") == previous
            if not ended:
                raise BadInputError(f"{path.name} line {number}: the trailer does not match")
        else:
            row = _row(number, value, path.name)
            if row[0] != position + 1:
                raise BadInputError(
                    f"{path.name} line {number}: position {row[0]}, expected {position + 1}"
                )
            previous = chain.link(previous, row[:-1])
            if previous != row[-1]:
                raise BadInputError(
                    f"{path.name} line {number}: position {row[0]} fails the hash chain"
                )
            position, events = position + 1, events + 1
    if not ended:
        raise BadInputError(f"{path.name} is truncated: no trailer line")
    return events, keys


def import_log(store: SqlEventStore, path: Path) -> tuple[int, int]:
    """Append an export to a store that is empty (or holds exactly the export's beginning)."""
    head = store.head_position()
    start_hash = GENESIS_HASH
    if head:
        rows = list(store.read_rows(after_position=head - 1, up_to=head))
        start_hash = rows[0][-1]
    first = _first_position(path)
    if head and first != head + 1:
        raise BadInputError(
            f"this store already holds {head} events; import into an empty store "
            "(or a file that continues this log)"
        )
    events, keys = check_file(path, head, start_hash)
    store.import_subject_keys(_keys(path))
    store.import_rows(_rows(path))
    return events, keys


def _first_position(path: Path) -> int | None:
    for number, value in _lines(path):
        if number > 1 and "position" in value:
            return int(value["position"])
    return None


def _keys(path: Path) -> Iterator[tuple[str, bytes]]:
    for _number, value in _lines(path):
        if "subject" in value:
            yield str(value["subject"]), base64.b64decode(value["key"])


def _rows(path: Path) -> Iterator[tuple[Any, ...]]:
    for number, value in _lines(path):
        if number > 1 and "position" in value:
            yield _row(number, value, path.name)
