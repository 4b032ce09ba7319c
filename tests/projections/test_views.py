"""The cheap check a read makes first: are the views current? Wrong either way is a defect:
a false yes shows stale views, a false no loads every projection for nothing."""

from __future__ import annotations

from uuid import uuid4

from sqlalchemy import Engine, update

from events.connect import open_engine, open_store
from events.database import read_transaction, write_transaction
from events.reader import reader_of
from events.schemas.contacts import ContactRegistered
from events.tables import store_meta
from projections.catalog import all_projections
from projections.runner import ProjectionRunner
from projections.state import projection_state
from projections.views import VIEW_VERSIONS, views_current
from tests.clirunner import crm_json, crm_ok
from tests.probe import heavy_modules_after


def views_current_in(engine: Engine) -> bool:
    with read_transaction(engine) as conn:
        return views_current(reader_of(conn))


def test_the_checked_versions_are_the_catalogs() -> None:
    assert {p.name: p.version for p in all_projections()} == VIEW_VERSIONS


def test_views_are_current_only_when_every_one_has_applied_the_whole_log(
    runner: ProjectionRunner,
) -> None:
    engine = runner.store.engine
    assert views_current_in(engine)

    late = uuid4()
    runner.store.append(
        f"contact-{late}", [ContactRegistered(contact_id=late, family_name="Li")], 0
    )
    assert not views_current_in(engine), "a new event left unapplied"
    runner.catch_up()
    assert views_current_in(engine)

    with write_transaction(engine) as conn:
        conn.execute(
            update(projection_state).where(projection_state.c.name == "upcoming").values(version=1)
        )
    assert not views_current_in(engine), "a projection of an older version"


def test_a_store_of_another_schema_version_is_not_current(runner: ProjectionRunner) -> None:
    engine = runner.store.engine
    with write_transaction(engine) as conn:
        conn.execute(
            update(store_meta).where(store_meta.c.name == "schema_version").values(value="2")
        )
    assert not views_current_in(engine)


def test_a_new_store_is_not_current(sqlite_url: str) -> None:
    engine = open_engine(sqlite_url)
    assert not views_current_in(engine)
    engine.dispose()


def test_a_read_of_current_views_loads_no_event_model_and_a_stale_one_catches_up(
    store_url: str,
) -> None:
    crm_ok("demo", db=store_url)
    db = ["--db", store_url]
    plain = "" if store_url.startswith("sqlite") else "sqlalchemy"  # SQLite: its stdlib driver
    assert heavy_modules_after(*db, "timeline", "liverpool-kunming", "--format", "json") == plain
    assert heavy_modules_after(*db, "upcoming", "--format", "json") == plain
    # a mistyped reference is reported without loading what could not have raised
    assert heavy_modules_after(*db, "timeline", "liverpool-kunmnig", exit_code=1) == plain

    late = uuid4()  # written by another process: this one's views have not seen it
    other = open_store(store_url)
    other.append(f"contact-{late}", [ContactRegistered(contact_id=late, family_name="Wang")], 0)
    other.engine.dispose()
    assert "pydantic" in heavy_modules_after(*db, "contact", "list", "--format", "json")
    listed = {c["id"] for c in crm_json("contact", "list", db=store_url)}
    assert str(late) in listed
