"""The SQL event store: atomic gap-free appends, streaming reads, verification and erasure."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

from pydantic import ValidationError
from sqlalchemy import Connection, Engine, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from events import chain
from events.codec import PayloadCodec
from events.collector import collector_paused
from events.crypto import SealError
from events.database import (
    Prepared,
    fetch_tuples,
    installed_guards,
    is_sqlite,
    member_of,
    read_transaction,
    scan_transaction,
    write_transaction,
)
from events.envelope import AppendContext, PendingEvent, RecordedEvent, StreamWrite
from events.errors import (
    AppendOnlyGuardMissingError,
    ConcurrencyError,
    DuplicateEventError,
    IntegrityViolationError,
    PayloadDecodeError,
    UnknownEventTypeError,
)
from events.event import Event
from events.keyring import KeyRing
from events.migrations import expected_guards, install_guards
from events.moments import iso_microseconds
from events.registry import EventRegistry, registry
from events.store import Verification
from events.tables import GENESIS_HASH, HEAD_POSITION, events, events_head, subject_keys

ROW_COLUMNS = (*(events.c[name] for name in chain.HASHED_COLUMNS), events.c.hash)
COLUMN_NAMES = (*chain.HASHED_COLUMNS, "hash")
DEFAULT_CONTEXT = AppendContext()
READ_BATCH = 2_000

Clock = Callable[[], datetime]


PlainEvent = tuple[int, str, str]
"""An event read undecoded (`SqlEventStore.read_plain`): its position, type and JSON."""


@dataclass(frozen=True)
class TypeFilter:
    """Event types to read (`keep`) or to leave out (not `keep`), by their stored names."""

    names: frozenset[str]
    keep: bool = True


_HEAD_FOR_UPDATE = Prepared(
    select(events_head.c.position, events_head.c.hash)
    .where(events_head.c.id == 1)
    .with_for_update()
)
_STREAM_VERSION = Prepared(
    select(func.coalesce(func.max(events.c.stream_version), 0)).where(
        events.c.stream_id == bindparam("stream_id")
    )
)
_INSERT_EVENT = Prepared(insert(events))
_RECORDED_AT = Prepared(select(events.c.recorded_at).where(events.c.position == bindparam("at")))
_MOVE_HEAD = Prepared(
    update(events_head)
    .where(events_head.c.id == 1)
    .values(position=bindparam("new_position"), hash=bindparam("new_hash"))
)
T = TypeVar("T")


def utc_now() -> datetime:
    """Read the wall clock in UTC (the default clock; tests pass their own)."""
    return datetime.now(UTC)


def time_text(moment: datetime) -> str:
    """Format an aware datetime as stored: ISO-8601 with microseconds and its offset."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no time zone")
    return iso_microseconds(moment)


def _optional_uuid(value: str | None) -> UUID | None:
    return None if value is None else UUID(value)


def _pending(events: Sequence[Event | PendingEvent[Event]]) -> list[PendingEvent[Event]]:
    """Wrap bare events with fresh ids."""
    return [e if isinstance(e, PendingEvent) else PendingEvent(e) for e in events]


def _check_envelope_text(stream_ids: Sequence[str], context: AppendContext) -> None:
    """Refuse envelope text the canonical hash form cannot hold unambiguously.

    The actor and source are the same for every stream: checked once, not once a stream (an
    import writes 10,000), and still after the first stream id, so errors come in that order.
    """
    _check_text("stream id", stream_ids[0])
    _check_text("actor", context.actor)
    _check_text("source", context.source)
    for stream_id in stream_ids[1:]:
        _check_text("stream id", stream_id)


def _check_text(name: str, value: str) -> None:
    if not value or len(value) > 200 or not value.isprintable():
        raise ValueError(f"the {name} must be 1-200 characters without control characters")


