"""`crm forget`: erasure by deleting a person's key, end to end on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
import subprocess
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from crm.exchange.erasure import forget as erase
from events.connect import open_store
from projections.catalog import all_projections
from projections.runner import ProjectionRunner
from tests.cli.story import OWNER, add_story
from tests.clirunner import assert_one_line_error, crm, crm_json, crm_ok
from tests.conftest import FakeClock
from tests.events.raw import execute
from tests.reliability import workers

FAMILY = "Xuenongzz"
GIVEN = "Meiqiao"
PERSON = f"{FAMILY} {GIVEN}"
NATIVE = "薛农子美巧"
EMAIL = "zhao.unique@kunming.example.cn"
PHONE = "+86 871 6363 1234"
NOTES = "Handles the Dianchi lake port file"
SECRETS = (FAMILY, GIVEN, NATIVE, EMAIL, PHONE, "6363 1234", NOTES)
"""What must not survive anywhere: names in both scripts, address, number, notes."""

AT_VISIT_REMINDER = ("--at", "2026-03-02 08:00 Europe/London")


@pytest.fixture
def smtp_env(smtp_sink: Any) -> dict[str, str]:
    return {
        "CRM_SMTP_HOST": smtp_sink.host,
        "CRM_SMTP_PORT": str(smtp_sink.port),
        "CRM_SMTP_SECURITY": "none",
        "CRM_SMTP_SENDER": "reminders@liverpool.example",
    }


@pytest.fixture
def db(store_url: str, clock: FakeClock) -> str:
    return seed(store_url)


def seed(store_url: str) -> str:
    """The story, plus one of our own people who goes on next week's mission."""
    add_story(store_url)
    crm_ok(
        "contact",
        "add",
        PERSON,
        "--family-name-first",
        "--native-name",
        NATIVE,
        "--org",
        "Liverpool",
        "--title",
        "China Desk Officer",
        "--since",
        "2020-01-01",
        "--email",
        EMAIL,
        "--phone",
        PHONE,
        "--timezone",
        "Europe/London",
        db=store_url,
    )
    crm_ok("correct", PERSON, "--set", f"notes={NOTES}", "--reason", "Briefing", db=store_url)
    crm_ok(
        "mission",
        "add",
        "Spring mission to Kunming",
        "--direction",
        "outbound",
        "--start",
        "2026-03-09",
        "--end",
        "2026-03-13",
        "--place",
        "Kunming",
        "--partnership",
        "Liverpool-Kunming",
        "--head",
        "Joe Anderson",
        "--participant",
        PERSON,
        db=store_url,
    )
    crm_ok(
        "log",
        "meeting",
        "--with",
        PERSON,
        "--with",
        "Zhao Xuenong",
        "--on",
        "2016-02-24 10:00",
        "--place",
        "Kunming",
        "--partnership",
        "Liverpool-Kunming",
        "--subject",
        "Port talks",
        db=store_url,
    )
    return store_url


def person_id(db: str) -> str:
    return str(crm_json("contact", "show", EMAIL, db=db)["id"])


def head(db: str) -> int:
    return int(crm_json("status", db=db)["events"])


def log_mentioning_meeting(db: str) -> str:
    created = crm_json(
        "log",
        "meeting",
        "--with",
        "Zhao Xuenong",
        "--on",
        "2016-03-01 10:00",
        "--place",
        "Kunming",
        "--partnership",
        "Liverpool-Kunming",
        "--subject",
        "Port figures",
        "--summary",
        f"{PERSON} promised to send the port figures.",
        db=db,
    )
    return str(created["id"])


def traces(blob: bytes) -> list[str]:
    """Which of the person's details appear in some bytes (case-insensitively)."""
    lowered = blob.lower()
    return [s for s in SECRETS if s.lower().encode() in lowered]


# -- mentions in free text -----------------------------------------------------------------


def test_forget_refuses_while_a_meeting_summary_names_the_person_and_lists_it(db: str) -> None:
    meeting = log_mentioning_meeting(db)
    before = head(db)

    result = crm(
        "forget", PERSON, "--reason", "Subject access request 114", "--format", "json", db=db
    )

    assert_one_line_error(result, contains="--yes")
    assert [(m["id"], m["kind"], m["title"]) for m in json.loads(result.stdout)] == [
        (meeting, "meeting", "Port figures")
    ]
    assert head(db) == before
    assert crm_json("contact", "show", EMAIL, db=db)["name"] == PERSON


