"""Timelines, upcoming, stale and search through the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from tests.cli.story import add_story
from tests.clirunner import assert_one_line_error, crm, crm_json, crm_ok
from tests.conftest import FakeClock


@pytest.fixture
def db(store_url: str, clock: FakeClock) -> str:
    add_story(store_url)
    return store_url


def log_meeting(db: str, when: str, subject: str, *extra: str) -> str:
    created = crm_json(
        "log",
        "meeting",
        "--with",
        "Guan Qinghua",
        "--with",
        "Joe Anderson",
        "--on",
        when,
        "--place",
        "Kunming",
        "--partnership",
        "Liverpool-Kunming",
        "--subject",
        subject,
        *extra,
        db=db,
    )
    return str(created["id"])


def sign(db: str) -> str:
    created = crm_json(
        "sign",
        "Friendship Partnership Agreement",
        "--partnership",
        "Liverpool-Kunming",
        "--on",
        "2016-02-25",
        "--place",
        "Kunming",
        "--signatory",
        "Gary Millar",
        "--signatory",
        "Zhao Xuenong",
        "--witness",
        "Ellen Cutler",
        "--expires",
        "2026-03-20",
        db=db,
    )
    return str(created["id"])


def items(db: str, ref: str, *args: str) -> list[dict[str, Any]]:
    return list(crm_json("timeline", ref, *args, db=db)["items"])


def test_the_timeline_is_in_the_order_things_happened_with_titles_then(db: str) -> None:
    sign(db)
    log_meeting(db, "2015-09-16 10:00", "First talks")
    crm_ok(
        "contact",
        "role",
        "Zhao Xuenong",
        "--org",
        "Kunming",
        "--title",
        "Mayor",
        "--since",
        "2021-01-01",
        db=db,
    )

    entries = items(db, "Liverpool-Kunming", "--kind", "meeting,signing,mission")

    assert [e["kind"] for e in entries] == ["mission", "meeting", "signing"]
    assert entries[1]["occurred_at"] == "2015-09-16T10:00:00+08:00"
    signatories = {p["name"]: p["title"] for p in entries[2]["people"]}
    assert signatories["Vice Mayor Zhao Xuenong".replace("Vice Mayor ", "")] == "Vice Mayor"


def test_people_carry_the_title_of_each_day_around_their_role_changes(db: str) -> None:
    crm_ok(
        "contact",
        "role",
        "Guan Qinghua",
        "--org",
        "Kunming",
        "--title",
        "Executive Vice Mayor",
        "--since",
        "2020-03-01",
        db=db,
    )  # the open Vice Mayor role ends the day before
    days = ["2014-12-31", "2015-01-01", "2020-02-29", "2020-03-01", "2019-06-01", "2021-06-01"]
    for day in days:
        crm_ok(
            "log",
            "meeting",
            "--with",
            "Zhao Xuenong",
            "--with",
            "Guan Qinghua",
            "--on",
            f"{day} 10:00",
            "--partnership",
            "Liverpool-Kunming",
            "--subject",
            f"Talks on {day}",
            db=db,
        )

    titles = {
        e["title"].removeprefix("Talks on "): {p["name"]: p["title"] for p in e["people"]}
        for e in items(db, "Liverpool-Kunming", "--kind", "meeting")
    }

    assert titles == {
        "2014-12-31": {"Zhao Xuenong": None, "Guan Qinghua": "Vice Mayor"},
        "2015-01-01": {"Zhao Xuenong": "Vice Mayor", "Guan Qinghua": "Vice Mayor"},
        "2019-06-01": {"Zhao Xuenong": "Vice Mayor", "Guan Qinghua": "Vice Mayor"},
        "2020-02-29": {"Zhao Xuenong": "Vice Mayor", "Guan Qinghua": "Vice Mayor"},
        "2020-03-01": {"Zhao Xuenong": "Vice Mayor", "Guan Qinghua": "Executive Vice Mayor"},
        "2021-06-01": {"Zhao Xuenong": "Vice Mayor", "Guan Qinghua": "Executive Vice Mayor"},
    }


def test_the_header_shows_parties_status_sectors_and_agreements(db: str) -> None:
    sign(db)

    report = crm_json("timeline", "Liverpool-Kunming", db=db)

    assert report["parties"] == ["Liverpool City Council", "Kunming Municipal People's Government"]
    assert report["status"] == "active"
    assert report["sectors"] == ["trade and investment", "education"]
    assert report["agreements"][0]["expires_on"] == "2026-03-20"


def test_a_corrected_entry_shows_corrected_values_with_a_marker(db: str) -> None:
    meeting = log_meeting(db, "2015-09-17 10:00", "Talks")

    crm_ok(
        "correct",
        meeting,
        "--set",
        "held_at=2015-09-16 10:00",
        "--set",
        "subject=First talks",
        "--reason",
        "Wrong day",
        db=db,
    )
    (entry,) = items(db, "Liverpool-Kunming", "--kind", "meeting")

    assert entry["title"] == "First talks"
    assert entry["occurred_at"] == "2015-09-16T10:00:00+08:00"
    assert entry["is_corrected"] is True
    assert entry["corrections"] == ["Wrong day"]


def test_a_retracted_entry_leaves_the_timeline(db: str) -> None:
    meeting = log_meeting(db, "2015-09-16 10:00", "Duplicate talks")

    crm_ok("retract", meeting, "--reason", "Duplicate", db=db)

    assert items(db, "Liverpool-Kunming", "--kind", "meeting") == []


def test_as_of_shows_what_was_known_then(db: str, clock: FakeClock) -> None:
    meeting = log_meeting(db, "2015-09-17 10:00", "Talks")
    clock.advance(days=10)
    crm_ok("correct", meeting, "--set", "subject=First talks", "--reason", "Clearer", db=db)
    clock.advance(days=10)
    crm_ok("retract", meeting, "--reason", "Never happened", db=db)

    before = items(db, "Liverpool-Kunming", "--kind", "meeting", "--as-of", "2026-03-05")
    between = items(db, "Liverpool-Kunming", "--kind", "meeting", "--as-of", "2026-03-15")
    now = items(db, "Liverpool-Kunming", "--kind", "meeting")

    assert [e["title"] for e in before] == ["Talks"]
    assert before[0]["is_corrected"] is False
    assert [e["title"] for e in between] == ["First talks"]
    assert now == []


def test_as_of_answers_the_status_true_on_that_day(db: str) -> None:
    crm_ok(
        "partnership",
        "status",
        "Liverpool-Kunming",
        "negotiating",
        "--reason",
        "Drafts",
        "--on",
        "2015-10-01",
        db=db,
    )
    sign(db)

    assert crm_json("timeline", "Liverpool-Kunming", "--as-of", "2015-12-31", db=db)["status"] == (
        "negotiating"
    )
    assert crm_json("timeline", "Liverpool-Kunming", db=db)["status"] == "active"


def test_from_and_to_bound_the_period(db: str) -> None:
    log_meeting(db, "2015-09-16 10:00", "First talks")
    log_meeting(db, "2016-02-24 18:00", "Banquet talks")

    only = items(
        db, "Liverpool-Kunming", "--kind", "meeting", "--from", "2016-01-01", "--to", "2016-12-31"
    )

    assert [e["title"] for e in only] == ["Banquet talks"]


def test_contact_organisation_and_mission_timelines(db: str) -> None:
    log_meeting(db, "2015-09-16 10:00", "First talks", "--mission", "trade mission")

    by_contact = items(db, "Guan Qinghua")
    by_org = items(db, "Kunming Municipal People's Government", "--kind", "meeting")
    by_mission = items(db, "trade mission")

    assert [e["title"] for e in by_contact] == ["First talks"]
    assert [e["title"] for e in by_org] == ["First talks"]
    assert {e["kind"] for e in by_mission} == {"mission", "meeting"}


def test_every_report_format_renders_and_escapes_user_text(db: str, tmp_path: Path) -> None:
    log_meeting(db, "2015-09-16 10:00", "Talks", "--summary", "<script>alert(1)</script>")
    sign(db)

    markdown = crm_ok("timeline", "Liverpool-Kunming", "--format", "md", db=db).stdout
    crm_ok(
        "timeline",
        "Liverpool-Kunming",
        "--format",
        "html",
        "--output",
        str(tmp_path / "report.html"),
        db=db,
    )
    html = (tmp_path / "report.html").read_text()
    rows = list(
        csv.DictReader(
            io.StringIO(crm_ok("timeline", "Liverpool-Kunming", "-f", "csv", db=db).stdout)
        )
    )
    table = crm_ok("timeline", "Liverpool-Kunming", db=db).stdout

    assert "Friendship Partnership Agreement" in markdown
    assert "<script>" not in markdown
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert "<svg" in html
    assert {r["kind"] for r in rows} >= {"meeting", "signing"}
    assert "Talks" in table


def test_upcoming_lists_visits_followups_and_expiries_in_order(db: str) -> None:
    sign(db)
    crm_ok(
        "mission",
        "add",
        "Kunming delegation",
        "--direction",
        "inbound",
        "--start",
        "2026-03-10",
        "--end",
        "2026-03-12",
        "--place",
        "Liverpool",
        "--partnership",
        "Liverpool-Kunming",
        db=db,
    )
    crm_ok(
        "followup",
        "add",
        "Book the hotel",
        "--due",
        "2026-03-05",
        "--about",
        "Kunming delegation",
        "--owner",
        "events@liverpool.example",
        db=db,
    )
    crm_ok(
        "followup",
        "add",
        "Overdue thanks",
        "--due",
        "2026-02-20",
        "--owner",
        "events@liverpool.example",
        db=db,
    )

    lines = crm_json("upcoming", "--days", "30", db=db)
    mine = crm_json("upcoming", "--days", "30", "--owner", "events@liverpool.example", db=db)

    assert [(x["kind"], x["title"]) for x in lines] == [
        ("followup", "Overdue thanks"),
        ("followup", "Book the hotel"),
        ("visit", "Kunming delegation"),
        ("expiry", "Friendship Partnership Agreement"),
    ]
    assert lines[0]["overdue"] is True
    assert [x["title"] for x in mine] == ["Overdue thanks", "Book the hotel"]


def test_stale_lists_what_has_gone_quiet(db: str, clock: FakeClock) -> None:
    log_meeting(db, "2026-01-10 10:00", "New year call")

    partnerships = crm_json("stale", "--days", "30", db=db)
    contacts = {c["name"] for c in crm_json("stale", "--days", "30", "--level", "contact", db=db)}
    fresh = crm_json("stale", "--days", "90", db=db)

    assert [p["name"] for p in partnerships] == ["Liverpool-Kunming Friendship"]
    assert partnerships[0]["days_quiet"] == 51
    assert "Zhao Xuenong" in contacts
    assert "Guan Qinghua" in contacts
    assert fresh == []


def test_search_finds_names_and_entry_text(db: str) -> None:
    log_meeting(db, "2015-09-16 10:00", "Talks", "--summary", "Discussed the tea exhibition")

    hits = crm_json("search", "tea exhibition", db=db)
    people = crm_json("search", "qinghua", db=db)

    assert [h["label"] for h in hits] == ["Talks"]
    assert [h["label"] for h in people] == ["Guan Qinghua"]


def test_projections_report_status_and_rebuild_to_the_same_rows(db: str) -> None:
    sign(db)
    before = crm_json("timeline", "Liverpool-Kunming", db=db)

    crm_ok("projections", "rebuild", db=db)
    after = crm_json("timeline", "Liverpool-Kunming", db=db)
    status = crm_json("projections", "status", db=db)

    assert {s["name"] for s in status} >= {"directory", "timeline", "followups", "upcoming"}
    assert all(s["lag"] == 0 and s["stored_version"] == s["version"] for s in status)
    before.pop("generated_at")
    after.pop("generated_at")
    assert after == before


def test_an_unknown_projection_is_a_usage_error(db: str) -> None:
    assert_one_line_error(crm("projections", "rebuild", "nope", db=db), 2, contains="known:")


def test_a_changed_projection_version_is_rebuilt_on_first_use(db: str) -> None:
    from tests.events.raw import execute

    sign(db)
    execute(db, "UPDATE projection_state SET version = 0 WHERE name = 'timeline'")

    report = crm_json("timeline", "Liverpool-Kunming", db=db)
    status = {s["name"]: s for s in crm_json("projections", "status", db=db)}

    assert status["timeline"]["stored_version"] == status["timeline"]["version"]
    assert any(item["kind"] == "signing" for item in report["items"])
    assert json.dumps(report)


def test_a_read_does_not_wait_for_a_writer_holding_the_lock(sqlite_url: str) -> None:
    """SQLite's WAL lets readers go on beside a writer (an import, a rebuild's link fill):
    a read on current views must not ask for the write lock at all."""
    add_story(sqlite_url)
    sign(sqlite_url)  # the views are current after it
    writer = sqlite3.connect(make_url(sqlite_url).database or "", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # held by "another process" throughout the read
    try:
        shown = items(sqlite_url, "Liverpool-Kunming")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert any(item["kind"] == "signing" for item in shown)
