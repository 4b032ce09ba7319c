"""A helper process that computes a rebuild's separable rows while the rebuild applies the rest.

Most of a log is interactions, and each adds one timeline row computed from the event alone
(`Projection.separable`). Reading, decoding and turning them into rows took a third of a
million-event rebuild on one core; a second process does it beside the rebuild, which reads
only the other events and offers the rows to its unit of work batch by batch, as tuples in
the tables' column order (`UnitOfWork.offer`), writing them in the same transactions as
before. The helper only reads: its rows travel over a pipe in frames (each after its length)
that say how far along the log they cover, written by `marshal` (plain values only: a
third faster both ways than pickle, and both ends are the same Python). Should the helper
fail, the rebuild logs why and goes on alone from its last commit.

Run as `python -P -m projections.feed`; the rebuild writes what to read on its stdin as JSON.
"""

from __future__ import annotations

import contextlib
import json
import marshal
import os
import queue
import subprocess
import sys
import tempfile
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from operator import itemgetter
from typing import IO, Any

from sqlalchemy import Table

from events.envelope import RecordedEvent
from events.errors import StoreError
from events.event import Event
from events.sql_store import SqlEventStore, TypeFilter
from projections.projection import Projection
from projections.unit import FedRows, Row, UnitOfWork

HELPER = ("-P", "-m", "projections.feed")
"""How the helper is started: its arguments to this Python (`-P`: never from the current
directory, where a stray `events.py` would be imported instead of ours)."""
FRAME_EVENTS = 1_000
"""Separable events per frame at most: a frame of interactions takes about 1.1 MB."""
FRAME_BYTES = 1_000_000
"""Text per frame at most (long summaries make large rows), roughly its size."""
FRAME_SPAN = 10_000
"""Positions per frame at most: where separable events are few, the rebuild (holding the
write lock) waits no longer than the helper takes to read this far."""
FRAMES_AHEAD = 12
"""Frames received but not yet used, at most: how far the helper may run ahead, more than a
rebuild's flush takes at once (`REBUILD_BATCH`), so the rebuild seldom waits. They wait as
bytes in the rebuild's memory (about 12 MB at most), which must stay within its budget."""

Frame = tuple[int, list[tuple[str, str, list[int], list[tuple[Any, ...]]]]]
"""(covered up to position, [(projection, table, positions, rows), ...]): every separable row
of the events up to that position not sent in an earlier frame, each a tuple of its table's
columns beside its event's position."""


class FeedError(StoreError):
    """The helper process did not start, or stopped before it had sent every row."""


def separable_types(projections: Iterable[Projection]) -> frozenset[type[Event]]:
    """The event types a helper may take over: separable for every projection that handles
    them (a type one of them needs decoded stays with the rebuild)."""
    chosen = list(projections)
    candidates = frozenset().union(*(p.separable for p in chosen))
    return frozenset(
        kind
        for kind in candidates
        if all(kind in p.separable or kind not in p.handles for p in chosen)
    )


