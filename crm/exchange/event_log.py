"""The whole log as JSON Lines: backup, restore, and moving between SQLite and PostgreSQL.

Line 1 is a header; then one line per data-subject key (unless left out); then one line per
event with every stored column, the payload as its exact stored text; then a trailer. The
events are covered by their hash chain; the keys by the header's count and (from version 2)
a digest in the trailer, so a dropped or altered line of either kind is refused. Import
checks the whole file first, then writes keys and events in one transaction: a damaged file,
or a store another writer changed meanwhile, writes nothing. Memory stays flat either way.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from crm.errors import BadInputError
from events import chain
from events.crypto import KEY_BYTES
from events.sql_store import COLUMN_NAMES, SqlEventStore
from events.tables import GENESIS_HASH

FORMAT = "trade-mission-crm/events"
VERSION = 2
"""2 added `keys_hash` to the trailer; version 1 files (keys counted, not hashed) still import."""
READABLE_VERSIONS = (1, 2)


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
    head = store.head_position()
    # Keys after the head: a key commits with its subject's first event, so none is missed.
    keys = store.subject_keys() if with_keys else []
    last_hash, digest = GENESIS_HASH, hashlib.sha256()
    header = {"format": FORMAT, "version": VERSION, "events": head, "keys": len(keys)}
    out.write(json.dumps(header) + "\n")
    for subject, key in keys:
        digest.update(_key_text(subject, key))
        out.write(json.dumps({"subject": subject, "key": base64.b64encode(key).decode()}) + "\n")
    written = 0
    for row in store.read_rows(up_to=head):
        out.write(json.dumps(dict(zip(COLUMN_NAMES, row, strict=True)), ensure_ascii=False) + "\n")
        last_hash, written = row[-1], written + 1
    trailer = {"end": True, "events": written, "head_hash": last_hash}
    out.write(json.dumps({**trailer, "keys_hash": digest.hexdigest()}) + "\n")
    return ExportSummary(written, len(keys), last_hash)


def _key_text(subject: str, key: bytes) -> bytes:
    """One key as the digest reads it: unambiguous whatever the subject id holds."""
    return (json.dumps([subject, key.hex()]) + "\n").encode()


def _lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open("rb") as handle:  # bytes, so a line that is not UTF-8 can be named
        for number, raw in enumerate(handle, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise BadInputError(f"{path.name} line {number}: not UTF-8 text") from None
            try:
                value = json.loads(line)
            except json.JSONDecodeError as error:
                raise BadInputError(f"{path.name} line {number}: not JSON ({error.msg})") from None
            if not isinstance(value, dict):
                raise BadInputError(f"{path.name} line {number}: expected an object")
            yield number, value


def _entries(path: Path) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """Every line after the header with its kind: "key", "row" or "end" (the trailer).

    Checking and importing both classify lines here, so they can never disagree.
    """
    lines = _lines(path)
    next(lines, None)
    for number, value in lines:
        yield number, "end" if "end" in value else "key" if "subject" in value else "row", value


def _header(path: Path) -> tuple[int, int]:
    """The format version and key count the header declares; refuse any other file."""
    _number, header = next(_lines(path), (0, {}))
    if header.get("format") != FORMAT:
        raise BadInputError(f"{path.name} is not a crm event export")
    version, keys = header.get("version"), header.get("keys")
    if isinstance(version, bool) or version not in READABLE_VERSIONS:
        readable = ", ".join(str(v) for v in READABLE_VERSIONS)
        raise BadInputError(
            f"{path.name} is a crm event export of version {version}; this crm reads "
            f"versions {readable}: upgrade crm to import it"
        )
    if isinstance(keys, bool) or not isinstance(keys, int) or keys < 0:
        raise BadInputError(f"{path.name} line 1: the header has no count of key lines")
    return int(version), keys


def _key(number: int, value: dict[str, Any], name: str) -> tuple[str, bytes]:
    subject, text = value.get("subject"), value.get("key")
    if not isinstance(subject, str) or not subject or not isinstance(text, str):
        raise BadInputError(f"{name} line {number}: a key line needs a subject and a key")
    try:
        key = base64.b64decode(text, validate=True)
    except ValueError:  # binascii.Error
        key = b""
    if len(key) != KEY_BYTES:
        raise BadInputError(
            f"{name} line {number}: the key of {subject} is not {KEY_BYTES} bytes of base64"
        )
    return subject, key


def _row(number: int, value: dict[str, Any], name: str) -> tuple[Any, ...]:
    try:
        return tuple(value[column] for column in COLUMN_NAMES)
    except KeyError as missing:
        raise BadInputError(f"{name} line {number}: missing {missing}") from None


@dataclass
class _Tally:
    """What a check has read so far: where the chain stands, and the keys' digest."""

    name: str
    position: int
    previous: str
    events: int = 0
    keys: list[tuple[str, bytes]] = field(default_factory=list)
    """The checked keys, kept for the import: 32 bytes a person, small beside the events."""
    digest: Any = field(default_factory=hashlib.sha256)

    def add_key(self, number: int, value: dict[str, Any]) -> None:
        key = _key(number, value, self.name)
        self.digest.update(_key_text(*key))
        self.keys.append(key)

    def add_row(self, number: int, value: dict[str, Any]) -> None:
        row = _row(number, value, self.name)
        if row[0] != self.position + 1:
            raise BadInputError(
                f"{self.name} line {number}: position {row[0]}, expected {self.position + 1}"
            )
        self.previous = chain.link(self.previous, row[:-1])
        if self.previous != row[-1]:
            raise BadInputError(
                f"{self.name} line {number}: position {row[0]} fails the hash chain"
            )
        self.position, self.events = self.position + 1, self.events + 1

    def check_trailer(self, number: int, trailer: dict[str, Any], version: int) -> None:
        if not (
            trailer.get("end") is True
            and trailer.get("events") == self.events
            and trailer.get("head_hash") == self.previous
        ):
            raise BadInputError(f"{self.name} line {number}: the trailer does not match")
        if version >= 2 and trailer.get("keys_hash") != self.digest.hexdigest():
            raise BadInputError(
                f"{self.name} line {number}: the key lines do not match the trailer's "
                "digest (a key line was altered, added or dropped)"
            )