def _same_content(record: RecordedEvent[Event], stream_id: str, item: PendingEvent[Event]) -> bool:
    """Say whether a stored event is the one `item` describes (a retried append)."""
    if record.stream_id != stream_id or record.type != item.event.event_type():
        return False
    if item.occurred_at is not None and record.occurred_at != item.occurred_at:
        return False
    return record.event == item.event


class _TimeParser:
    """Parse recorded times, reusing the last one: every event of an append shares it."""

    __slots__ = ("_last", "_text")

    def __init__(self) -> None:
        self._text = ""
        self._last = datetime.min.replace(tzinfo=UTC)

    def parse(self, text: str) -> datetime:
        if text != self._text:
            self._text, self._last = text, datetime.fromisoformat(text)
        return self._last


def _import_batch(
    conn: Connection,
    batch: list[tuple[Any, ...]],
    position: int,
    previous_hash: str,
    canonical: Callable[[str, int, str], bool],
) -> tuple[int, str]:
    """Check a batch continues (position, hash), its plain payloads as this program writes
    them (`canonical`), and insert it; return the new end."""
    if not batch:
        return position, previous_hash
    with collector_paused():
        for row in batch:
            position += 1
            if row[0] != position:
                raise IntegrityViolationError(f"expected position {position} next, found {row[0]}")
            previous_hash = chain.link(previous_hash, row[:-1])
            if previous_hash != row[-1]:
                raise IntegrityViolationError(
                    f"position {position}: its hash does not match its content and chain"
                )
            if not canonical(row[4], row[5], row[12]):
                raise IntegrityViolationError(
                    f"position {position}: its {row[4]} is not written as this program "
                    "writes it (edited by hand?)"
                )
        _INSERT_EVENT.run_many(conn, COLUMN_NAMES, batch)
    return position, previous_hash