class RowFeed:
    """The rebuild's end of the helper: starts it, hands its rows over batch by batch."""

    def __init__(
        self, store: SqlEventStore, projections: Sequence[Projection], after: int, up_to: int
    ) -> None:
        self.types = separable_types(projections)
        self.skipped = TypeFilter(frozenset(t.event_type() for t in self.types), keep=False)
        # A file, not a pipe: a pipe nobody reads could stall the helper. `close` closes it.
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115
        order = {
            "url": store.engine.url.render_as_string(hide_password=False),
            "projections": [p.name for p in projections if p.separable & self.types],
            "types": sorted(t.event_type() for t in self.types),
            "after": after,
            "up_to": up_to,
            "frame": [FRAME_EVENTS, FRAME_BYTES, FRAME_SPAN],
        }
        self._covered = after
        self._waiting: dict[tuple[str, str], FedRows] = {}
        self._frames: queue.Queue[bytes | None] = queue.Queue(FRAMES_AHEAD)
        self._pump = threading.Thread(target=self._receive, name="row-feed", daemon=True)
        # Its own session: a Ctrl-C or a service manager's signal to the group reaches the
        # rebuild, which stops the helper itself (`close`); the helper does not fail first.
        try:
            self._process = subprocess.Popen(  # noqa: S603 - this Python, our own module
                [sys.executable, *HELPER],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._errors,
                start_new_session=True,
            )
        except OSError as error:
            self._errors.close()
            raise FeedError(f"the rebuild's helper process did not start: {error}") from None
        try:
            stdin: IO[bytes] = self._process.stdin  # type: ignore[assignment]
            stdin.write(json.dumps(order).encode())  # the URL may hold a password: not in argv
            stdin.close()
            self._pump.start()
        except BaseException as error:
            self.close()
            if isinstance(error, Exception):
                raise FeedError(f"the rebuild's helper process did not start: {error}") from None
            raise

    def _receive(self) -> None:
        """Take the helper's frames off the pipe as they come (the GIL is free while this
        thread waits): left in the pipe, they would hold the helper back to the rebuild's
        pace, and the two processes took turns instead of working at once."""
        stdout: IO[bytes] = self._process.stdout  # type: ignore[assignment]
        try:
            while True:
                head = stdout.read(8)
                size = int.from_bytes(head, "little")
                body = stdout.read(size) if len(head) == 8 else b""
                if len(head) < 8 or len(body) < size:
                    return  # the end: after the last frame, or cut short by a failure
                self._frames.put(body)
        finally:
            self._frames.put(None)  # whatever ended this thread, the rebuild must not wait on

    def take(self, up_to: int) -> list[tuple[str, FedRows]]:
        """The rows of the events up to `up_to` not taken yet: (projection, rows) per table."""
        while self._covered < up_to:
            self._read_frame()
        due = []
        for (projection, table), waiting in self._waiting.items():
            cut = bisect_right(waiting.positions, up_to)
            if cut:
                fed = FedRows(table, waiting.positions[:cut], waiting.rows[:cut])
                del waiting.positions[:cut], waiting.rows[:cut]
                due.append((projection, fed))
        return due

    def _read_frame(self) -> None:
        body = self._frames.get()
        if body is None:
            self._frames.put(None)  # a later call finds the end too
            raise FeedError(f"the rebuild's helper process stopped: {self._failure()}")
        covered, tables = marshal.loads(body)  # noqa: S302 - our own child's, over a pipe
        for projection, table, positions, rows in tables:
            waiting = self._waiting.get((projection, table))
            if waiting is None:
                self._waiting[projection, table] = FedRows(table, positions, rows)
            else:
                waiting.positions += positions
                waiting.rows += rows
        self._covered = covered

    def _failure(self) -> str:
        self._process.wait()
        self._errors.seek(0)
        lines = self._errors.read().splitlines()
        return lines[-1].decode(errors="replace") if lines else f"exit {self._process.returncode}"

    def close(self) -> None:
        """Stop the helper (it may be part-way when the rebuild failed) and reap it."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        if self._process.stdin is not None:
            self._process.stdin.close()
        while self._pump.is_alive():  # it ends at the pipe's end, once it has room to say so
            with contextlib.suppress(queue.Empty):
                self._frames.get(timeout=0.1)
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._errors.close()


class _Collecting(UnitOfWork):
    """A unit that only takes new rows, as tuples of their tables' columns: what a separable
    event may do in bulk."""

    def __init__(self, tables: Mapping[str, Table]) -> None:
        self.bulk = True
        self.added: list[tuple[str, tuple[Any, ...]]] = []
        self._columns: dict[str, Callable[[Row], tuple[Any, ...]]] = {
            name: _values_of([column.name for column in table.columns])
            for name, table in tables.items()
        }

    def add(self, name: str, row: Row) -> Row:
        self.added.append((name, self._columns[name](row)))
        return row

    def get(self, name: str, *key: Any) -> Row | None:
        raise TypeError(f"a separable event looked up a row of {name}")

    def put(self, name: str, row: Row) -> Row:
        raise TypeError(f"a separable event replaced a row of {name}")

    def change(self, name: str, *key: Any, **values: Any) -> Row | None:
        raise TypeError(f"a separable event changed a row of {name}")

    def remove(self, name: str, *key: Any) -> None:
        raise TypeError(f"a separable event removed a row of {name}")


def _values_of(columns: list[str]) -> Callable[[Row], tuple[Any, ...]]:
    """A row's values in the order of `columns`, as a tuple (even of one)."""
    if len(columns) == 1:
        (column,) = columns
        return lambda row: (row[column],)
    return itemgetter(*columns)


