"""What the reminder rules and `crm export ics` read about visits (crm.reminders.inputs)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Column, MetaData, String, Table, Text, update

from crm.commands import missions
from crm.commands.context import CommandContext
from crm.reminders.inputs import load_inputs
from crm.reminders.model import VisitDetails
from crm.reminders.rules import ReminderRules
from events.connect import open_store
from events.database import read_transaction, write_transaction
from events.schemas.missions import MissionPlanned, MissionRescheduled, Place
from events.schemas.values import When
from events.sql_store import SqlEventStore
from projections.catalog import all_projections
from projections.runner import ProjectionRunner
from projections.state import projection_state

SHANGHAI, LONDON = "Asia/Shanghai", "Europe/London"
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def when(day: date, zone: str, at: time | None = None) -> When:
    return When(day=day, local_time=at, timezone=zone)


KUNMING = MissionPlanned(
    mission_id=uuid4(),
    name="Spring mission to Kunming",
    direction="outbound",
    starts=when(date(2026, 3, 20), SHANGHAI, time(9)),
    ends=when(date(2026, 3, 22), SHANGHAI, time(17)),
    places=(Place(name="Kunming", timezone=SHANGHAI),),
)


@pytest.fixture
def store(store_url: str) -> Iterator[SqlEventStore]:
    opened = open_store(store_url, clock=lambda: NOW)
    yield opened
    opened.engine.dispose()


def plan(store: SqlEventStore, mission: MissionPlanned) -> None:
    missions.handle(CommandContext(store, NOW, "officer"), mission, missions.decide_plan)


def visits(store: SqlEventStore) -> dict[str, VisitDetails]:
    ProjectionRunner(store, all_projections()).catch_up()
    with read_transaction(store.engine) as conn:
        inputs = load_inputs(conn, ReminderRules(), NOW, datetime(2026, 4, 30, tzinfo=UTC))
    return {v.details.name: v.details for v in inputs.visits}


def test_a_timed_visit_starts_and_ends_at_its_local_times(store: SqlEventStore) -> None:
    plan(store, KUNMING)

    visit = visits(store)["Spring mission to Kunming"]

    assert visit.starts_at == datetime(2026, 3, 20, 9, tzinfo=ZoneInfo(SHANGHAI))
    assert visit.ends_at == datetime(2026, 3, 22, 17, tzinfo=ZoneInfo(SHANGHAI))
    assert str(visit.starts_at.tzinfo) == SHANGHAI


def test_an_all_day_visit_has_no_times(store: SqlEventStore) -> None:
    all_day = KUNMING.model_copy(
        update={
            "mission_id": uuid4(),
            "starts": when(date(2026, 3, 25), LONDON),
            "ends": when(date(2026, 3, 27), LONDON),
        }
    )
    plan(store, all_day)

    visit = visits(store)["Spring mission to Kunming"]

    assert (visit.starts_on, visit.ends_on) == (date(2026, 3, 25), date(2026, 3, 27))
    assert (visit.starts_at, visit.ends_at) == (None, None)


def test_a_rescheduled_visit_ending_in_another_zone_keeps_that_zone(
    store: SqlEventStore,
) -> None:
    plan(store, KUNMING)
    move = MissionRescheduled(
        mission_id=KUNMING.mission_id,
        starts=when(date(2026, 3, 21), SHANGHAI, time(10, 30)),
        ends=when(date(2026, 3, 23), LONDON, time(18)),
    )
    missions.handle(CommandContext(store, NOW, "officer"), move, missions.decide_reschedule)

    visit = visits(store)["Spring mission to Kunming"]

    assert visit.starts_at == datetime(2026, 3, 21, 10, 30, tzinfo=ZoneInfo(SHANGHAI))
    assert visit.ends_at == datetime(2026, 3, 23, 18, tzinfo=ZoneInfo(LONDON))
    assert visit.timezone == SHANGHAI


def test_a_store_built_by_the_day_only_projection_is_rebuilt_with_the_times(
    store: SqlEventStore,
) -> None:
    plan(store, KUNMING)
    visits(store)
    _downgrade_to_days_only(store)

    visit = visits(store)["Spring mission to Kunming"]

    assert visit.starts_at == datetime(2026, 3, 20, 9, tzinfo=ZoneInfo(SHANGHAI))


def _downgrade_to_days_only(store: SqlEventStore) -> None:
    """Put back the version-1 visits table, which knew only days, as an older release left it."""
    old = Table(
        "upcoming_visits",
        MetaData(),
        Column("mission_id", String(36), primary_key=True),
        *(Column(name, Text) for name in ("name", "direction", "starts_day", "starts_utc")),
        *(Column(name, Text) for name in ("ends_day", "timezone", "places", "status")),
        *(Column(name, Text) for name in ("partnership_ids", "participants", "is_retracted")),
    )
    with write_transaction(store.engine, durable=False) as conn:
        old.drop(conn)
        old.create(conn)
        conn.execute(
            update(projection_state).where(projection_state.c.name == "upcoming").values(version=1)
        )