def test_forget_lists_a_followup_they_own_by_email(db: str) -> None:
    crm_ok("followup", "add", "Book the hotel", "--due", "2026-03-05", "--owner", EMAIL, db=db)

    result = crm("forget", EMAIL, "--reason", "SAR", "--format", "json", db=db)

    assert_one_line_error(result, contains="still name this person")
    assert [m["title"] for m in json.loads(result.stdout)] == ["Follow-up: Book the hotel"]


def test_forget_lists_another_contact_whose_notes_name_the_person(db: str) -> None:
    crm_ok("contact", "add", "Wang Lei", "--notes", f"Deputy to {PERSON}", db=db)

    result = crm("forget", PERSON, "--reason", "SAR 114", "--format", "json", db=db)

    assert_one_line_error(result, contains="still name this person")


def test_forget_shows_the_other_contact_by_id_kind_and_name(db: str) -> None:
    other = crm_json("contact", "add", "Wang Lei", "--notes", f"Deputy to {PERSON}", db=db)["id"]

    result = crm("forget", EMAIL, "--reason", "SAR 114", "--format", "json", db=db)

    assert [(m["id"], m["kind"], m["title"]) for m in json.loads(result.stdout)] == [
        (other, "contact", "Wang Lei")
    ]


def test_forget_with_yes_counts_a_directory_mention_as_left(db: str) -> None:
    crm_ok("contact", "add", "Wang Lei", "--notes", f"Ask {EMAIL} first", db=db)

    report = crm_json("forget", PERSON, "--reason", "SAR 114", "--yes", db=db)

    assert report["mentions_left"] == 1


def test_other_erased_contacts_do_not_count_as_mentions(db: str) -> None:
    crm_ok("contact", "add", "Plain Person", "--email", "plain@example.org", db=db)
    crm_ok("forget", "Plain Person", "--reason", "SAR 115", db=db)

    report = crm_json("forget", PERSON, "--reason", "SAR 114", db=db)
    again = crm("forget", report["erased"], "--reason", "Again", db=db)

    assert report["mentions_left"] == 0
    assert_one_line_error(again, contains="erased already")


def test_forget_with_yes_erases_even_though_a_summary_names_them(db: str) -> None:
    log_mentioning_meeting(db)
    erased = person_id(db)

    report = crm_json("forget", PERSON, "--reason", "SAR 114", "--yes", db=db)

    assert report == {"erased": erased, "mentions_left": 1}
    assert crm_json("contact", "show", erased, db=db)["name"] == "[erased]"


def test_forget_proceeds_once_the_naming_entry_is_retracted(db: str) -> None:
    meeting = log_mentioning_meeting(db)
    refused = crm("forget", PERSON, "--reason", "SAR 114", db=db)

    crm_ok("retract", meeting, "--reason", "Names a person being erased", db=db)
    report = crm_json("forget", PERSON, "--reason", "SAR 114", db=db)

    assert refused.exit_code == 1
    assert report["mentions_left"] == 0


# -- what erasure leaves -------------------------------------------------------------------


def test_after_forget_every_view_shows_erased_in_their_place(db: str) -> None:
    erased = person_id(db)

    crm_ok("forget", PERSON, "--reason", "SAR 114", db=db)
    shown = crm_json("contact", "show", erased, db=db)
    timeline = crm_json("timeline", "Liverpool-Kunming", db=db)
    (meeting,) = [i for i in timeline["items"] if i["title"] == "Port talks"]
    own_timeline = crm_json("timeline", erased, db=db)

    assert shown["name"] == "[erased]"
    assert shown["native_name"] == "[erased]"
    assert shown["emails"] == ["[erased]"]
    assert shown["phones"] == ["[erased]"]
    assert shown["notes"] == "[erased]"
    assert sorted(p["name"] for p in meeting["people"]) == ["Zhao Xuenong", "[erased]"]
    assert "[erased]" in json.dumps(own_timeline, ensure_ascii=False)
    for view in (shown, timeline, own_timeline, crm_json("contact", "list", db=db)):
        assert traces(json.dumps(view, ensure_ascii=False).encode()) == []


