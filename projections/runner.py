"""Keep projections current: catch-up with checkpoints, and rebuilds swapped in whole.

Every batch of rows is written in the same transaction as the checkpoint that covers it, and
the checkpoint is read under the write lock, so a process killed mid-way applies nothing
twice and misses nothing, and two processes catching up at once never apply an event twice.

A rebuild fills `<table>__rebuild` copies (resumable: they keep their own checkpoint), then
swaps them in with one transaction, so readers see the old view or the new one, never half.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    Connection,
    Table,
    func,
    insert,
    inspect,
    select,
    update,
)

from events.collector import collector_paused, collector_running
from events.database import (
    BackgroundCheckpoints,
    read_transaction,
    sorting_memory,
    write_transaction,
)
from events.envelope import RecordedEvent
from events.errors import StoreError
from events.event import Event
from events.sql_store import SqlEventStore
from projections.feed import FeedError, RowFeed, separable_types
from projections.projection import Projection
from projections.shadow import drop_table, shadow_tables, verify_copies
from projections.state import projection_state, state_metadata
from projections.unit import FedRowConflictError, UnitOfWork

log = logging.getLogger("crm.projections")

CATCH_UP_BATCH = 2_000
# 10,000, not more: a batch's rows wait in memory until they are flushed (the timeline's rows
# of 20,000 events held 50 MB of a rebuild's peak).
REBUILD_BATCH = 10_000
REBUILD_TRANSACTION = 200_000
"""Events a rebuild applies per transaction, flushed every `REBUILD_BATCH`; SQLite's
write-ahead log is checkpointed after each, on a thread of its own (see
`BackgroundCheckpoints`). A commit writes every page the transaction changed, and the fresh
tables' keys are random ids, so each commit rewrote most of their key indexes: on the
generated million-event store, one commit per 10,000 events wrote 6.7 GB in all and took
71 s; one per 50,000 wrote 5.5 GB, one per 200,000 4.5 GB and 2 to 4 s less, peak memory
unchanged (the rows are flushed as before; SQLite's page cache spills what does not fit)."""
FEED_FROM = 100_000
"""Events a rebuild must cover before it starts a helper process (see `projections.feed`)."""
REBUILD_BACKLOG = 50_000
"""A projection this far behind (and behind by more than it has applied) is rebuilt, not
caught up: fresh tables filled in bulk beat a row lookup per event (an imported log)."""

Progress = Callable[[int, int], None]
"""Told (events done, events in all) as a rebuild goes."""


@dataclass(frozen=True)
class ProjectionStatus:
    """Where one projection stands against the log."""

    name: str
    version: int
    stored_version: int | None
    checkpoint: int
    lag: int
    rebuilding_at: int | None


@dataclass
class _State:
    version: int | None
    position: int
    building_version: int | None
    building_position: int | None


class ProjectionRunner:
    """Catch projections up with the log, rebuild them, and report their status."""

    def __init__(self, store: SqlEventStore, projections: Sequence[Projection]) -> None:
        self.store = store
        self.projections = {p.name: p for p in projections}
        self._ready = False

    # -- state -------------------------------------------------------------------------------

    def _ensure_state_table(self) -> None:
        """Create the checkpoint table on a new store; a read never takes the write lock
        only to find it there (it would wait behind an import or a rebuild's link fill)."""
        if self._ready:
            return
        with read_transaction(self.store.engine) as conn:
            present = inspect(conn).has_table(projection_state.name)
        if not present:
            with write_transaction(self.store.engine, durable=False) as conn:
                _serialise(conn)
                state_metadata.create_all(conn, checkfirst=True)
        self._ready = True

    def _states(self, conn: Connection, *, lock: bool = False) -> dict[str, _State]:
        query = select(projection_state)
        if lock:
            _serialise(conn)
            query = query.with_for_update()
        return {
            row.name: _State(row.version, row.position, row.building_version, row.building_position)
            for row in conn.execute(query)
        }

    def _needs_rebuild(self, states: dict[str, _State]) -> list[str]:
        """Projections with no live tables of this code's version: they must be built first.

        A rebuild in progress elsewhere (live version current) does not count: readers keep
        the old view meanwhile, and `crm projections rebuild` resumes a killed one.
        """
        return [
            name
            for name, projection in self.projections.items()
            if name not in states or states[name].version != projection.version
        ]

    # -- catch-up ----------------------------------------------------------------------------

    def catch_up(self, fresh: Sequence[RecordedEvent[Event]] = ()) -> int:
        """Apply every event not yet applied; return how many positions were processed.

        `fresh` are events this process just appended: when they are exactly what is missing,
        they are applied as they are, without reading them back from the log.
        """
        self._ensure_state_table()
        head = self.store.head_position()
        with read_transaction(self.store.engine) as conn:
            states = self._states(conn)
        stale = self._needs_rebuild(states)
        stale += [
            name
            for name in self.projections
            if name not in stale and _far_behind(states[name].position, head)
        ]
        if stale:
            self.rebuild(stale)
            with read_transaction(self.store.engine) as conn:
                states = self._states(conn)
        if all(states[name].position >= head for name in self.projections):
            return 0
        processed = 0
        given = {r.position: r for r in fresh}
        while True:
            done = self._catch_up_batch(head, given)
            processed += done
            if done == 0:
                return processed

    def _records(
        self, start: int, end: int, given: dict[int, RecordedEvent[Event]]
    ) -> Iterable[RecordedEvent[Event]]:
        if all(p in given for p in range(start + 1, end + 1)):
            return (given[p] for p in range(start + 1, end + 1))
        return self.store.read_all(after_position=start, up_to=end)

    def _catch_up_batch(self, head: int, given: dict[int, RecordedEvent[Event]]) -> int:
        with write_transaction(self.store.engine, durable=False) as conn:
            states = self._states(conn, lock=True)
            behind = {n: states[n].position for n in self.projections if states[n].position < head}
            if not behind:
                return 0
            start = min(behind.values())
            # Small steps keep a daemon's catch-up short; a large backlog (an import) goes in
            # bigger ones, since each step pays for its lookups and its commit.
            step = CATCH_UP_BATCH if head - start <= CATCH_UP_BATCH * 5 else CATCH_UP_BATCH * 5
            end = min(head, start + step)
            tables = {t: tab for p in self.projections.values() for t, tab in p.tables().items()}
            unit = UnitOfWork(conn, tables)
            targets = [(self.projections[name], checkpoint) for name, checkpoint in behind.items()]
            with collector_paused():  # an import's backlog: tens of thousands of live rows
                _apply_each(unit, self._records(start, end, given), targets)
                unit.flush()
            for name in behind:
                conn.execute(
                    update(projection_state)
                    .where(projection_state.c.name == name)
                    .values(position=end)
                )
            return end - start

    # -- rebuild -----------------------------------------------------------------------------

    def rebuild(
        self,
        names: Iterable[str] | None = None,
        progress: Progress | None = None,
        batch_size: int = REBUILD_TRANSACTION,
    ) -> None:
        """Rebuild projections into fresh tables, then swap them in (resuming a killed run).

        `batch_size` events go in each transaction: the most a killed rebuild loses.
        """
        with collector_running():  # between batches: a short command runs without it
            self._rebuild(names, progress, batch_size)

    def _rebuild(
        self, names: Iterable[str] | None, progress: Progress | None, batch_size: int
    ) -> None:
        self._ensure_state_table()
        chosen = [self.projections[n] for n in (names or self.projections)]
        head = self.store.head_position()
        with write_transaction(self.store.engine, durable=False) as conn:
            states = self._states(conn, lock=True)
            starts = {p.name: self._prepare_rebuild(conn, p, states.get(p.name)) for p in chosen}
        position = min(starts.values(), default=head)
        feed = _feed(self.store, chosen, position, head)
        with BackgroundCheckpoints(self.store.engine) as checkpoints:
            try:
                while position < head:
                    end = min(head, position + batch_size)
                    try:
                        self._rebuild_batch(
                            chosen, position, end, min(batch_size, REBUILD_BATCH), feed
                        )
                    except (FeedError, FedRowConflictError) as error:  # rolled back: alone
                        _going_on_alone(error)
                        if feed is not None:
                            feed.close()
                        feed = None
                        continue
                    position = end
                    checkpoints.start()
                    if progress is not None:  # between transactions: the caller may write
                        progress(position, head)
            finally:
                if feed is not None:
                    feed.close()
        self._swap_in(chosen)  # its commit checkpoints the rest, as any commit does
        if progress is not None:
            progress(head, head)

    def _prepare_rebuild(
        self, conn: Connection, projection: Projection, state: _State | None
    ) -> int:
        """Create (or keep, when resuming) the fresh tables; return where filling resumes."""
        resuming = (
            state is not None
            and state.building_version == projection.version
            and all(inspect(conn).has_table(t.name) for t in shadow_tables(projection).values())
        )
        if resuming and state is not None and state.building_position is not None:
            return state.building_position
        for table in shadow_tables(projection).values():
            table.drop(conn, checkfirst=True)
            table.create(conn)
        values = {"building_version": projection.version, "building_position": 0}
        if state is None:
            conn.execute(
                insert(projection_state).values(
                    name=projection.name, version=None, position=0, **values
                )
            )
        else:
            conn.execute(
                update(projection_state)
                .where(projection_state.c.name == projection.name)
                .values(**values)
            )
        return 0

    def _rebuild_batch(
        self, chosen: list[Projection], start: int, end: int, flush: int, feed: RowFeed | None
    ) -> None:
        with write_transaction(self.store.engine, durable=False, checkpoint=False) as conn:
            states = self._states(conn, lock=True)
            building = {p: _still_building(p, states[p.name], start) for p in chosen}
            active = {p: at for p, at in building.items() if at is not None and at < end}
            tables = {t: tab for p in active for t, tab in shadow_tables(p).items()}
            for part in range(start, end, flush):
                fill_batch(conn, self.store, active, tables, part, min(end, part + flush), feed)
            for projection in active:
                conn.execute(
                    update(projection_state)
                    .where(projection_state.c.name == projection.name)
                    .values(building_position=end)
                )

    def _swap_in(self, chosen: list[Projection]) -> None:
        """Finish the fresh tables up to the head and replace the live ones, atomically."""
        with (
            write_transaction(self.store.engine, durable=False) as conn,
            sorting_memory(conn),  # the links' sort and the indexes' builds
        ):
            states = self._states(conn, lock=True)
            head = self.store.head_position()
            for projection in chosen:
                state = states[projection.name]
                if _still_building(projection, state, 0) is None:
                    continue  # another process swapped it in meanwhile
                fresh = shadow_tables(projection)
                unit = UnitOfWork(conn, fresh, bulk=True)
                for record in self.store.read_all(after_position=state.building_position or 0):
                    if type(record.event) in projection.handles:
                        projection.apply(unit, record)
                unit.flush()
                projection.finalize(conn, fresh)
                for name, live in projection.tables().items():
                    live.drop(conn, checkfirst=True)
                    conn.exec_driver_sql(
                        f'ALTER TABLE "{fresh[name].name}" RENAME TO "{live.name}"'
                    )
                    for index in live.indexes:
                        index.create(conn)
                conn.execute(
                    update(projection_state)
                    .where(projection_state.c.name == projection.name)
                    .values(
                        version=projection.version,
                        position=max(head, state.building_position or 0),
                        building_version=None,
                        building_position=None,
                    )
                )

    def discard_copies(self) -> None:
        """Drop every copy of the read models being built aside: part-way rebuilds (the next
        rebuild starts again) and verifications' copies (a verification running meanwhile
        builds them again). An erasure calls this: those copies hold personal data."""
        with write_transaction(self.store.engine, durable=False) as conn:
            self._states(conn, lock=True)
            for projection in self.projections.values():
                for table in shadow_tables(projection).values():
                    table.drop(conn, checkfirst=True)
            for name in verify_copies(conn, self.projections.values()):
                drop_table(conn, name)
            conn.execute(
                update(projection_state).values(building_version=None, building_position=None)
            )

    # -- status ------------------------------------------------------------------------------

    def status(self) -> list[ProjectionStatus]:
        """Each projection's version, checkpoint and lag behind the log."""
        self._ensure_state_table()
        head = self.store.head_position()
        with read_transaction(self.store.engine) as conn:
            states = self._states(conn)
        report = []
        for name, projection in self.projections.items():
            state = states.get(name)
            position = state.position if state else 0
            report.append(
                ProjectionStatus(
                    name=name,
                    version=projection.version,
                    stored_version=state.version if state else None,
                    checkpoint=position,
                    lag=max(0, head - position),
                    rebuilding_at=state.building_position if state else None,
                )
            )
        return report


def fill_batch(
    conn: Connection,
    store: SqlEventStore,
    done: dict[Projection, int],
    tables: dict[str, Table],
    start: int,
    end: int,
    feed: RowFeed | None = None,
) -> None:
    """Apply the events after `start` up to `end` to fresh tables, in bulk, in one transaction.

    `done` gives each projection the position its fresh tables already hold (a resumed run);
    when every table starts from nothing, no row is looked up before it is written. With a
    `feed`, the separable events' rows come from its helper and the rest from the log.
    """
    empty = start == 0 and not any(done.values())  # a resumed projection's tables hold rows
    unit = UnitOfWork(conn, tables, empty=empty, bulk=True)
    with collector_paused():
        types = feed.skipped if feed is not None else None
        records = store.read_all(after_position=start, up_to=end, types=types)
        if feed is not None:
            resumed = {projection.name: at for projection, at in done.items()}
            for name, fed in feed.take(end):
                if name in resumed:
                    unit.offer(fed.after(resumed[name]))
        _apply_each(unit, records, list(done.items()))
        unit.flush()


def _apply_each(
    unit: UnitOfWork,
    records: Iterable[RecordedEvent[Event]],
    targets: Sequence[tuple[Projection, int]],
) -> None:
    """Apply each record to every target that handles its type and is not past it yet.

    The targets are sorted out once per event type, not tested one by one per event: a
    million-event rebuild would ask five million times.
    """
    by_type: dict[type[Event], list[tuple[Projection, int]]] = {}
    for record in records:
        kind = type(record.event)
        chosen = by_type.get(kind)
        if chosen is None:
            chosen = by_type[kind] = [(p, done) for p, done in targets if kind in p.handles]
        unit.position = record.position
        for projection, done in chosen:
            if record.position > done:
                projection.apply(unit, record)


class RebuildDiscardedError(StoreError):
    """The copies a rebuild was filling were dropped under it (an erasure discards them)."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"the rebuild of {name} was discarded part-way (a person was erased meanwhile); "
            "run it again: crm projections rebuild"
        )


def _still_building(projection: Projection, state: _State, start: int) -> int | None:
    """Where a rebuild of `projection` stands, checked before it goes on from `start`.

    None once another process has swapped it in. A rebuild's copies only ever move forward, so
    a position behind `start`, or no rebuild under way without the new version live, means
    they were discarded (and perhaps begun again by another process): going on would skip
    the events in between, so this raises instead.
    """
    if state.building_version is None:
        if state.version == projection.version:
            return None
        raise RebuildDiscardedError(projection.name)
    position = state.building_position or 0
    if position < start:
        raise RebuildDiscardedError(projection.name)
    return position


def _feed(
    store: SqlEventStore, chosen: Sequence[Projection], position: int, head: int
) -> RowFeed | None:
    """A helper for the separable events, when there are enough of them to repay its start
    (a second Python process: a third of a second)."""
    if head - position < FEED_FROM or not separable_types(chosen):
        return None
    try:
        return RowFeed(store, chosen, position, head)
    except FeedError as error:
        _going_on_alone(error)
        return None


def _going_on_alone(error: FeedError | FedRowConflictError) -> None:
    log.warning("%s; the rebuild goes on without it", error)


def _far_behind(position: int, head: int) -> bool:
    return head - position >= max(REBUILD_BACKLOG, position)


_PG_PROJECTIONS_LOCK = 0x63726D70  # "crmp"


def _serialise(conn: Connection) -> None:
    """One projection writer at a time: SQLite's write lock does it; PostgreSQL needs asking.

    Row locks on the checkpoints are not enough there: two processes building a projection
    for the first time both insert its checkpoint row.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(_PG_PROJECTIONS_LOCK)))