def frames(
    store: SqlEventStore,
    projections: Sequence[Projection],
    types: TypeFilter,
    after: int,
    up_to: int,
    limits: Sequence[int] = (FRAME_EVENTS, FRAME_BYTES, FRAME_SPAN),
) -> Iterator[Frame]:
    """The helper's work: every separable row after `after` up to `up_to`, frame by frame
    (each closed at `limits`: separable events, text, positions)."""
    most_events, most_text, most_span = limits
    unit = _Collecting({name: t for p in projections for name, t in p.tables().items()})
    waiting: dict[tuple[str, str], tuple[list[int], list[tuple[Any, ...]]]] = {}
    kinds = {kind.event_type(): kind for p in projections for kind in p.separable}
    applying: dict[type[Event], list[Projection]] = {}
    began, events, text = after, 0, 0
    for item in store.read_plain(after, up_to=up_to, types=types):
        record: RecordedEvent[Event] | None = None
        if isinstance(item, RecordedEvent):
            record, position, kind = item, item.position, type(item.event)
        else:  # undecoded: the event's JSON as stored
            position, name, stored = item
            kind = kinds[name]
        targets = applying.get(kind)
        if targets is None:
            targets = applying[kind] = [p for p in projections if kind in p.separable]
        for projection in targets:
            if record is None:
                projection.apply_plain(unit, position, kind, stored)
            else:
                projection.apply(unit, record)
            for table, row in unit.added:
                positions, rows = waiting.setdefault((projection.name, table), ([], []))
                positions.append(position)
                rows.append(row)
                text += sum(len(value) for value in row if type(value) is str)
            unit.added.clear()
        events += 1
        if events >= most_events or text >= most_text or position - began >= most_span:
            yield position, _listed(waiting)
            began, events, text, waiting = position, 0, 0, {}
    yield up_to, _listed(waiting)


def _listed(
    waiting: dict[tuple[str, str], tuple[list[int], list[tuple[Any, ...]]]],
) -> list[tuple[str, str, list[int], list[tuple[Any, ...]]]]:
    return [(projection, table, *rows) for (projection, table), rows in waiting.items()]


def main() -> None:
    """Read the order on stdin, write the frames on stdout; exit at the end or a broken pipe."""
    from events.collector import collector_paused
    from events.connect import open_store
    from projections.catalog import all_projections

    order = json.loads(sys.stdin.read())
    store = open_store(order["url"], create=False)
    chosen = [p for p in all_projections() if p.name in order["projections"]]
    types = TypeFilter(frozenset(order["types"]))
    out = sys.stdout.buffer
    try:
        with collector_paused():
            limits = order["frame"]
            for frame in frames(store, chosen, types, order["after"], order["up_to"], limits):
                body = marshal.dumps(frame)
                out.write(len(body).to_bytes(8, "little"))
                out.write(body)
                out.flush()
    except BrokenPipeError:  # the rebuild stopped (or was killed): nothing left to do
        # What is still buffered for stdout must not fail again at exit (Python's advice).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    finally:
        store.engine.dispose()


if __name__ == "__main__":
    main()