def test_after_forget_the_person_cannot_be_found_by_name_or_email(db: str) -> None:
    crm_ok("forget", PERSON, "--reason", "SAR 114", db=db)

    by_name = crm("contact", "show", PERSON, db=db)
    by_email = crm("contact", "show", EMAIL, db=db)

    assert_one_line_error(by_name, contains="no contact called")
    assert_one_line_error(by_email, contains="no contact called")


def test_other_people_stay_intact(db: str) -> None:
    before = {c["id"]: c for c in crm_json("contact", "list", db=db)}
    erased = person_id(db)

    crm_ok("forget", PERSON, "--reason", "SAR 114", db=db)
    after = {c["id"]: c for c in crm_json("contact", "list", db=db)}

    del before[erased]
    assert {k: v for k, v in after.items() if k != erased} == before
    assert crm_json("contact", "show", "Zhao Xuenong", db=db)["emails"] == ["zhao@km.example.cn"]


def test_the_chain_stays_intact_and_the_views_equal_a_rebuild(db: str) -> None:
    crm_ok("contact", "add", "Plain Person", "--email", "plain@example.org", db=db)

    crm_ok("forget", "Plain Person", "--reason", "SAR 115", db=db)
    report = crm_json("verify", db=db)

    assert (report["intact"], report["projections"]) == (True, "match")


def test_the_views_equal_a_rebuild_after_erasing_someone_whose_details_were_corrected(
    db: str,
) -> None:
    crm_ok("forget", PERSON, "--reason", "SAR 114", db=db)

    report = crm_json("verify", db=db)

    assert (report["intact"], report["first_bad_table"]) == (True, None)


def test_a_rebuild_after_erasure_leaves_the_timeline_as_it_was(db: str) -> None:
    erased = person_id(db)
    crm_ok("forget", PERSON, "--reason", "SAR 114", db=db)
    before = crm_json("timeline", erased, db=db)

    crm_ok("projections", "rebuild", db=db)

    assert crm_json("timeline", erased, db=db) == before
    assert "Corrected contact details: personal details" in json.dumps(before)


def test_the_erasure_is_an_event_with_who_when_and_why_but_not_what(db: str) -> None:
    erased = person_id(db)

    crm_ok("--actor", "data.protection", "forget", PERSON, "--reason", "SAR 114", db=db)
    stream = crm_json("events", "--stream", f"contact-{erased}", db=db)
    forgotten = stream[-1]

    assert forgotten["type"] == "ContactForgotten"
    assert forgotten["actor"] == "data.protection"
    assert forgotten["recorded_at"].startswith("2026-03-02T09:30")
    assert forgotten["data"] == {"contact_id": erased, "reason": "SAR 114"}
    assert all(e["is_erased"] for e in stream if e["type"] == "ContactRegistered")
    assert traces(json.dumps(stream, ensure_ascii=False).encode()) == []


def test_forgetting_twice_is_one_line_and_writes_nothing(db: str) -> None:
    erased = person_id(db)
    crm_ok("forget", PERSON, "--reason", "SAR 114", db=db)
    before = head(db)

    result = crm("forget", erased, "--reason", "Again", db=db)

    assert_one_line_error(result, contains="erased already")
    assert head(db) == before


def test_an_erased_person_takes_no_new_personal_data(db: str) -> None:
    erased = person_id(db)
    crm_ok("forget", PERSON, "--reason", "SAR 114", db=db)

    result = crm("correct", erased, "--set", "emails=back@example.org", "--reason", "x", db=db)

    assert_one_line_error(result, contains="erased")


def test_forget_needs_a_reason_and_a_known_person(db: str) -> None:
    assert_one_line_error(crm("forget", PERSON, db=db), code=2, contains="--reason")
    assert_one_line_error(
        crm("forget", "Nobody Known", "--reason", "x", db=db), contains="no contact called"
    )


def test_exports_after_forget_carry_no_trace_of_the_person(db: str, tmp_path: Path) -> None:
    erased = person_id(db)
    crm_ok("forget", PERSON, "--reason", "SAR 114", db=db)
    log = tmp_path / "log.jsonl"
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"

    crm_ok("export", "events", str(log), db=db)
    crm_ok("import", "events", str(log), db=fresh)
    cards = crm_ok("export", "vcard", db=db).stdout

    assert traces(log.read_bytes()) == []
    assert traces(cards.encode()) == []
    assert erased not in cards
    assert crm_json("contact", "show", erased, db=fresh)["name"] == "[erased]"


