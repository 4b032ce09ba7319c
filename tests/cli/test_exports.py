"""`crm export vcard|ics|events`, `crm import events` and `crm backup`, end to end."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from crm.exchange import event_log
from events.connect import open_store
from events.schemas.organisations import OrganisationRegistered
from tests.cli.story import OWNER, add_story
from tests.clirunner import assert_one_line_error, crm, crm_json, crm_ok
from tests.conftest import FakeClock


@pytest.fixture
def db(store_url: str, clock: FakeClock) -> str:
    add_story(store_url)
    return store_url


def head(db: str) -> int:
    return int(crm_json("status", db=db)["events"])


def mode_of(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def add_reachable_people(db: str) -> None:
    """People with several emails and phones, a title and an honorific."""
    crm_ok(
        "contact",
        "add",
        "Ellen Cutler-Hughes",
        "--honorific",
        "Dr",
        "--org",
        "Invest Liverpool",
        "--title",
        "Head of Asia Desk",
        "--email",
        "ellen@invest.example",
        "--email",
        "e.hughes@invest.example",
        "--phone",
        "+44 151 555 0100",
        "--phone",
        "+44 7700 900123",
        db=db,
    )
    crm_ok(
        "correct",
        "Zhao Xuenong",
        "--set",
        "phones=+86 871 6363 0000",
        "--reason",
        "Card received",
        db=db,
    )


# -- vCard ---------------------------------------------------------------------------------


def read_cards(text: str) -> dict[str, Any]:
    import vobject

    cards = list(vobject.readComponents(text))
    return {card.fn.value: card for card in cards}


def values(card: Any, name: str) -> list[str]:
    return [line.value for line in card.contents.get(name, [])]


def test_exported_vcards_parse_and_carry_names_emails_phones_org_and_title(
    db: str, tmp_path: Path
) -> None:
    add_reachable_people(db)
    out = tmp_path / "contacts.vcf"

    crm_ok("export", "vcard", "--output", str(out), db=db)
    cards = read_cards(out.read_text(encoding="utf-8"))
    ellen, zhao = cards["Ellen Cutler-Hughes"], cards["Zhao Xuenong"]

    assert len(cards) == 6
    assert (ellen.n.value.family, ellen.n.value.given, ellen.n.value.prefix) == (
        "Cutler-Hughes",
        "Ellen",
        "Dr",
    )
    assert values(ellen, "email") == ["ellen@invest.example", "e.hughes@invest.example"]
    assert values(ellen, "tel") == ["+44 151 555 0100", "+44 7700 900123"]
    assert values(ellen, "org") == [["Invest Liverpool"]]
    assert values(ellen, "title") == ["Head of Asia Desk"]
    assert (zhao.n.value.family, zhao.n.value.given) == ("Zhao", "Xuenong")
    assert values(zhao, "email") == ["zhao@km.example.cn"]
    assert values(zhao, "tel") == ["+86 871 6363 0000"]
    assert values(zhao, "org") == [["Kunming Municipal People's Government"]]
    assert values(zhao, "title") == ["Vice Mayor"]


def test_vcards_go_to_stdout_without_output(db: str) -> None:
    result = crm_ok("export", "vcard", db=db)

    cards = read_cards(result.stdout)

    assert sorted(cards) == [
        "Ellen Cutler",
        "Gary Millar",
        "Guan Qinghua",
        "Joe Anderson",
        "Zhao Xuenong",
    ]
    assert all(card.version.value == "3.0" for card in cards.values())


def test_each_card_is_identified_by_the_contact_id(db: str) -> None:
    zhao = crm_json("contact", "show", "Zhao Xuenong", db=db)

    cards = read_cards(crm_ok("export", "vcard", db=db).stdout)

    assert cards["Zhao Xuenong"].uid.value == f"{zhao['id']}@trade-mission-crm"


def test_a_retracted_contact_is_not_exported(db: str) -> None:
    crm_ok("retract", "Ellen Cutler", "--reason", "Duplicate", db=db)

    cards = read_cards(crm_ok("export", "vcard", db=db).stdout)

    assert "Ellen Cutler" not in cards


def test_vcards_exported_then_imported_into_a_fresh_store_keep_every_person(
    db: str, tmp_path: Path
) -> None:
    crm_ok("correct", "Zhao Xuenong", "--set", "native_name=赵学农", "--reason", "Card", db=db)
    out = tmp_path / "contacts.vcf"
    crm_ok("export", "vcard", "--output", str(out), db=db)
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"

    crm_ok("import", "vcard", str(out), db=fresh)

    def people(url: str) -> list[tuple[Any, ...]]:
        return sorted(
            (c["name"], c["native_name"], c["honorific"], tuple(c["emails"]), tuple(c["titles"]))
            for c in crm_json("contact", "list", db=url)
        )

    assert people(fresh) == people(db)


# -- iCalendar -----------------------------------------------------------------------------


def plan_the_spring(db: str) -> None:
    """A timed visit to Kunming, an all-day visit, a timed and an all-day follow-up."""
    crm_ok(
        "mission",
        "add",
        "Spring mission to Kunming",
        "--direction",
        "outbound",
        "--start",
        "2026-03-20 09:00",
        "--end",
        "2026-03-22 17:00",
        "--place",
        "Kunming",
        "--partnership",
        "Liverpool-Kunming",
        "--head",
        "Gary Millar",
        db=db,
    )
    crm_ok(
        "mission",
        "add",
        "Kunming delegation to Liverpool",
        "--direction",
        "inbound",
        "--start",
        "2026-03-25",
        "--end",
        "2026-03-27",
        "--place",
        "Liverpool",
        "--partnership",
        "Liverpool-Kunming",
        db=db,
    )
    crm_ok(
        "followup",
        "add",
        "Call Kunming about the hotel",
        "--due",
        "2026-03-10 15:00",
        "--about",
        "Liverpool-Kunming",
        db=db,
    )
    for text, due in (("Send the programme", "2026-03-12"), ("Plan the autumn", "2026-09-01")):
        crm_ok("followup", "add", text, "--due", due, "--about", "Kunming", "--owner", OWNER, db=db)


def calendar_of(text: str | bytes) -> Any:
    from icalendar import Calendar

    return Calendar.from_ical(text)


def events_by_summary(calendar: Any) -> dict[str, Any]:
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


def zones_in(calendar: Any) -> set[str]:
    return {str(z["TZID"]) for z in calendar.walk("VTIMEZONE")}


def test_ics_export_parses_and_holds_visits_and_open_followups(db: str, tmp_path: Path) -> None:
    plan_the_spring(db)
    out = tmp_path / "crm.ics"

    crm_ok("export", "ics", "--days", "30", "--output", str(out), db=db)
    events = events_by_summary(calendar_of(out.read_bytes()))

    assert sorted(events) == [
        "Follow-up: Call Kunming about the hotel",
        "Follow-up: Send the programme",
        "Kunming delegation to Liverpool",
        "Spring mission to Kunming",
    ]
    delegation = events["Kunming delegation to Liverpool"]
    assert delegation.decoded("DTSTART").isoformat() == "2026-03-25"
    assert delegation.decoded("DTEND").isoformat() == "2026-03-28"  # exclusive end
    assert len({str(e["UID"]) for e in events.values()}) == 4


def test_a_timed_followup_carries_its_tzid_and_the_calendar_its_vtimezone(db: str) -> None:
    plan_the_spring(db)

    calendar = calendar_of(crm_ok("export", "ics", "--days", "30", db=db).stdout)
    call = events_by_summary(calendar)["Follow-up: Call Kunming about the hotel"]

    assert call["DTSTART"].params["TZID"] == "Europe/London"
    assert call.decoded("DTSTART").isoformat() == "2026-03-10T15:00:00+00:00"
    assert "Europe/London" in zones_in(calendar)


def test_a_timed_visit_carries_its_zone_and_the_calendar_its_vtimezone(db: str) -> None:
    plan_the_spring(db)

    calendar = calendar_of(crm_ok("export", "ics", "--days", "30", db=db).stdout)
    visit = events_by_summary(calendar)["Spring mission to Kunming"]

    assert visit["DTSTART"].params.get("TZID") == "Asia/Shanghai"
    assert visit.decoded("DTSTART").isoformat() == "2026-03-20T09:00:00+08:00"
    assert "Asia/Shanghai" in zones_in(calendar)


def test_utc_export_has_no_vtimezone_and_every_time_ends_in_z(db: str) -> None:
    plan_the_spring(db)

    text = crm_ok("export", "ics", "--days", "30", "--utc", db=db).stdout
    calendar = calendar_of(text)
    starts = [line for line in text.splitlines() if line.startswith(("DTSTART", "DTEND"))]
    timed = [line for line in starts if "VALUE=DATE" not in line]

    assert zones_in(calendar) == set()
    assert "TZID" not in text
    assert timed
    assert all(line.endswith("Z") for line in timed)
    call = events_by_summary(calendar)["Follow-up: Call Kunming about the hotel"]
    assert call.decoded("DTSTART").isoformat() == "2026-03-10T15:00:00+00:00"


def test_days_limits_how_far_ahead_the_calendar_reaches(db: str) -> None:
    plan_the_spring(db)

    near = events_by_summary(calendar_of(crm_ok("export", "ics", "--days", "14", db=db).stdout))
    far = events_by_summary(calendar_of(crm_ok("export", "ics", "--days", "365", db=db).stdout))

    assert "Spring mission to Kunming" not in near
    assert "Follow-up: Plan the autumn" not in near
    assert "Follow-up: Send the programme" in near
    assert "Follow-up: Plan the autumn" in far


def test_done_and_retracted_entries_leave_the_calendar(db: str) -> None:
    plan_the_spring(db)
    crm_ok("followup", "done", "Send the programme", db=db)
    crm_ok("retract", "Kunming delegation to Liverpool", "--reason", "Off", db=db)

    events = events_by_summary(calendar_of(crm_ok("export", "ics", "--days", "30", db=db).stdout))

    assert "Follow-up: Send the programme" not in events
    assert "Kunming delegation to Liverpool" not in events


def add_visit(db: str, name: str, start: str, end: str) -> None:
    options = ["--direction", "inbound", "--start", start, "--end", end, "--place", "Liverpool"]
    crm_ok("mission", "add", name, *options, db=db)


def test_a_visit_stays_in_the_calendar_while_it_runs_and_for_past_days_after(db: str) -> None:
    # Today is 2026-03-02: a subscribed calendar deletes an event once the feed drops it.
    add_visit(db, "Under way", "2026-02-27", "2026-03-04")
    add_visit(db, "Ended last week", "2026-02-20", "2026-02-23")
    add_visit(db, "Ended in January", "2026-01-10", "2026-01-12")

    default = events_by_summary(calendar_of(crm_ok("export", "ics", db=db).stdout))
    longer = crm_ok("export", "ics", "--past", "60", db=db).stdout
    none = crm_ok("export", "ics", "--past", "0", db=db).stdout

    assert {"Under way", "Ended last week"} <= set(default)
    assert "Ended in January" not in default
    assert "Ended in January" in events_by_summary(calendar_of(longer))
    assert set(events_by_summary(calendar_of(none))) & {
        "Under way",
        "Ended last week",
        "Ended in January",
    } == {"Under way"}


def test_days_out_of_range_is_a_usage_error(db: str) -> None:
    assert_one_line_error(crm("export", "ics", "--days", "0", db=db), code=2, contains="--days")


# -- the whole log -------------------------------------------------------------------------


def log_a_year(db: str) -> None:
    """Meetings, a signing, corrections, a retraction, follow-ups and an erasure."""
    add_reachable_people(db)
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
        "Kunming City Hall",
        "--partnership",
        "Liverpool-Kunming",
        "--subject",
        "Signing talks",
        "--summary",
        "Agreed the text. 昆明 welcomed the delegation.",
        "--gift",
        "Liver bird figurine @ 120 GBP",
        db=db,
    )
    crm_ok(
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
        "2026-05-25",
        db=db,
    )
    crm_ok("correct", "Signing talks", "--set", "subject=Final talks", "--reason", "x", db=db)
    crm_ok("retract", "trade mission", "--reason", "Logged twice", db=db)
    crm_ok("followup", "add", "Send the minutes", "--due", "2026-03-10", "--owner", OWNER, db=db)
    crm_ok("contact", "add", "Temporary Person", "--email", "temp@example.org", db=db)
    crm_ok("forget", "Temporary Person", "--reason", "Asked to be removed", db=db)


def comparable(db: str) -> dict[str, Any]:
    """What a user sees of a store: timelines, directory and the decoded log."""
    views: dict[str, Any] = {}
    for ref in ("Liverpool-Kunming", "Zhao Xuenong", "Kunming"):
        report = crm_json("timeline", ref, db=db)
        report.pop("generated_at")
        views[f"timeline {ref}"] = report
    views["contacts"] = crm_json("contact", "list", db=db)
    views["followups"] = crm_json("followup", "list", db=db)
    views["events"] = crm_json("events", db=db)
    return views


def test_the_log_moves_sqlite_to_postgres_to_sqlite_losslessly(
    sqlite_url: str, postgres_url: str, tmp_path: Path, clock: FakeClock
) -> None:
    add_story(sqlite_url)
    log_a_year(sqlite_url)
    back_url = f"sqlite:///{tmp_path / 'back.db'}"
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"

    exported = crm_json("export", "events", str(first), db=sqlite_url)
    into_postgres = crm_json("import", "events", str(first), db=postgres_url)
    crm_ok("export", "events", str(second), db=postgres_url)
    into_sqlite = crm_json("import", "events", str(second), db=back_url)

    original = comparable(sqlite_url)
    assert (
        exported["events"] == into_postgres["events"] == into_sqlite["events"] == head(sqlite_url)
    )
    assert comparable(postgres_url) == original
    assert comparable(back_url) == original
    assert first.read_bytes() == second.read_bytes()
    assert crm_json("verify", db=postgres_url)["intact"] is True
    assert crm_json("verify", db=back_url)["intact"] is True


def test_an_exported_log_is_private_and_never_overwrites(db: str, tmp_path: Path) -> None:
    out = tmp_path / "log.jsonl"
    crm_ok("export", "events", str(out), db=db)
    size = out.stat().st_size

    again = crm("export", "events", str(out), db=db)

    assert mode_of(out) == 0o600
    assert_one_line_error(again, contains="exists already")
    assert out.stat().st_size == size


def test_an_export_without_keys_reads_as_erased_elsewhere(db: str, tmp_path: Path) -> None:
    out = tmp_path / "log.jsonl"
    crm_ok("export", "events", str(out), "--without-keys", db=db)
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"

    crm_ok("import", "events", str(out), db=fresh)

    assert "zhao@km.example.cn" not in out.read_text(encoding="utf-8")
    assert {c["name"] for c in crm_json("contact", "list", db=fresh)} == {"[erased]"}


def exported_lines(db: str, tmp_path: Path) -> list[str]:
    out = tmp_path / "good.jsonl"
    crm_ok("export", "events", str(out), db=db)
    return out.read_text(encoding="utf-8").splitlines()


def write_lines(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "damaged.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def first_event_line(lines: list[str]) -> int:
    """The 0-based index of the first event line (after the header and the keys)."""
    return next(i for i, line in enumerate(lines) if '"position"' in line)


@pytest.fixture
def empty_target(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'target.db'}"


def assert_nothing_imported(url: str) -> None:
    assert head(url) == 0
    assert crm_json("contact", "list", db=url) == []


def test_an_altered_payload_writes_nothing_and_names_its_line(
    db: str, tmp_path: Path, empty_target: str
) -> None:
    lines = exported_lines(db, tmp_path)
    index = next(i for i, line in enumerate(lines) if "Invest Liverpool" in line)
    row = json.loads(lines[index])
    row["payload"] = row["payload"].replace("Invest Liverpool", "Invest Manchester")
    lines[index] = json.dumps(row, ensure_ascii=False)

    result = crm("import", "events", str(write_lines(tmp_path, lines)), db=empty_target)

    assert_one_line_error(result, contains=f"line {index + 1}")
    assert "hash chain" in result.stderr
    assert_nothing_imported(empty_target)


def test_a_dropped_event_line_writes_nothing_and_names_the_line(
    db: str, tmp_path: Path, empty_target: str
) -> None:
    lines = exported_lines(db, tmp_path)
    index = first_event_line(lines) + 2
    del lines[index]

    result = crm("import", "events", str(write_lines(tmp_path, lines)), db=empty_target)

    assert_one_line_error(result, contains=f"line {index + 1}")
    assert_nothing_imported(empty_target)


def test_a_dropped_last_event_is_caught_by_the_trailer(
    db: str, tmp_path: Path, empty_target: str
) -> None:
    lines = exported_lines(db, tmp_path)
    del lines[-2]

    result = crm("import", "events", str(write_lines(tmp_path, lines)), db=empty_target)

    assert_one_line_error(result, contains=f"line {len(lines)}")
    assert_nothing_imported(empty_target)


def test_a_truncated_file_writes_nothing(db: str, tmp_path: Path, empty_target: str) -> None:
    lines = exported_lines(db, tmp_path)[:-1]

    result = crm("import", "events", str(write_lines(tmp_path, lines)), db=empty_target)

    assert_one_line_error(result, contains="truncated")
    assert_nothing_imported(empty_target)


def test_a_dropped_key_line_writes_nothing_and_names_the_problem(
    db: str, tmp_path: Path, empty_target: str
) -> None:
    lines = exported_lines(db, tmp_path)
    assert '"subject"' in lines[1]
    del lines[1]

    result = crm("import", "events", str(write_lines(tmp_path, lines)), db=empty_target)

    assert_one_line_error(result, contains="key")
    assert_nothing_imported(empty_target)


def key_line_index(lines: list[str]) -> int:
    return next(i for i, line in enumerate(lines) if '"subject"' in line)


def test_a_key_line_that_is_not_base64_writes_nothing_and_names_its_line(
    db: str, tmp_path: Path, empty_target: str
) -> None:
    lines = exported_lines(db, tmp_path)
    index = key_line_index(lines)
    key_line = json.loads(lines[index])
    key_line["key"] = "not*base64!"
    lines[index] = json.dumps(key_line)

    result = crm("import", "events", str(write_lines(tmp_path, lines)), db=empty_target)

    assert_one_line_error(result, contains=f"line {index + 1}")
    assert "base64" in result.stderr
    assert "internal error" not in result.stderr
    assert_nothing_imported(empty_target)


def test_an_altered_key_line_writes_nothing_and_names_the_problem(
    db: str, tmp_path: Path, empty_target: str
) -> None:
    lines = exported_lines(db, tmp_path)
    index = key_line_index(lines)
    key_line = json.loads(lines[index])
    key_line["key"] = base64.b64encode(bytes(32)).decode()
    lines[index] = json.dumps(key_line)

    result = crm("import", "events", str(write_lines(tmp_path, lines)), db=empty_target)

    assert_one_line_error(result, contains="key line")
    assert_nothing_imported(empty_target)


def as_version_1(lines: list[str]) -> list[str]:
    """An export as crm wrote it before the trailer held the keys' digest."""
    header, trailer = json.loads(lines[0]), json.loads(lines[-1])
    header["version"] = 1
    del trailer["keys_hash"]
    return [json.dumps(header), *lines[1:-1], json.dumps(trailer)]