def check_file(
    path: Path, start_position: int, start_hash: str
) -> tuple[int, list[tuple[str, bytes]]]:
    """Check a whole export continues a log at (position, hash); return the number of
    events and the checked keys (imported as they were checked, not read again)."""
    version, listed_keys = _header(path)
    tally = _Tally(path.name, start_position, start_hash)
    trailer: tuple[int, dict[str, Any]] | None = None
    for number, kind, value in _entries(path):
        if trailer is not None:
            raise BadInputError(f"{path.name} line {number}: nothing may follow the trailer")
        if kind == "key":
            tally.add_key(number, value)
        elif kind == "row":
            tally.add_row(number, value)
        else:
            trailer = number, value
    if trailer is None:
        raise BadInputError(f"{path.name} is truncated: no trailer line")
    if len(tally.keys) != listed_keys:
        raise BadInputError(
            f"{path.name}: the header lists {listed_keys} keys but the file holds "
            f"{len(tally.keys)} key lines (a key line was dropped or added)"
        )
    tally.check_trailer(*trailer, version)
    return tally.events, tally.keys


def import_log(store: SqlEventStore, path: Path) -> tuple[int, int]:
    """Append an export to a store that is empty (or holds exactly the export's beginning)."""
    head = store.head_position()
    start_hash = GENESIS_HASH
    if head:
        rows = list(store.read_rows(after_position=head - 1, up_to=head))
        start_hash = rows[0][-1]
        if _first_position(path) != head + 1:
            raise BadInputError(
                f"this store already holds {head} events; import into an empty store "
                "(or a file that continues this log)"
            )
    events, keys = check_file(path, head, start_hash)
    store.import_rows(_rows(path), keys=keys, expected_head=head)
    return events, len(keys)


def _first_position(path: Path) -> Any:
    return next((value.get("position") for _, kind, value in _entries(path) if kind == "row"), None)


def _rows(path: Path) -> Iterator[tuple[Any, ...]]:
    for number, kind, value in _entries(path):
        if kind == "row":
            yield _row(number, value, path.name)