# -- reminders -----------------------------------------------------------------------------


def test_reminders_reach_them_before_and_never_after_erasure(
    db: str, smtp_env: dict[str, str], smtp_sink: Any
) -> None:
    crm_ok("remind", "send", *AT_VISIT_REMINDER, db=db, env=smtp_env)
    before = {to for m in smtp_sink.messages for to in m.rcpt_tos}
    crm_ok("forget", PERSON, "--reason", "SAR 114", db=db)
    count = len(smtp_sink.messages)

    crm_ok("remind", "send", "--at", "2026-03-08 08:00 Europe/London", db=db, env=smtp_env)
    after = {to for m in smtp_sink.messages[count:] for to in m.rcpt_tos}
    status = crm_json("remind", "status", db=db)

    assert before == {OWNER, EMAIL}
    assert after == {OWNER}
    assert traces(json.dumps(status).encode()) == []


# -- the bytes on disk ---------------------------------------------------------------------


def make_the_person_everywhere(db: str, smtp_env: dict[str, str], tmp_path: Path) -> bytes:
    """Send reminders, verify and rebuild views, export; return the person's key."""
    crm_ok("remind", "send", *AT_VISIT_REMINDER, db=db, env=smtp_env)
    crm_ok("verify", db=db)
    crm_ok("projections", "rebuild", db=db)
    erased = person_id(db)
    log = tmp_path / "before.jsonl"
    crm_ok("export", "events", str(log), db=db)
    for line in log.read_text(encoding="utf-8").splitlines():
        value = json.loads(line)
        if value.get("subject") == erased:
            return base64.b64decode(value["key"])
    raise AssertionError("the person's key was not exported")


def sqlite_bytes(url: str) -> bytes:
    path = Path(str(make_url(url).database))
    files = [path, path.with_name(path.name + "-wal")]
    return b"".join(f.read_bytes() for f in files if f.exists())


def test_no_plaintext_or_key_of_the_person_remains_in_the_sqlite_files(
    sqlite_url: str, clock: FakeClock, smtp_env: dict[str, str], tmp_path: Path
) -> None:
    db_ = seed(sqlite_url)
    key = make_the_person_everywhere(db_, smtp_env, tmp_path)
    seen = sqlite_bytes(db_)
    assert {FAMILY, EMAIL, PHONE} <= set(traces(seen))  # the check sees them before erasure
    assert key in seen

    crm_ok("forget", PERSON, "--reason", "SAR 114", db=db_)
    raw = sqlite_bytes(db_)

    assert traces(raw) == []
    assert key not in raw
    assert b"zhao@km.example.cn" in raw  # the directory still holds other people's details
    assert crm_json("contact", "show", "zhao@km.example.cn", db=db_)["name"] == "Zhao Xuenong"


def test_a_new_sqlite_store_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "private.db"

    crm_ok("contact", "add", PERSON, "--email", EMAIL, db=f"sqlite:///{path}")

    assert path.stat().st_mode & 0o777 == 0o600


def schema_of(url: str) -> str:
    options = str(make_url(url).query["options"])
    return options.removeprefix("-csearch_path=")


def pg_dump(url: str) -> bytes:
    parsed = make_url(url)
    command = [
        "pg_dump",
        "-h",
        str(parsed.host or "127.0.0.1"),
        "-p",
        str(parsed.port or 5432),
        "-U",
        str(parsed.username or "postgres"),
        "-n",
        schema_of(url),
        str(parsed.database),
    ]
    return subprocess.run(command, check=True, capture_output=True).stdout


def test_no_plaintext_or_key_of_the_person_remains_in_a_postgres_dump(
    postgres_url: str, clock: FakeClock, smtp_env: dict[str, str], tmp_path: Path
) -> None:
    db_ = seed(postgres_url)
    key = make_the_person_everywhere(db_, smtp_env, tmp_path)
    seen = pg_dump(db_)
    assert {FAMILY, EMAIL, PHONE} <= set(traces(seen))  # the check sees them before erasure
    assert key.hex().encode() in seen

    crm_ok("forget", PERSON, "--reason", "SAR 114", db=db_)
    dump = pg_dump(db_)

    assert traces(dump) == []
    assert key.hex().encode() not in dump
    assert b"zhao@km.example.cn" in dump  # the directory still holds other people's details
    assert crm_json("contact", "show", "zhao@km.example.cn", db=db_)["name"] == "Zhao Xuenong"


