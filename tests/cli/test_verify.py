"""`crm verify`: the hash chain and every read model against a fresh rebuild, on both backends."""

from __future__ import annotations

import json

import pytest
from typer.testing import Result

from tests.cli.story import OWNER, add_story
from tests.clirunner import assert_one_line_error, crm, crm_json, crm_ok
from tests.conftest import FakeClock
from tests.events.raw import execute, is_sqlite


@pytest.fixture
def db(store_url: str, clock: FakeClock) -> str:
    add_story(store_url)
    crm_ok(
        "log",
        "meeting",
        "--with",
        "Zhao Xuenong",
        "--with",
        "Gary Millar",
        "--on",
        "2016-02-24 10:00",
        "--place",
        "Kunming",
        "--partnership",
        "Liverpool-Kunming",
        "--subject",
        "Signing talks",
        db=store_url,
    )
    crm_ok(
        "correct", "Signing talks", "--set", "subject=Final talks", "--reason", "x", db=store_url
    )
    crm_ok("retract", "trade mission", "--reason", "Logged twice", db=store_url)
    crm_ok(
        "followup",
        "add",
        "Send the minutes",
        "--due",
        "2026-03-10",
        "--about",
        "Liverpool-Kunming",
        db=store_url,
    )
    crm_ok("contact", "add", "Temporary Person", "--email", "temp@example.org", db=store_url)
    crm_ok("forget", "Temporary Person", "--reason", "Asked to be removed", db=store_url)
    return store_url


def drop_guards(url: str) -> None:
    """Remove the append-only triggers, as someone with database access could."""
    if is_sqlite(url):
        execute(url, "DROP TRIGGER events_reject_update")
        execute(url, "DROP TRIGGER events_reject_delete")
    else:
        execute(url, "DROP TRIGGER events_reject_update_delete ON events")


def verify(db: str, *extra: str) -> Result:
    return crm("verify", *extra, "--format", "json", db=db)


def test_verify_passes_on_a_good_store(db: str) -> None:
    report = crm_json("verify", db=db)

    assert report["intact"] is True
    assert report["events_checked"] == crm_json("status", db=db)["events"]
    assert report["projections"] == "match"
    assert report["first_bad_position"] is None
    assert report["first_bad_table"] is None


def test_verify_passes_on_an_empty_store(store_url: str) -> None:
    report = crm_json("verify", db=store_url)

    assert (report["intact"], report["events_checked"]) == (True, 0)


def test_verify_names_the_first_bad_position_after_a_payload_is_altered(db: str) -> None:
    drop_guards(db)
    execute(
        db,
        "UPDATE events SET payload = replace(payload, 'Invest Liverpool', 'Invest Manchester') "
        "WHERE position = 2",
    )

    result = verify(db)

    assert_one_line_error(result, contains="position 2")
    report = json.loads(result.stdout)
    assert (report["intact"], report["first_bad_position"]) == (False, 2)


def test_verify_names_the_earliest_of_two_altered_positions(db: str) -> None:
    drop_guards(db)
    execute(db, "UPDATE events SET actor = 'mallory' WHERE position IN (7, 12)")

    result = verify(db)

    assert_one_line_error(result, contains="position 7")


def test_verify_names_a_deleted_position(db: str) -> None:
    drop_guards(db)
    execute(db, "DELETE FROM events WHERE position = 5")

    result = verify(db)

    assert_one_line_error(result, contains="position 5")
    assert "missing" in result.stderr


def test_verify_notices_a_deleted_last_event(db: str) -> None:
    last = crm_json("status", db=db)["events"]
    drop_guards(db)
    execute(db, f"DELETE FROM events WHERE position = {int(last)}")

    assert_one_line_error(verify(db), contains=f"position {last}")


def test_verify_names_the_table_of_a_read_model_row_altered_behind_its_back(db: str) -> None:
    execute(db, "UPDATE directory_entries SET label = 'x' WHERE label = 'Gary Millar'")

    result = verify(db)

    assert_one_line_error(result, contains="directory_entries")
    assert json.loads(result.stdout)["first_bad_table"] == "directory_entries"


@pytest.mark.parametrize(
    ("statement", "table"),
    [
        pytest.param("DELETE FROM timeline_links", "timeline_links", id="rows-deleted"),
        pytest.param(
            "UPDATE followup_items SET owner_email = 'mallory@example.org'",
            "followup_items",
            id="row-changed",
        ),
        pytest.param(
            "UPDATE upcoming_visits SET is_retracted = false", "upcoming_visits", id="un-retracted"
        ),
        pytest.param(
            "UPDATE timeline_entries SET title = 'Signing talks' WHERE title = 'Final talks'",
            "timeline_entries",
            id="correction-undone",
        ),
    ],
)
def test_verify_names_each_altered_read_model_table(db: str, statement: str, table: str) -> None:
    execute(db, statement)

    assert_one_line_error(verify(db), contains=table)


def test_verify_notices_a_read_model_row_that_no_event_explains(db: str) -> None:
    execute(
        db,
        "INSERT INTO timeline_last_touch (ref_id, ref_kind, at_utc) "
        "VALUES ('00000000-0000-0000-0000-000000000000', 'contact', '2016-01-01T00:00:00Z')",
    )

    assert_one_line_error(verify(db), contains="timeline_last_touch")


def test_chain_only_skips_the_read_models(db: str) -> None:
    execute(db, "UPDATE directory_entries SET label = 'x' WHERE label = 'Gary Millar'")

    report = crm_json("verify", "--chain-only", db=db)

    assert report["intact"] is True
    assert report["projections"] == "not checked"


def test_verify_leaves_no_scratch_tables_and_changes_no_view(db: str) -> None:
    before = crm_json("timeline", "Liverpool-Kunming", db=db)

    crm_ok("verify", db=db)

    if is_sqlite(db):
        tables = execute(db, "SELECT name FROM sqlite_master WHERE type = 'table'")
    else:
        tables = execute(db, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    assert not [name for (name,) in tables if "__" in name]
    assert crm_json("timeline", "Liverpool-Kunming", db=db) == before


def test_a_store_that_passed_verify_keeps_working(db: str) -> None:
    crm_ok("verify", db=db)

    crm_ok("followup", "add", "One more", "--due", "2026-03-11", "--owner", OWNER, db=db)

    assert crm_json("verify", db=db)["intact"] is True


def test_the_report_does_not_say_the_read_models_match_when_a_table_differs(db: str) -> None:
    execute(db, "UPDATE directory_entries SET label = 'x' WHERE label = 'Gary Millar'")

    result = verify(db)

    assert result.exit_code == 1
    assert json.loads(result.stdout)["projections"] == "differ"