def test_an_export_from_before_the_key_digest_still_imports(
    db: str, tmp_path: Path, empty_target: str
) -> None:
    lines = as_version_1(exported_lines(db, tmp_path))

    imported = crm_json("import", "events", str(write_lines(tmp_path, lines)), db=empty_target)

    assert imported["events"] == head(db)
    assert "Zhao Xuenong" in [c["name"] for c in crm_json("contact", "list", db=empty_target)]


def test_a_version_1_export_missing_a_key_line_is_refused(
    db: str, tmp_path: Path, empty_target: str
) -> None:
    lines = as_version_1(exported_lines(db, tmp_path))
    del lines[key_line_index(lines)]

    result = crm("import", "events", str(write_lines(tmp_path, lines)), db=empty_target)

    assert_one_line_error(result, contains="key")
    assert_nothing_imported(empty_target)


def test_an_export_of_an_unknown_version_is_refused(
    db: str, tmp_path: Path, empty_target: str
) -> None:
    lines = exported_lines(db, tmp_path)
    header = json.loads(lines[0])
    header["version"] = 99
    lines[0] = json.dumps(header)

    result = crm("import", "events", str(write_lines(tmp_path, lines)), db=empty_target)

    assert_one_line_error(result, contains="version 99")
    assert_nothing_imported(empty_target)


