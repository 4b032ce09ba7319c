"""Logging the relationship through the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.cli.story import OWNER, add_story
from tests.clirunner import assert_one_line_error, crm, crm_json, crm_ok


@pytest.fixture
def db(store_url: str) -> str:
    crm_ok("init", db=store_url)
    return store_url


def head(db: str) -> int:
    return int(crm_json("status", db=db)["events"])


def stream_events(db: str, ref: str) -> list[dict[str, object]]:
    return list(crm_json("events", "--stream", ref, db=db))


def test_the_story_can_be_logged_and_listed(db: str) -> None:
    ids = add_story(db)

    orgs = {o["name"]: o for o in crm_json("org", "list", db=db)}
    contacts = {c["name"]: c for c in crm_json("contact", "list", db=db)}
    (partnership,) = crm_json("partnership", "list", db=db)

    assert orgs["Kunming Municipal People's Government"]["country"] == "CN"
    assert orgs["Liverpool City Council"]["ours"] is True
    assert contacts["Zhao Xuenong"]["titles"] == [
        "Vice Mayor, Kunming Municipal People's Government"
    ]
    assert partnership["id"] == ids["partnership"]
    assert partnership["status"] == "exploring"
    assert partnership["sectors"] == ["trade and investment", "education"]


def test_a_contact_is_found_by_native_name_case_accents_and_id_prefix(db: str) -> None:
    ids = add_story(db)

    by_native = crm_json("org", "show", "昆明市人民政府", db=db)
    by_case = crm_json("contact", "show", "ZHÀO xuenong", db=db)
    by_prefix = crm_json("contact", "show", ids["guan"][:8], db=db)
    by_email = crm_json("contact", "show", "zhao@km.example.cn", db=db)

    assert by_native["id"] == ids["kunming"]
    assert by_case["id"] == by_email["id"] == ids["zhao"]
    assert by_prefix["id"] == ids["guan"]


def test_an_ambiguous_reference_lists_the_candidates(db: str) -> None:
    add_story(db)

    result = crm(
        "log", "meeting", "--with", "Xuenong Guan", "--on", "2016-02-25", "--subject", "x", db=db
    )

    assert_one_line_error(result, contains="no contact called 'Xuenong Guan'")
    assert "did you mean" in result.stderr


def test_a_mistyped_name_suggests_the_closest_names_first(db: str) -> None:
    names = ["Kunming Trade Office", "Kunming Tourist Office", "Kunming Travel Office"]
    ids = {name: crm_ok("org", "add", name, db=db).stdout.strip() for name in names}

    for name, typo in zip(
        names, ["Kunming Trade Ofice", "Kunming Tourist Offce", "Kunmin Travel Office"], strict=True
    ):
        result = crm("org", "show", typo, db=db)

        assert_one_line_error(result, contains=f"no organisation called {typo!r}")
        first = result.stderr.split("did you mean: ")[1].split(", ")[0]
        assert first == f"{name} ({ids[name][:8]})"


def test_a_reference_matching_two_people_fails_and_names_both(db: str) -> None:
    add_story(db)
    crm_ok("contact", "add", "Zhao Wei", "--family-name-first", db=db)

    result = crm("contact", "show", "Zhao", db=db)

    assert_one_line_error(result, contains="matches several")
    assert "Zhao Xuenong" in result.stderr
    assert "Zhao Wei" in result.stderr


def test_a_meeting_time_without_zone_takes_the_place_zone(db: str) -> None:
    add_story(db)

    created = crm_json(
        "log",
        "meeting",
        "--with",
        "Zhao Xuenong",
        "--with",
        "Gary Millar",
        "--on",
        "2016-02-25 10:00",
        "--place",
        "Kunming City Hall",
        "--partnership",
        "Liverpool-Kunming",
        "--subject",
        "Signing talks",
        "--summary",
        "Agreed the text.",
        "--outcome",
        "Sign on Thursday",
        "--gift",
        "Liver bird figurine @ 120 GBP",
        db=db,
    )
    (logged,) = stream_events(db, created["id"])

    data = logged["data"]
    assert data["held_at"] == "2016-02-25T10:00:00+08:00"  # type: ignore[index]
    assert data["timezone"] == "Asia/Shanghai"  # type: ignore[index]
    assert data["gifts"][0]["value"] == "120"  # type: ignore[index]
    assert datetime.fromisoformat(str(logged["occurred_at"])).utcoffset().seconds == 8 * 3600  # type: ignore[union-attr]


def test_a_time_without_place_takes_the_configured_zone(db: str) -> None:
    add_story(db)

    created = crm_json(
        "log",
        "call",
        "--with",
        "Ellen Cutler",
        "--on",
        "2016-07-01 09:30",
        "--subject",
        "Debrief",
        db=db,
    )
    (logged,) = stream_events(db, created["id"])

    assert logged["data"]["held_at"] == "2016-07-01T09:30:00+01:00"  # type: ignore[index]


def test_signing_freezes_titles_and_activates_the_partnership(db: str) -> None:
    add_story(db)
    crm_ok(
        "contact",
        "role",
        "Zhao Xuenong",
        "--org",
        "Kunming",
        "--title",
        "Mayor",
        "--since",
        "2021-06-01",
        db=db,
    )

    signed = crm_json(
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
        "2021-02-25",
        db=db,
    )
    (event,) = stream_events(db, signed["id"])
    partnership = crm_json("partnership", "show", "Liverpool-Kunming", db=db)
    zhao_now = crm_json("contact", "show", "Zhao Xuenong", db=db)

    titles = [p["title"] for p in event["data"]["signatories"]]  # type: ignore[index]
    assert titles == ["Vice Mayor", "Vice Mayor"]
    assert event["data"]["witnesses"][0]["title"] == "Director"  # type: ignore[index]
    assert partnership["status"] == "active"
    assert zhao_now["titles"] == ["Mayor, Kunming Municipal People's Government"]
    assert any("Vice Mayor" in r and "to 2021-05-31" in r for r in zhao_now["roles"])


def test_a_contact_added_with_a_title_is_one_event_holding_the_role(db: str) -> None:
    ids = add_story(db)

    (registered,) = stream_events(db, ids["zhao"])
    zhao = crm_json("contact", "show", "Zhao Xuenong", db=db)

    assert registered["type"] == "ContactRegistered"
    assert registered["data"]["first_role"]["title"] == "Vice Mayor"  # type: ignore[index]
    assert registered["data"]["first_role"]["organisation_id"] == ids["kunming"]  # type: ignore[index]
    assert zhao["titles"] == ["Vice Mayor, Kunming Municipal People's Government"]


def test_status_changes_keep_their_reason(db: str) -> None:
    add_story(db)

    crm_ok(
        "partnership",
        "status",
        "Liverpool-Kunming",
        "negotiating",
        "--reason",
        "Draft text exchanged",
        db=db,
    )
    again = crm("partnership", "status", "Liverpool-Kunming", "negotiating", "--reason", "x", db=db)

    events = stream_events(db, "Liverpool-Kunming")
    assert events[-1]["data"]["reason"] == "Draft text exchanged"  # type: ignore[index]
    assert_one_line_error(again, contains="already negotiating")


def test_missions_can_be_rescheduled_and_cancelled(db: str) -> None:
    add_story(db)

    crm_ok(
        "mission",
        "reschedule",
        "trade mission",
        "--start",
        "2015-09-15",
        "--end",
        "2015-09-20",
        "--reason",
        "Flights",
        db=db,
    )
    moved = crm_json("mission", "show", "trade mission", db=db)
    crm_ok("mission", "cancel", "trade mission", "--reason", "Postponed", db=db)
    cancelled = crm_json("mission", "show", "trade mission", db=db)

    assert (moved["starts"], moved["ends"]) == ("2015-09-15", "2015-09-20")
    assert moved["participants"] == ["Joe Anderson (head of delegation)"]
    assert cancelled["status"] == "cancelled"


def test_followups_default_to_the_partnership_owner_and_close_once(db: str) -> None:
    add_story(db)

    created = crm_json(
        "followup",
        "add",
        "Send the IFB programme",
        "--due",
        "2016-03-31",
        "--about",
        "Liverpool-Kunming",
        db=db,
    )
    opened = crm_json("followup", "show", created["id"], db=db)
    crm_ok("followup", "redate", created["id"][:8], "--due", "2016-04-15", db=db)
    crm_ok("followup", "reassign", "IFB programme", "--owner", "ellen@invest.example", db=db)
    shown = crm_json("followup", "show", created["id"], db=db)
    crm_ok("followup", "done", created["id"], db=db)
    again = crm("followup", "done", created["id"], db=db)

    assert opened["owner"] == OWNER
    assert opened["about"] == ["partnership: Liverpool-Kunming Friendship"]
    assert shown["owner"] == "ellen@invest.example"
    assert shown["due"] == "2016-04-15"
    assert crm_json("followup", "list", db=db) == []
    assert crm_json("followup", "list", "--status", "done", db=db)[0]["id"] == created["id"]
    assert_one_line_error(again, contains="already done")


def test_a_correction_supersedes_fields_and_the_log_keeps_both(db: str) -> None:
    add_story(db)
    created = crm_json(
        "log",
        "meeting",
        "--with",
        "Zhao Xuenong",
        "--on",
        "2016-02-24 10:00",
        "--place",
        "Kunming",
        "--subject",
        "Signing talks",
        db=db,
    )

    crm_ok(
        "correct",
        created["id"][:8],
        "--set",
        "held_at=2016-02-25 10:00",
        "--set",
        "subject=Signing ceremony",
        "--reason",
        "Logged a day early",
        db=db,
    )
    events = stream_events(db, created["id"])

    assert [e["type"] for e in events] == ["InteractionLogged", "EntryCorrected"]
    assert events[0]["data"]["subject"] == "Signing talks"  # type: ignore[index]
    assert events[1]["data"]["changes"] == {  # type: ignore[index]
        "held_at": "2016-02-25T10:00:00+08:00",
        "subject": "Signing ceremony",
    }
    assert events[1]["data"]["reason"] == "Logged a day early"  # type: ignore[index]


def test_a_contact_correction_of_personal_data_is_sealed(db: str) -> None:
    ids = add_story(db)

    unknown = crm(
        "correct", "Guan Qinghua", "--set", "email=guan@km.example.cn", "--reason", "x", db=db
    )
    crm_ok(
        "correct",
        "Guan Qinghua",
        "--set",
        "emails=guan@km.example.cn",
        "--reason",
        "Card received",
        db=db,
    )

    assert_one_line_error(unknown, contains="cannot correct email; allowed:")
    assert crm_json("contact", "show", "guan@km.example.cn", db=db)["id"] == ids["guan"]


def test_a_retracted_entry_leaves_current_views(db: str) -> None:
    add_story(db)

    crm_ok("retract", "trade mission", "--reason", "Logged by mistake", db=db)

    assert crm_json("mission", "list", db=db) == []
    assert_one_line_error(crm("mission", "show", "trade mission", db=db), contains="no mission")


def test_the_same_idempotency_key_logs_once(db: str) -> None:
    add_story(db)
    args = (
        "log",
        "meeting",
        "--with",
        "Zhao Xuenong",
        "--on",
        "2016-02-25 10:00",
        "--subject",
        "Signing",
        "--idempotency-key",
        "kunming-2016-02-25",
    )

    first = crm_json(*args, db=db)
    before = head(db)
    second = crm_json(*args, db=db)

    assert first["id"] == second["id"]
    assert head(db) == before


def test_the_actor_is_recorded_on_each_event(db: str) -> None:
    crm_ok("--actor", "gary.millar", "org", "add", "Kunming", db=db)

    (event,) = stream_events(db, "Kunming")

    assert event["actor"] == "gary.millar"


def test_the_demo_loads_the_story_once(db: str) -> None:
    first = crm_json("demo", db=db)
    second = crm_json("demo", db=db)

    assert first["events_written"] > 20
    assert second["events_written"] == 0
    assert crm_json("partnership", "show", "Liverpool-Kunming", db=db)["status"] == "active"


def test_every_interaction_kind_can_be_logged_and_no_other() -> None:
    from crm.cli.log import KINDS
    from events.vocabulary import INTERACTION_KINDS

    # The CLI spells its commands out (importing the schemas would slow `crm --help`).
    assert sorted(KINDS.values()) == sorted(INTERACTION_KINDS)
