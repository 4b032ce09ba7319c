"""When each sender last swept, and what it did: for `crm remind status` (not business data)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from weakref import WeakSet

from sqlalchemy import Column, Connection, Engine, Integer, MetaData, String, Table, Text, select
from sqlalchemy.dialects import postgresql, sqlite

from crm.reminders.engine import RunReport
from events.database import read_transaction, write_transaction

metadata = MetaData()

reminder_runs = Table(
    "reminder_runs",
    metadata,
    Column("sender", String(200), primary_key=True),
    Column("started_at", String(40), nullable=False),
    Column("finished_at", String(40), nullable=False),
    Column("sent", Integer, nullable=False),
    Column("failed", Integer, nullable=False),
    Column("skipped", Integer, nullable=False),
    Column("digests", Integer, nullable=False),
    Column("error", Text),
)

_tables_made: WeakSet[Engine] = WeakSet()


def record_run(
    engine: Engine, sender: str, started: datetime, finished: datetime, report: RunReport
) -> None:
    """Keep the latest run of this sender."""
    row = {
        "sender": sender,
        "started_at": started.isoformat(),
        "finished_at": finished.isoformat(),
        "sent": len(report.sent),
        "failed": len(report.failed),
        "skipped": len(report.skipped),
        "digests": report.digests,
        "error": "; ".join(report.errors)[:1000] or None,
    }
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(reminder_runs)
    upsert = statement.on_conflict_do_update(
        index_elements=["sender"], set_={k: statement.excluded[k] for k in row if k != "sender"}
    )
    with write_transaction(engine, durable=False) as conn:
        if engine not in _tables_made:  # once per process, not on every minute's sweep
            metadata.create_all(conn, checkfirst=True)
        conn.execute(upsert, row)
    _tables_made.add(engine)  # after the commit: a rolled-back creation is tried again


def last_runs(engine: Engine) -> list[dict[str, Any]]:
    """Every sender's latest run, newest first."""
    with read_transaction(engine) as conn:
        if not _exists(conn):
            return []
        query = select(reminder_runs).order_by(reminder_runs.c.finished_at.desc())
        return [dict(row) for row in conn.execute(query).mappings()]


def _exists(conn: Connection) -> bool:
    from sqlalchemy import inspect

    return inspect(conn).has_table(reminder_runs.name)