class _StopError(Exception):
    pass


def _stop_when_filled(position: int, head: int) -> None:
    if position == head:
        raise _StopError  # every row built aside, not yet swapped in: as a killed rebuild leaves it


def copies_left_with_the_person(url: str) -> set[str]:
    """A part-way rebuild's copies and a killed verification's, holding the person's details."""
    store = open_store(url)
    try:
        runner = ProjectionRunner(store, all_projections())
        with pytest.raises(_StopError):
            runner.rebuild(progress=_stop_when_filled, batch_size=50)
        stamp = f"{int(time.time())}_0123abcd"
        execute(
            url,
            f"CREATE TABLE directory_entries__verify_{stamp} AS SELECT * FROM directory_entries",
        )
        with store.engine.connect() as conn:
            return {t for t in inspect(conn).get_table_names() if "__" in t}
    finally:
        store.engine.dispose()


def test_forget_drops_the_copies_a_killed_rebuild_or_verification_left(
    db: str, store_url: str
) -> None:
    copies = copies_left_with_the_person(db)
    assert any(t.endswith("__rebuild") for t in copies)
    assert any("__verify_" in t for t in copies)
    seen = b"".join(
        json.dumps(execute(db, f"SELECT * FROM {t}"), default=str).encode() for t in copies
    )
    assert EMAIL.encode() in seen  # the copies do hold the person

    crm_ok("forget", PERSON, "--reason", "SAR 114", db=db)

    assert {t for t in tables_of(db) if "__" in t} == set()
    assert crm_json("projections", "status", db=db)  # the next command runs as usual
    crm_ok("verify", db=db)


def test_forget_run_again_finishes_one_killed_after_its_erasure(db: str, store_url: str) -> None:
    erased = person_id(db)
    copies = copies_left_with_the_person(db)
    app = workers.services(db)
    erase(app.command_context(), UUID(erased), "SAR 114")  # then killed: nothing cleared
    app.close()
    assert copies <= tables_of(db)

    result = crm("forget", erased, "--reason", "SAR 114", db=db)

    assert_one_line_error(result, contains="erased already")
    assert {t for t in tables_of(db) if "__" in t} == set()


def tables_of(url: str) -> set[str]:
    store = open_store(url)
    with store.engine.connect() as conn:
        names = set(inspect(conn).get_table_names())
    store.engine.dispose()
    return names


def raw_pages(url: str) -> bytes:
    """Every page of every table, index and TOAST table of the schema, dead rows included."""
    execute(url, f'CREATE EXTENSION IF NOT EXISTS pageinspect SCHEMA "{schema_of(url)}"')
    relations = execute(
        url,
        "WITH mine AS (SELECT c.oid, c.relkind, c.reltoastrelid FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i')), "
        "toast AS (SELECT reltoastrelid AS oid FROM mine WHERE reltoastrelid <> 0) "
        "SELECT oid::regclass::text FROM mine UNION ALL SELECT oid::regclass::text FROM toast "
        "UNION ALL SELECT indexrelid::regclass::text FROM pg_index "
        "WHERE indrelid IN (SELECT oid FROM toast)",
    )
    pages = []
    for (relation,) in relations:
        rows = execute(
            url,
            "SELECT get_raw_page(?, b::int) FROM "
            "generate_series(0, pg_relation_size(?::regclass) / 8192 - 1) AS b",
            (relation, relation),
        )
        pages.extend(bytes(page) for (page,) in rows)
    return b"".join(pages)


def test_postgres_pages_keep_no_dead_copy_of_the_person_or_their_key(
    postgres_url: str, clock: FakeClock, smtp_env: dict[str, str], tmp_path: Path
) -> None:
    db_ = seed(postgres_url)
    key = make_the_person_everywhere(db_, smtp_env, tmp_path)
    seen = raw_pages(db_)
    assert {FAMILY, EMAIL, PHONE} <= set(traces(seen))  # the check sees them before erasure
    assert key in seen

    crm_ok("forget", PERSON, "--reason", "SAR 114", db=db_)
    pages = raw_pages(db_)

    assert traces(pages) == []
    assert key not in pages