def test_a_line_after_the_trailer_is_refused(db: str, tmp_path: Path, empty_target: str) -> None:
    lines = exported_lines(db, tmp_path)
    lines.append(lines[-2])

    result = crm("import", "events", str(write_lines(tmp_path, lines)), db=empty_target)

    assert_one_line_error(result, contains=f"line {len(lines)}")
    assert_nothing_imported(empty_target)


def import_with_a_change_after_the_check(
    target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: Any
) -> Any:
    """Import the story into `target`, running `change(path)` between check and write."""
    source = f"sqlite:///{tmp_path / 'source.db'}"
    add_story(source)
    lines = exported_lines(source, tmp_path)
    assert any('"subject"' in line for line in lines)
    check_file = event_log.check_file

    def check_then_change(path: Path, position: int, hash_: str) -> tuple[int, Any]:
        checked = check_file(path, position, hash_)
        change(path)
        return checked

    monkeypatch.setattr(event_log, "check_file", check_then_change)
    return crm("import", "events", str(write_lines(tmp_path, lines)), db=target)


def subject_keys_of(url: str) -> list[tuple[str, bytes]]:
    store = open_store(url)
    try:
        return store.subject_keys()
    finally:
        store.engine.dispose()


def test_an_import_overtaken_by_another_writer_leaves_no_key_and_no_event(
    store_url: str, tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    def another_writer_appends(_path: Path) -> None:
        writer = open_store(store_url)
        org = uuid.uuid4()
        event = OrganisationRegistered(organisation_id=org, name="Meanwhile Ltd")
        writer.append(f"organisation-{org}", [event], expected_version=0)
        writer.engine.dispose()

    result = import_with_a_change_after_the_check(
        store_url, tmp_path, monkeypatch, another_writer_appends
    )

    assert subject_keys_of(store_url) == []
    assert head(store_url) == 1
    assert_one_line_error(result, contains="another writer")


def test_an_import_failing_at_its_last_event_leaves_no_key_and_no_event(
    store_url: str, tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    def last_event_damaged(path: Path) -> None:
        lines = path.read_text(encoding="utf-8").splitlines()
        row = json.loads(lines[-2])
        row["actor"] = "someone else"
        lines[-2] = json.dumps(row, ensure_ascii=False)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = import_with_a_change_after_the_check(
        store_url, tmp_path, monkeypatch, last_event_damaged
    )

    assert subject_keys_of(store_url) == []
    assert head(store_url) == 0
    assert_one_line_error(result, contains="hash does not match")


def test_a_line_that_is_not_json_is_named(db: str, tmp_path: Path, empty_target: str) -> None:
    lines = exported_lines(db, tmp_path)
    lines[5] = lines[5][:-10]

    result = crm("import", "events", str(write_lines(tmp_path, lines)), db=empty_target)

    assert_one_line_error(result, contains="line 6")
    assert_nothing_imported(empty_target)


def test_a_file_that_is_not_an_export_is_refused(tmp_path: Path, empty_target: str) -> None:
    path = tmp_path / "other.jsonl"
    path.write_text('{"hello": "world"}\n', encoding="utf-8")

    assert_one_line_error(
        crm("import", "events", str(path), db=empty_target), contains="not a crm event export"
    )


def test_importing_into_a_store_that_holds_events_is_refused(db: str, tmp_path: Path) -> None:
    lines = exported_lines(db, tmp_path)
    other = f"sqlite:///{tmp_path / 'other.db'}"
    crm_ok("org", "add", "Somewhere Else", db=other)

    result = crm("import", "events", str(write_lines(tmp_path, lines)), db=other)

    assert_one_line_error(result, contains="already holds 1 events")
    assert head(other) == 1


def test_importing_a_log_into_itself_is_refused(db: str, tmp_path: Path) -> None:
    path = write_lines(tmp_path, exported_lines(db, tmp_path))
    before = head(db)

    assert_one_line_error(crm("import", "events", str(path), db=db), contains="already holds")
    assert head(db) == before


# -- backup --------------------------------------------------------------------------------

WRITER = """
import sys, uuid
from pathlib import Path
from events.connect import open_store
from events.schemas.organisations import OrganisationRegistered

store = open_store(sys.argv[1])
stop = Path(sys.argv[2])
count = 0
while not stop.exists():
    org = uuid.uuid4()
    event = OrganisationRegistered(organisation_id=org, name=f"Writer org {count}")
    store.append(f"organisation-{org}", [event], expected_version=0)
    count += 1
    print(count, flush=True)
store.engine.dispose()
"""


def test_a_backup_taken_while_another_process_appends_is_a_consistent_private_store(
    sqlite_url: str, tmp_path: Path, clock: FakeClock
) -> None:
    add_story(sqlite_url)
    before = head(sqlite_url)
    stop, copy = tmp_path / "stop", tmp_path / "backups" / "copy.db"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, sqlite_url, str(stop)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "1"  # the writer is appending
        crm_ok("backup", str(copy), db=sqlite_url)
        copied = head(f"sqlite:///{copy}") - before
        while int(writer.stdout.readline()) <= copied + 1:
            pass  # the writer went on appending after the copy was taken
    finally:
        stop.touch()
        writer.communicate(timeout=60)

    backup_url = f"sqlite:///{copy}"
    report = crm_json("verify", db=backup_url)
    assert writer.returncode == 0
    assert mode_of(copy) == 0o600
    assert report["intact"] is True
    assert report["projections"] == "match"
    assert 1 <= copied < head(sqlite_url) - before
    assert "Zhao Xuenong" in [c["name"] for c in crm_json("contact", "list", db=backup_url)]


def test_a_backup_never_overwrites_a_file(sqlite_url: str, tmp_path: Path) -> None:
    crm_ok("init", db=sqlite_url)
    target = tmp_path / "exists.db"
    target.write_bytes(b"keep me")

    result = crm("backup", str(target), db=sqlite_url)

    assert_one_line_error(result, contains="exists already")
    assert target.read_bytes() == b"keep me"


def test_a_backup_of_a_postgres_store_is_refused_and_writes_no_file(
    postgres_url: str, tmp_path: Path
) -> None:
    crm_ok("init", db=postgres_url)
    target = tmp_path / "copy.db"

    result = crm("backup", str(target), db=postgres_url)

    assert_one_line_error(result, contains="pg_dump")
    assert not target.exists()


def test_a_backup_of_a_store_in_a_folder_with_a_hash_in_its_name_holds_the_log(
    tmp_path: Path, clock: FakeClock
) -> None:
    url = f"sqlite:///{tmp_path / 'team #2' / 'crm.db'}"
    add_story(url)
    copy = tmp_path / "copy.db"

    crm_ok("backup", str(copy), db=url)

    assert head(f"sqlite:///{copy}") == head(url)
