"""Engines for the two backends: SQLite files (WAL, immediate write locks) and PostgreSQL."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ARRAY,
    Column,
    Engine,
    MetaData,
    Select,
    String,
    Table,
    any_,
    bindparam,
    create_engine,
    event,
    func,
    select,
    text,
)
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.sql import ColumnElement, Executable, cast, literal

from events.errors import DatabaseUrlError
from events.reader import BUSY_TIMEOUT_MS, Params, Reader

CACHE_KIB = 64_000
"""SQLite's page cache per connection (allocated only as used)."""
SCAN_CACHE_KIB = 2_000
"""The page cache of a connection scanning the log once (see `scan_transaction`)."""
SORT_CACHE_KIB = 16_000
"""The page cache of a connection sorting millions of rows (see `sorting_memory`)."""
WAL_AUTOCHECKPOINT_PAGES = 1_000
"""SQLite's own default: a commit that leaves the write-ahead log longer checkpoints it."""
CONNECT_TIMEOUT_S = 5

_catalog = MetaData()
_sqlite_master = Table(
    "sqlite_master",
    _catalog,
    Column("type", String),
    Column("name", String),
    Column("tbl_name", String),
)
_pg_trigger = Table(
    "pg_trigger",
    _catalog,
    Column("tgname", String),
    Column("tgrelid", String),
    Column("tgenabled", String),
)


def parse_url(raw: str) -> URL:
    """Check a database URL and pick the driver this project uses for it."""
    try:
        url = make_url(raw)
    except ArgumentError as error:
        raise DatabaseUrlError(f"malformed database URL {raw!r}: {error}") from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise DatabaseUrlError("a SQLite URL needs a file path: sqlite:///path/to/crm.db")
        return url.set(drivername="sqlite+pysqlite")
    if backend in {"postgresql", "postgres"}:
        return url.set(drivername="postgresql+psycopg")
    raise DatabaseUrlError(
        f"unsupported database {backend!r}: use sqlite:///PATH or postgresql+psycopg://HOST/DB"
    )