class SqlEventStore:
    """The log in one SQL database: SQLite for one machine, PostgreSQL for a team."""

    def __init__(
        self, engine: Engine, *, event_registry: EventRegistry = registry, clock: Clock = utc_now
    ) -> None:
        self.engine = engine
        self._codec = PayloadCodec(event_registry)
        self._clock = clock
        self._guards_ok = False

    # -- writing ---------------------------------------------------------------------------

    def append(
        self,
        stream_id: str,
        events: Sequence[Event | PendingEvent[Event]],
        expected_version: int | None,
        *,
        context: AppendContext = DEFAULT_CONTEXT,
        now: datetime | None = None,
    ) -> list[RecordedEvent[Event]]:
        """Append atomically if the stream is at `expected_version` (None: any version).

        Re-appending events already stored with identical content returns the stored records.
        """
        write = StreamWrite(stream_id, events, expected_version)
        return self.append_batch([write], context=context, now=now)

    def append_batch(
        self,
        writes: Sequence[StreamWrite],
        *,
        context: AppendContext = DEFAULT_CONTEXT,
        now: datetime | None = None,
    ) -> list[RecordedEvent[Event]]:
        """Append to several streams in one transaction: all of it is stored, or none."""
        batch = [(w.stream_id, _pending(w.events), w.expected_version) for w in writes]
        batch = [(stream, pending, expected) for stream, pending, expected in batch if pending]
        if not batch:
            return []
        _check_envelope_text([stream_id for stream_id, _, _ in batch], context)
        recorded_at = time_text((now or self._clock()).astimezone(UTC))
        self.require_guards()
        try:
            with write_transaction(self.engine) as conn, collector_paused():
                return self._append_locked(conn, batch, context, recorded_at)
        except (IntegrityError, ConcurrencyError):
            stored = self._already_stored(batch)
            if stored is None:
                raise
            return stored

    def _append_locked(
        self,
        conn: Connection,
        batch: list[tuple[str, list[PendingEvent[Event]], int | None]],
        context: AppendContext,
        recorded_at: str,
    ) -> list[RecordedEvent[Event]]:
        ((position, previous_hash),) = _HEAD_FOR_UPDATE.rows(conn)
        keys = KeyRing(conn)
        correlation = None if context.correlation_id is None else str(context.correlation_id)
        causation = None if context.causation_id is None else str(context.causation_id)
        recorded = datetime.fromisoformat(recorded_at)
        rows: list[tuple[Any, ...]] = []
        records: list[RecordedEvent[Event]] = []
        versions = self._stream_versions(conn, [stream_id for stream_id, _, _ in batch])
        """Each stream's version, kept current as this batch adds to it."""
        keys.prefetch(
            subject
            for _, pending, _ in batch
            for item in pending
            if (subject := item.event.data_subject()) is not None
        )
        for stream_id, pending, expected_version in batch:
            version = versions[stream_id]
            if expected_version is not None and version != expected_version:
                raise ConcurrencyError(stream_id, expected_version, version)
            for item in pending:
                position, version = position + 1, version + 1
                event_id = str(item.event_id)
                event_type = item.event.event_type()
                payload = self._codec.encode(item.event, event_id, keys.key_for_writing)
                values = (
                    position,
                    event_id,
                    stream_id,
                    version,
                    event_type,
                    item.event.schema_version,
                    recorded_at if item.occurred_at is None else time_text(item.occurred_at),
                    recorded_at,
                    context.actor,
                    context.source,
                    correlation,
                    causation,
                    payload,
                )
                previous_hash = chain.link(previous_hash, values)
                rows.append((*values, previous_hash))
                records.append(
                    RecordedEvent(
                        position,
                        event_id,
                        stream_id,
                        version,
                        event_type,
                        item.event.schema_version,
                        recorded if item.occurred_at is None else item.occurred_at,
                        recorded,
                        context.actor,
                        context.source,
                        correlation,
                        causation,
                        item.event,
                        previous_hash,
                        stored_json=self._codec.written_plain(item.event, payload),
                    )
                )
            versions[stream_id] = version
        keys.save_new_keys()
        _INSERT_EVENT.run_many(conn, COLUMN_NAMES, rows)
        _MOVE_HEAD.rows(conn, new_position=position, new_hash=previous_hash)
        return records

    def _already_stored(
        self, batch: list[tuple[str, list[PendingEvent[Event]], int | None]]
    ) -> list[RecordedEvent[Event]] | None:
        """Return the stored records when `batch` is a retry of a committed append."""
        ids = [str(item.event_id) for _, pending, _ in batch for item in pending]
        with read_transaction(self.engine) as conn:
            query = select(*ROW_COLUMNS).where(member_of(conn, events.c.event_id, ids))
            found = {row[1]: row for row in fetch_tuples(conn, query)}
            if not found:
                return None
            keys = KeyRing(conn)
            stored = []
            for stream_id, pending, _ in batch:
                for item in pending:
                    row = found.get(str(item.event_id))
                    record = None if row is None else self._record(row, keys.key_for_reading)
                    if record is None or not _same_content(record, stream_id, item):
                        raise DuplicateEventError(str(item.event_id))
                    stored.append(record)
            return stored

    def require_guards(self) -> None:
        """Refuse to write unless the append-only triggers are in place (checked once)."""
        if self._guards_ok:
            return
        with read_transaction(self.engine) as conn:
            missing = expected_guards(conn.dialect.name) - installed_guards(conn)
        if missing:
            raise AppendOnlyGuardMissingError(sorted(missing))
        self._guards_ok = True

    # -- reading ---------------------------------------------------------------------------

    def _stream_versions(self, conn: Connection, stream_ids: list[str]) -> dict[str, int]:
        """The versions of many streams at once (0 for new ones), in one query."""
        if len(stream_ids) == 1:
            return {stream_ids[0]: self._stream_version(conn, stream_ids[0])}
        unique = set(stream_ids)
        versions = dict.fromkeys(unique, 0)
        query = (
            select(events.c.stream_id, func.max(events.c.stream_version))
            .where(member_of(conn, events.c.stream_id, unique))
            .group_by(events.c.stream_id)
        )
        versions.update((str(stream), int(v)) for stream, v in fetch_tuples(conn, query))
        return versions

    def _stream_version(self, conn: Connection, stream_id: str) -> int:
        ((version,),) = _STREAM_VERSION.rows(conn, stream_id=stream_id)
        return int(version)

    def stream_version(self, stream_id: str) -> int:
        """Return the version of a stream (0 when it does not exist)."""
        with read_transaction(self.engine) as conn:
            return self._stream_version(conn, stream_id)

    def read_stream(self, stream_id: str, after_version: int = 0) -> list[RecordedEvent[Event]]:
        """Read one stream in version order."""
        query = (
            select(*ROW_COLUMNS)
            .where(events.c.stream_id == stream_id, events.c.stream_version > after_version)
            .order_by(events.c.stream_version)
        )
        with read_transaction(self.engine) as conn:
            keys = KeyRing(conn)
            rows = fetch_tuples(conn, query)
            return [self._record(row, keys.key_for_reading) for row in rows]

    def read_all(
        self,
        after_position: int = 0,
        *,
        up_to: int | None = None,
        batch_size: int = READ_BATCH,
        types: TypeFilter | None = None,
    ) -> Iterator[RecordedEvent[Event]]:
        """Stream the log in position order: rows fetched in bounded batches, decoded lazily.

        Each batch's transaction closes before its events are handed on, and each event is
        decoded only when the caller asks for it, so nothing outlives the caller's use of it.
        `types` keeps only the events of some types (or all but them), chosen by the database.
        """
        for rows, record in self._batches(after_position, up_to, batch_size, types):
            for row in rows:
                yield record(row)

    def read_plain(
        self, after_position: int = 0, *, up_to: int | None = None, types: TypeFilter | None = None
    ) -> Iterator[PlainEvent | RecordedEvent[Event]]:
        """`read_all` for a reader that needs only an event's JSON: an event stored as its own
        JSON (of its current schema, nothing sealed; known once one of its type has been
        decoded) comes undecoded, as (position, type, text)."""
        is_plain = self._codec.is_plain
        for rows, record in self._batches(after_position, up_to, READ_BATCH, types):
            for row in rows:
                if is_plain(row[4], row[5]):
                    yield row[0], row[4], row[12]
                else:
                    yield record(row)

    def _batches(
        self, after_position: int, up_to: int | None, batch_size: int, types: TypeFilter | None
    ) -> Iterator[tuple[list[tuple[Any, ...]], Callable[[Sequence[Any]], RecordedEvent[Event]]]]:
        """Stored rows batch by batch, each with what decodes them (its keys fetched)."""
        keys = KeyRing(self.engine)
        preloaded = up_to is None or up_to - after_position > 10_000
        if preloaded:
            keys.preload()
        key_for = keys.key_for_reading
        times = _TimeParser()

        def record(row: Sequence[Any]) -> RecordedEvent[Event]:
            return self._record(row, key_for, times)

        batches = self.read_rows_batched(
            after_position, up_to=up_to, batch_size=batch_size, types=types
        )
        for rows in batches:
            if not preloaded:
                keys.prefetch(self._codec.sealed_subjects(row[12] for row in rows))
            yield rows, record

    def read_rows(
        self, after_position: int = 0, *, up_to: int | None = None, batch_size: int = READ_BATCH
    ) -> Iterator[tuple[Any, ...]]:
        """Stream stored rows as they are (payload still sealed), for export and checks."""
        for rows in self.read_rows_batched(after_position, up_to=up_to, batch_size=batch_size):
            yield from rows

    def read_rows_batched(
        self,
        after_position: int = 0,
        *,
        up_to: int | None = None,
        batch_size: int = READ_BATCH,
        types: TypeFilter | None = None,
    ) -> Iterator[list[tuple[Any, ...]]]:
        """Yield stored rows in position order, one batch per short read transaction."""
        position = after_position
        while True:
            query = (
                select(*ROW_COLUMNS)
                .where(events.c.position > position)
                .order_by(events.c.position)
                .limit(batch_size)
            )
            if up_to is not None:
                query = query.where(events.c.position <= up_to)
            if types is not None:
                names = sorted(types.names)
                column = events.c.type
                query = query.where(column.in_(names) if types.keep else column.not_in(names))
            with scan_transaction(self.engine) as conn:
                rows = fetch_tuples(conn, query)
            if rows:
                yield rows
            if len(rows) < batch_size:
                return
            position = rows[-1][0]

    def head_position(self) -> int:
        """Return the position of the newest event (0 for an empty log)."""
        with read_transaction(self.engine) as conn:
            return int(conn.execute(HEAD_POSITION).scalar_one())

    def _record(
        self,
        row: Sequence[Any],
        key_for: Callable[[str], bytes | None],
        times: _TimeParser | None = None,
    ) -> RecordedEvent[Event]:
        (position, event_id, stream_id, stream_version, event_type, schema_version,
         occurred_at, recorded_at, actor, source, correlation_id, causation_id, payload,
         hash_) = row  # fmt: skip
        try:
            event, is_erased = self._codec.decode(
                event_type, schema_version, payload, event_id, key_for
            )
        except UnknownEventTypeError:
            raise
        except (ValidationError, ValueError, SealError, KeyError, TypeError) as error:
            reason = str(error).splitlines()[0]
            raise PayloadDecodeError(position, reason) from None
        return RecordedEvent(
            position,
            event_id,
            stream_id,
            stream_version,
            event_type,
            schema_version,
            datetime.fromisoformat(occurred_at),
            datetime.fromisoformat(recorded_at) if times is None else times.parse(recorded_at),
            actor,
            source,
            correlation_id,
            causation_id,
            event,
            hash_,
            is_erased,
            payload if self._codec.is_plain(event_type, schema_version) else None,
        )

    def import_rows(
        self,
        rows: Iterable[Sequence[Any]],
        batch_size: int = READ_BATCH,
        *,
        keys: Iterable[tuple[str, bytes]] = (),
        expected_head: int | None = None,
    ) -> int:
        """Append stored rows from another log as they are, with the keys that open them.

        Rows must continue this log: the next position, linked to its last hash; an event
        stored as its own JSON must be written as `append` writes it. Keys, rows
        and the head move in one transaction, so a bad row, or a head that moved away from
        `expected_head` (another writer), leaves no key or row behind. Rows are inserted in
        batches, so memory stays flat however long the log.
        """
        self.require_guards()
        with write_transaction(self.engine) as conn:
            ((position, previous_hash),) = _HEAD_FOR_UPDATE.rows(conn)
            if expected_head is not None and position != expected_head:
                raise IntegrityViolationError(
                    f"the log moved from position {expected_head} to {position} while the "
                    "import was checked (another writer?); nothing was imported"
                )
            first = position
            KeyRing(conn).add_missing(keys)
            batch: list[tuple[Any, ...]] = []
            for row in rows:
                batch.append(tuple(row))
                if len(batch) >= batch_size:
                    position, previous_hash = _import_batch(
                        conn, batch, position, previous_hash, self._codec.is_canonical
                    )
                    batch = []
            position, previous_hash = _import_batch(
                conn, batch, position, previous_hash, self._codec.is_canonical
            )
            _MOVE_HEAD.rows(conn, new_position=position, new_hash=previous_hash)
        return int(position - first)

    def subject_keys(self) -> list[tuple[str, bytes]]:
        """Every data subject's key (for moving a store; handle the result as secret)."""
        query = select(subject_keys.c.subject_id, subject_keys.c.key).order_by(
            subject_keys.c.subject_id
        )
        with read_transaction(self.engine) as conn:
            return [(str(subject), bytes(key)) for subject, key in conn.execute(query)]

    def import_subject_keys(self, keys: Iterable[tuple[str, bytes]]) -> int:
        """Add keys this store lacks; a subject erased here stays erased."""
        with write_transaction(self.engine) as conn:
            return KeyRing(conn).add_missing(keys)

    # -- integrity and erasure ---------------------------------------------------------------

    def verify(self) -> Verification:
        """Walk the chain from the start; report the first position that does not match."""
        previous_hash, expected, checked = GENESIS_HASH, 1, 0
        for row in self.read_rows():
            if row[0] != expected:
                return Verification(checked, expected, f"position {expected} is missing")
            previous_hash = chain.link(previous_hash, row[:-1])
            if previous_hash != row[-1]:
                return Verification(
                    checked, expected, "its hash does not match its content and chain"
                )
            expected, checked = expected + 1, checked + 1
        with read_transaction(self.engine) as conn:
            head = conn.execute(select(events_head.c.position, events_head.c.hash)).one()
        if head.position != checked or head.hash != previous_hash:
            return Verification(checked, head.position, "the head row does not match the log")
        return Verification(checked)

    def forget_subject(self, subject_id: str) -> bool:
        """Delete a person's key for good; their sealed fields then read as erased."""
        with write_transaction(self.engine) as conn:
            deleted = conn.execute(
                delete(subject_keys).where(subject_keys.c.subject_id == subject_id)
            ).rowcount
            KeyRing(conn).mark_erased(subject_id, time_text(self._clock()))
        self.scrub_freed_space(tables=(subject_keys.name,))
        return bool(deleted)

    def scrub_freed_space(self, tables: Sequence[str]) -> None:
        """Make deleted rows unreadable in the database files, not only in queries."""
        if is_sqlite(self.engine):
            # secure_delete (on for every connection) zeroed the freed cells; the checkpoint
            # moves the zeroed pages into the main file and empties the write-ahead log.
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            return
        # PostgreSQL keeps dead tuples in its data files until the table is rewritten.
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in tables:
                conn.exec_driver_sql(f'VACUUM FULL "{table}"')

    def position_at(self, moment: datetime) -> int:
        """The last position recorded at or before `moment` (0 if none): "what we knew then".

        A binary search over positions, as recorded times rise with positions (appends are
        serialised); it needs no index on `recorded_at`, which would slow every append.
        """
        limit = time_text(moment.astimezone(UTC))
        low, high = 0, self.head_position()
        with read_transaction(self.engine) as conn:
            while low < high:
                middle = (low + high + 1) // 2
                ((recorded,),) = _RECORDED_AT.rows(conn, at=middle)
                if recorded <= limit:
                    low = middle
                else:
                    high = middle - 1
        return low

    def streams_with_correlation(self, correlation_id: str) -> list[str]:
        """The streams an import batch (or any one command) wrote to, in first-write order."""
        query = (
            select(events.c.stream_id, func.min(events.c.position))
            .where(events.c.correlation_id == correlation_id)
            .group_by(events.c.stream_id)
            .order_by(func.min(events.c.position))
        )
        with read_transaction(self.engine) as conn:
            return [str(stream) for stream, _ in conn.execute(query)]

    # -- summaries -----------------------------------------------------------------------

    def count_by_type(self) -> dict[str, int]:
        """Count stored events per type."""
        query = select(events.c.type, func.count()).group_by(events.c.type).order_by(events.c.type)
        with read_transaction(self.engine) as conn:
            return {str(kind): int(n) for kind, n in conn.execute(query)}

    def count_streams(self) -> int:
        """Count the streams in the log."""
        query = select(func.count(func.distinct(events.c.stream_id)))
        with read_transaction(self.engine) as conn:
            return int(conn.execute(query).scalar_one())

    def repair_guards(self) -> list[str]:
        """Reinstall missing append-only triggers; return the names put back."""
        with write_transaction(self.engine) as conn:
            missing = expected_guards(conn.dialect.name) - installed_guards(conn)
            install_guards(conn)
        self._guards_ok = False
        return sorted(missing)