def create_store_engine(raw_url: str) -> Engine:
    """Make an engine for a URL; a new SQLite file is created readable by its owner only."""
    url = parse_url(raw_url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    try:
        return create_engine(url, connect_args={"connect_timeout": CONNECT_TIMEOUT_S})
    except NoSuchModuleError as error:  # pragma: no cover - psycopg is a hard dependency
        raise DatabaseUrlError(str(error)) from None


def _sqlite_engine(url: URL) -> Engine:
    path = Path(str(url.database)).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    engine = create_engine(url.set(database=str(path)))
    event.listen(engine, "connect", _configure_sqlite)
    event.listen(engine, "begin", _begin_sqlite)
    return engine


# None and bools are bound as NULL and integers, as the driver does anyway, but straight from
# its table of adapters. Without an entry it treats them as foreign types: it asks for
# `__adapt__` and `__conform__` first, failed lookups that format an error message each time
# (half a microsecond per value; a rebuild binds about seven per event, an append two).
sqlite3.register_adapter(bool, int)
sqlite3.register_adapter(type(None), lambda value: value)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself, so writers can take the lock up front.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    # FULL: a commit that returned survives power loss, not only a process crash.
    cursor.execute("PRAGMA synchronous = FULL")
    # Deleted rows (erased keys, replaced read-model rows) are zeroed, not left in free pages.
    cursor.execute("PRAGMA secure_delete = ON")
    # Projection rows are keyed by random ids: a 2 MB page cache made a million-event rebuild
    # thrash; 64 MB keeps the hot index pages in memory (allocated only as used).
    cursor.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    cursor.close()


def _begin_sqlite(conn: Connection) -> None:
    mode = "IMMEDIATE" if conn.get_execution_options().get("write_lock") else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


def is_sqlite(engine: Engine) -> bool:
    """Say whether an engine talks to a SQLite file."""
    return engine.dialect.name == "sqlite"


@contextmanager
def write_transaction(
    engine: Engine, *, durable: bool = True, checkpoint: bool = True
) -> Iterator[Connection]:
    """Open a transaction that holds the write lock from its first statement (SQLite).

    `durable=False` is for derived data (read models): its commit may be lost on power failure
    (never half-applied: rows and checkpoint go together), and it skips the wait for the disk.
    `checkpoint=False` leaves SQLite's write-ahead log as its commit finds it, for a caller
    that calls `checkpoint_wal` every few transactions (see there).
    """
    with engine.connect() as conn:
        conn = conn.execution_options(write_lock=True)
        sqlite = conn.dialect.name == "sqlite"
        driver: Any = conn.connection.driver_connection
        if sqlite and not durable:
            driver.execute("PRAGMA synchronous = NORMAL")
        if sqlite and not checkpoint:
            driver.execute("PRAGMA wal_autocheckpoint = 0")
        try:
            with conn.begin():
                if not durable and conn.dialect.name == "postgresql":
                    conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
                yield conn
        finally:
            if sqlite and not durable:
                driver.execute("PRAGMA synchronous = FULL")
            if sqlite and not checkpoint:
                driver.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")


def checkpoint_wal(engine: Engine) -> None:
    """Copy SQLite's write-ahead log into the database file, as far as readers allow.

    SQLite does this after any commit that leaves the log over 1,000 pages. A rebuild's
    batches each rewrite many of the same index pages (its keys are random ids), and each of
    those checkpoints copied them again: one every eight batches took a million-event rebuild
    from 97 to 87 s. PASSIVE: it never waits for a reader. PostgreSQL has nothing to do.
    """
    if is_sqlite(engine):
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")


class BackgroundCheckpoints:
    """`checkpoint_wal` on a thread of its own, one at a time, while the caller writes on.

    A checkpoint copies the log into the database file and waits for the disk twice; a
    rebuild that waited for each took 10 of its 60 s on the generated million-event store.
    SQLite lets a writer append to the log while a checkpoint copies what was committed
    before (the log only starts over once a checkpoint has copied all of it). The driver
    lets go of Python's lock while SQLite works, so the wait overlaps the next batch.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._running: threading.Thread | None = None
        self._failure: BaseException | None = None

    def __enter__(self) -> BackgroundCheckpoints:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        """Wait for the checkpoint under way; when an error is already on its way out, that
        error is the one to tell."""
        if kind is None:
            self.wait()
        else:
            with suppress(Exception):
                self.wait()

    def start(self) -> None:
        """Checkpoint what has been committed so far, once the previous checkpoint is done."""
        self.wait()
        if is_sqlite(self.engine):
            self._running = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
            self._running.start()

    def _run(self) -> None:
        try:
            checkpoint_wal(self.engine)
        except BaseException as error:  # raised again in the caller's thread, by `wait`
            self._failure = error

    def wait(self) -> None:
        """Wait for the checkpoint under way, if any; raise what stopped it."""
        if self._running is not None:
            self._running.join()
            self._running = None
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """Open a read transaction: one consistent snapshot for everything read inside it.

    PostgreSQL's default (READ COMMITTED) takes a snapshot per statement; REPEATABLE READ keeps
    one for the transaction, as SQLite's read transactions do. A read-only transaction never
    fails for it.
    """
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


@contextmanager
def scan_transaction(engine: Engine) -> Iterator[Connection]:
    """A read transaction for one pass over many rows: on SQLite with a small page cache.

    A scan reads each page once, so caching it helps nobody; with the usual 64 MB the reading
    connection of a rebuild filled its own cache beside the writer's, 60 MB of its peak.
    """
    with engine.connect() as conn, page_cache(conn, SCAN_CACHE_KIB), conn.begin():
        yield conn


@contextmanager
def sorting_memory(conn: Connection) -> Iterator[None]:
    """Hold SQLite's page cache, and so its sorter's memory, to `SORT_CACHE_KIB` meanwhile,
    and let the sorter work on a second thread.

    The sorter takes as much memory as the page cache may: a rebuild's swap-in, sorting the
    2.9 million links of the generated million-event store beside its full 64 MB cache, rose
    from 165 to 234 MB. With 16 MB for both, the sort took as long (6.4 to 7.5 s either way).
    A second thread sorts runs while the first reads on: the links took 6.5 s instead of 9.5,
    for 11 MB more at the peak (the rebuild's helper process has ended by then, and the
    second core is free).
    """
    with page_cache(conn, SORT_CACHE_KIB), sqlite_pragma(conn, "threads", 1, 0):
        yield


def page_cache(conn: Connection, kib: int) -> AbstractContextManager[None]:
    """Give a SQLite connection a page cache of `kib` meanwhile, then the usual one back
    (nothing on PostgreSQL)."""
    return sqlite_pragma(conn, "cache_size", -kib, -CACHE_KIB)


@contextmanager
def sqlite_pragma(conn: Connection, name: str, value: int, usual: int) -> Iterator[None]:
    """Set a SQLite connection's pragma meanwhile, then back to its usual value (nothing on
    PostgreSQL): the connection goes back to the pool for others."""
    driver: Any = conn.connection.driver_connection if conn.dialect.name == "sqlite" else None
    if driver is None:
        yield
        return
    driver.execute(f"PRAGMA {name} = {value}")
    try:
        yield
    finally:
        # A connection that broke meanwhile must not hide the error that broke it.
        with suppress(sqlite3.Error):
            driver.execute(f"PRAGMA {name} = {usual}")


def member_of(
    conn: Connection, column: ColumnElement[Any], values: Iterable[str]
) -> ColumnElement[bool]:
    """`column IN (values)` with every value bound as one parameter: one query for any number.

    SQLAlchemy renders an `IN` list value by value, and the backends cap bound parameters;
    a JSON array (SQLite's `json_each`) or an array (PostgreSQL's `ANY`) goes across whole.
    """
    if isinstance(values, str):
        raise TypeError("member_of takes a collection of values, not one string")
    listed = [str(value) for value in values]
    if len(listed) == 1:
        return column == listed[0]
    if conn.dialect.name != "sqlite":
        return column == any_(bindparam(None, listed, type_=ARRAY(String)))
    if any("\x00" in value for value in listed):
        return column.in_(listed)  # json_each ends a text at NUL; no id holds one
    members = func.json_each(bindparam(None, json.dumps(listed))).table_valued("value")
    return column.in_(select(members.c.value))


def _regclass() -> Any:
    from sqlalchemy.dialects.postgresql import REGCLASS  # only PostgreSQL users pay for it

    return REGCLASS


def installed_guards(conn: Connection) -> set[str]:
    """Name the enabled triggers on the events table."""
    if conn.dialect.name == "sqlite":
        query = select(_sqlite_master.c.name).where(
            _sqlite_master.c.type == "trigger", _sqlite_master.c.tbl_name == "events"
        )
    else:
        query = select(_pg_trigger.c.tgname).where(
            _pg_trigger.c.tgrelid == cast(literal("events"), _regclass()),
            _pg_trigger.c.tgenabled.in_(["O", "A"]),
        )
    return set(conn.execute(query).scalars())


def fetch_tuples(conn: Connection, query: Select[Any]) -> list[tuple[Any, ...]]:
    """Run a select and return plain tuples; SQLite rows go straight from the driver.

    Only for queries whose columns need no type conversion (text and integers): on a large
    read, SQLAlchemy's row processing cost as much as SQLite's own work.
    """
    if conn.dialect.name != "sqlite":
        return [tuple(row) for row in conn.execute(query)]
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    values = [params[name] for name in compiled.positiontup or ()]
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        rows: list[tuple[Any, ...]] = cursor.execute(str(compiled), values).fetchall()
    finally:
        cursor.close()
    return rows


class AlchemyReader(Reader):
    """A reader inside a SQLAlchemy transaction: SQLite's rows straight from its driver,
    PostgreSQL's through `text()` (which turns `:name` into the driver's own style)."""

    errors = (DBAPIError, sqlite3.Error)  # SQLite: its driver raises; PostgreSQL: wrapped

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.dialect = conn.dialect.name

    def rows(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        return self._named_rows(sql, params)[1]

    def _named_rows(
        self, sql: str, params: Params | None
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        if self.dialect == "sqlite":
            cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            try:
                rows = cursor.execute(sql, dict(params or {})).fetchall()
                return [column[0] for column in cursor.description], rows
            finally:
                cursor.close()
        result = self.conn.execute(text(sql), dict(params or {}))
        return list(result.keys()), [tuple(row) for row in result]


class Prepared:
    """A statement compiled once per backend; on SQLite it runs straight through the driver.

    The single-event append runs five statements; building and compiling them each time
    through SQLAlchemy cost more than SQLite's own work, fsync included.
    """

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._sqlite: tuple[str, list[str], dict[str, Any]] | None = None

    def _compiled(self, conn: Connection) -> tuple[str, list[str], dict[str, Any]]:
        if self._sqlite is None:
            compiled = self.statement.compile(dialect=conn.dialect)  # type: ignore[attr-defined]
            names = list(compiled.positiontup or ())
            defaults = {name: bind.value for name, bind in compiled.binds.items()}
            self._sqlite = (str(compiled), names, defaults)
        return self._sqlite

    def _values(self, conn: Connection, params: dict[str, Any]) -> tuple[str, list[Any]]:
        sql, names, defaults = self._compiled(conn)
        return sql, [params[name] if name in params else defaults[name] for name in names]

    def rows(self, conn: Connection, **params: Any) -> list[tuple[Any, ...]]:
        """Run the statement and return its rows as plain tuples."""
        if conn.dialect.name != "sqlite":
            result = conn.execute(self.statement, params)
            return [tuple(row) for row in result] if result.returns_rows else []
        sql, values = self._values(conn, params)
        driver = conn.connection.driver_connection
        with _as_sqlalchemy_errors(sql, values):
            return list(driver.execute(sql, values).fetchall())  # type: ignore[union-attr]

    def run_dicts(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        """Run the statement once per parameter dict, in bulk."""
        if conn.dialect.name != "sqlite":
            conn.execute(self.statement, rows)
            return
        sql, order, _ = self._compiled(conn)
        pick = itemgetter(*order)
        values = [pick(row) for row in rows] if len(order) > 1 else [(pick(r),) for r in rows]
        with _as_sqlalchemy_errors(sql, values):
            conn.connection.driver_connection.executemany(sql, values)  # type: ignore[union-attr]

    def run_many(self, conn: Connection, names: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        """Run the statement once per row; `rows` hold values in the order of `names`."""
        if conn.dialect.name != "sqlite":
            conn.execute(self.statement, [dict(zip(names, row, strict=True)) for row in rows])
            return
        sql, order, _ = self._compiled(conn)
        if order != list(names):
            raise ValueError(f"parameter order {order} does not match {list(names)}")
        with _as_sqlalchemy_errors(sql, rows):
            conn.connection.driver_connection.executemany(sql, rows)  # type: ignore[union-attr]


@contextmanager
def _as_sqlalchemy_errors(sql: str, params: Any) -> Iterator[None]:
    """Raise driver errors as SQLAlchemy's, as if the statement had gone through it."""
    try:
        yield
    except sqlite3.Error as error:
        raise DBAPIError.instance(sql, params, error, sqlite3.Error) from error
