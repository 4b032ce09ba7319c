"""`crm import csv|vcard` and `crm undo --batch` end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.cli.story import OWNER, add_story
from tests.clirunner import assert_one_line_error, crm, crm_json, crm_ok
from tests.conftest import FakeClock

OUTLOOK_HEADER = ["Full Name", "E-mail Address", "Company", "Job Title", "Mobile Phone"]
OUTLOOK_MAP = """\
[columns]
"Full Name" = "name"
"E-mail Address" = "email"
"Company" = "organisation"
"Job Title" = "title"
"Mobile Phone" = "phone"

[defaults]
family_name_first = "yes"
"""


@pytest.fixture
def db(store_url: str, clock: FakeClock) -> str:
    add_story(store_url)
    return store_url


def write_csv(folder: Path, name: str, header: Sequence[str], *rows: Sequence[str]) -> Path:
    """A CSV file as a spreadsheet saves it (quoted where needed, CRLF line ends)."""
    path = folder / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_map(folder: Path, text: str = OUTLOOK_MAP) -> Path:
    path = folder / "map.toml"
    path.write_text(text, encoding="utf-8")
    return path


def yunnan_contacts(folder: Path, *extra: Sequence[str]) -> Path:
    return write_csv(
        folder,
        "contacts.csv",
        OUTLOOK_HEADER,
        ["Wang Fang", "wang.fang@yn.example.cn", "Yunnan Trade Bureau", "Director", "+86 871 555"],
        ["Li Ming", "li.ming@yn.example.cn", "Yunnan Trade Bureau", "Deputy Director", ""],
        *extra,
    )


def head(db: str) -> int:
    return int(crm_json("status", db=db)["events"])


def contact_names(db: str) -> list[str]:
    return [c["name"] for c in crm_json("contact", "list", db=db)]


def org_names(db: str) -> list[str]:
    return [o["name"] for o in crm_json("org", "list", db=db)]


def import_json(db: str, path: Path, kind: str, *extra: str) -> dict[str, Any]:
    result = crm_json("import", "csv", str(path), "--kind", kind, *extra, db=db)
    assert isinstance(result, dict)
    return result


def problem_lines(summary: dict[str, Any]) -> list[int]:
    return [p["line"] for p in summary["problems"]]


# -- contacts ------------------------------------------------------------------------------


def test_a_mapped_contacts_csv_creates_people_and_their_organisation_once(
    db: str, tmp_path: Path
) -> None:
    path = yunnan_contacts(tmp_path)

    summary = import_json(db, path, "contacts", "--map", str(write_map(tmp_path)))
    wang = crm_json("contact", "show", "Wang Fang", db=db)
    li = crm_json("contact", "show", "li.ming@yn.example.cn", db=db)

    assert (summary["to_create"], summary["written"] > 0, summary["problems"]) == (2, True, [])
    assert org_names(db).count("Yunnan Trade Bureau") == 1
    assert wang["titles"] == ["Director, Yunnan Trade Bureau"]
    assert wang["emails"] == ["wang.fang@yn.example.cn"]
    assert wang["phones"] == ["+86 871 555"]
    assert li["name"] == "Li Ming"
    assert li["titles"] == ["Deputy Director, Yunnan Trade Bureau"]


def test_every_event_of_an_import_carries_the_batch_id(db: str, tmp_path: Path) -> None:
    before = head(db)

    summary = import_json(
        db, yunnan_contacts(tmp_path), "contacts", "--map", str(write_map(tmp_path))
    )
    written = crm_json("events", "--after", str(before), db=db)

    assert len(written) == summary["written"]
    assert {e["correlation_id"] for e in written} == {summary["batch"]}
    assert {e["source"] for e in written} == {"import"}
    assert {e["type"] for e in written} == {"OrganisationRegistered", "ContactRegistered"}


def test_a_dry_run_previews_what_would_be_created_and_writes_nothing(
    db: str, tmp_path: Path
) -> None:
    before = head(db)

    summary = import_json(
        db, yunnan_contacts(tmp_path), "contacts", "--map", str(write_map(tmp_path)), "--dry-run"
    )

    assert summary["to_create"] == 2
    assert summary["written"] == 0
    assert [(p["line"], p["row"]) for p in summary["preview"]] == [(2, "Wang Fang"), (3, "Li Ming")]
    assert head(db) == before
    assert "Yunnan Trade Bureau" not in org_names(db)


def test_duplicates_by_email_and_by_name_and_organisation_are_left_out_and_reported(
    db: str, tmp_path: Path
) -> None:
    path = yunnan_contacts(
        tmp_path,
        ["Zhao Someone", "ZHAO@KM.example.cn", "Other Bureau", "Clerk", ""],  # known email
        ["Guan Qinghua", "", "Kunming", "Vice Mayor", ""],  # known name at a known org
        ["Wang Fang", "", "Yunnan Trade Bureau", "Director", ""],  # same as line 2
        ["Someone Else", "li.ming@yn.example.cn", "Another Bureau", "Clerk", ""],  # as line 3
    )

    summary = import_json(db, path, "contacts", "--map", str(write_map(tmp_path)))
    problems = {p["line"]: p["problem"] for p in summary["problems"]}

    assert summary["duplicates"] == 4
    assert sorted(problems) == [4, 5, 6, 7]
    assert all(text.startswith("duplicate") for text in problems.values())
    assert "email" in problems[4]
    assert "name and organisation" in problems[5]
    assert "line 2" in problems[6]
    assert "line 3" in problems[7]
    assert sorted(n for n in contact_names(db) if n in {"Wang Fang", "Li Ming"}) == [
        "Li Ming",
        "Wang Fang",
    ]
    assert contact_names(db).count("Guan Qinghua") == 1
    assert "Zhao Someone" not in contact_names(db)
    assert "Other Bureau" not in org_names(db)


def test_an_invalid_row_stops_the_whole_import_naming_its_line(db: str, tmp_path: Path) -> None:
    path = yunnan_contacts(
        tmp_path, ["Bad Address", "not-an-email", "Yunnan Trade Bureau", "Clerk", ""]
    )
    before = head(db)

    result = crm(
        "import", "csv", str(path), "--kind", "contacts", "--map", str(write_map(tmp_path)), db=db
    )

    assert_one_line_error(result, contains="line 4")
    assert "nothing written" in result.stderr
    assert "not-an-email" in result.stderr
    assert head(db) == before
    assert "Wang Fang" not in contact_names(db)


def test_skip_invalid_imports_the_good_rows_and_reports_the_bad(db: str, tmp_path: Path) -> None:
    path = yunnan_contacts(
        tmp_path, ["Bad Address", "not-an-email", "Yunnan Trade Bureau", "Clerk", ""]
    )

    summary = import_json(db, path, "contacts", "--map", str(write_map(tmp_path)), "--skip-invalid")

    assert summary["invalid"] == 1
    assert problem_lines(summary) == [4]
    assert "Wang Fang" in contact_names(db)
    assert "Li Ming" in contact_names(db)
    assert "Address Bad" not in contact_names(db)
    assert "Bad Address" not in contact_names(db)


@pytest.mark.parametrize("first_row", ["invalid", "duplicate"])
def test_a_new_organisation_first_named_by_a_row_left_out_is_still_created(
    db: str, tmp_path: Path, first_row: str
) -> None:
    crm_ok("contact", "add", "Wang Fang", "--email", "wang.fang@yn.example.cn", db=db)
    left_out = (
        ["Bad Address", "not-an-email", "Dianchi Lake Tourism", "Clerk", ""]
        if first_row == "invalid"
        else ["Wang Fang", "wang.fang@yn.example.cn", "Dianchi Lake Tourism", "Director", ""]
    )
    path = write_csv(
        tmp_path,
        "contacts.csv",
        OUTLOOK_HEADER,
        left_out,
        ["Li Ming", "li.ming@yn.example.cn", "Dianchi Lake Tourism", "Deputy Director", ""],
    )

    import_json(db, path, "contacts", "--map", str(write_map(tmp_path)), "--skip-invalid")

    li_ming = crm_json("contact", "show", "Li Ming", db=db)
    assert "Dianchi Lake Tourism" in org_names(db)
    assert "Dianchi Lake Tourism" in str(li_ming)


def test_a_multi_line_quoted_cell_keeps_line_numbers_right(db: str, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "notes.csv",
        ["name", "notes", "email"],
        ["Alpha Person", "Met at the fair.\nLikes tea.\nSpeaks French.", "alpha@example.org"],
        ["Beta Person", "", "beta-at-example.org"],
    )

    result = crm("import", "csv", str(path), "--kind", "contacts", db=db)

    assert_one_line_error(result, contains="line 5")


def test_a_multi_line_note_is_kept_whole(db: str, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "notes.csv",
        ["given_name", "family_name", "notes"],
        ["Alpha", "Person", "Met at the fair.\nLikes tea."],
    )

    import_json(db, path, "contacts")

    assert crm_json("contact", "show", "Alpha Person", db=db)["notes"] == (
        "Met at the fair.\nLikes tea."
    )


def test_undo_batch_retracts_everything_the_import_created(db: str, tmp_path: Path) -> None:
    summary = import_json(
        db, yunnan_contacts(tmp_path), "contacts", "--map", str(write_map(tmp_path))
    )

    undone = crm_json("undo", "--batch", summary["batch"], "--reason", "Wrong file", db=db)
    again = crm_json("undo", "--batch", summary["batch"], db=db)

    assert undone["retracted"] == 3  # two people and the organisation made for them
    assert again["retracted"] == 0
    assert "Wang Fang" not in contact_names(db)
    assert "Li Ming" not in contact_names(db)
    assert "Yunnan Trade Bureau" not in org_names(db)
    assert "Zhao Xuenong" in contact_names(db)
    assert crm_json("verify", db=db)["intact"] is True


def test_undo_keeps_the_reason_in_the_log(db: str, tmp_path: Path) -> None:
    summary = import_json(
        db, yunnan_contacts(tmp_path), "contacts", "--map", str(write_map(tmp_path))
    )
    before = head(db)

    crm_ok("--actor", "ellen", "undo", "--batch", summary["batch"], "--reason", "Wrong file", db=db)
    retractions = crm_json("events", "--after", str(before), db=db)

    assert {e["type"] for e in retractions} == {"EntryRetracted"}
    assert {e["data"]["reason"] for e in retractions} == {"Wrong file"}
    assert {e["actor"] for e in retractions} == {"ellen"}


def test_undo_of_an_unknown_batch_is_one_line_and_writes_nothing(db: str) -> None:
    before = head(db)

    result = crm("undo", "--batch", "3f2a91c0-0e5b-4f0e-9a44-9d1f2c3b4a5d", db=db)

    assert_one_line_error(result, contains="no batch")
    assert head(db) == before


def test_undo_of_a_malformed_batch_id_is_a_usage_error(db: str) -> None:
    assert_one_line_error(crm("undo", "--batch", "yesterday", db=db), code=2, contains="--batch")


def test_a_row_naming_an_ambiguous_organisation_is_invalid(db: str, tmp_path: Path) -> None:
    crm_ok("org", "add", "Kunming Investment Promotion Bureau", "--alias", "Kunming", db=db)
    path = write_csv(
        tmp_path,
        "contacts.csv",
        ["name", "organisation", "title"],
        ["Li Wei", "Kunming", "Officer"],
    )
    before = head(db)

    result = crm("import", "csv", str(path), "--kind", "contacts", db=db)

    assert_one_line_error(result, contains="line 2")
    assert "several" in result.stderr
    assert head(db) == before
    assert "Kunming" not in org_names(db)


# -- organisations, meetings, follow-ups ---------------------------------------------------


def test_an_organisations_csv_registers_them_and_leaves_known_ones_out(
    db: str, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path,
        "orgs.csv",
        ["name", "kind", "country", "city", "timezone", "aliases", "ours"],
        [
            "Shanghai Commerce Commission",
            "city government",
            "cn",
            "Shanghai",
            "Asia/Shanghai",
            "SCOMC; Shanghai Commerce",
            "no",
        ],
        ["Port of Liverpool", "company", "GB", "Liverpool", "Europe/London", "", "yes"],
        ["Liverpool City Council", "city_government", "GB", "Liverpool", "Europe/London", "", ""],
    )

    summary = import_json(db, path, "organisations")
    shanghai = crm_json("org", "show", "SCOMC", db=db)
    port = crm_json("org", "show", "Port of Liverpool", db=db)

    assert (summary["to_create"], summary["duplicates"]) == (2, 1)
    assert problem_lines(summary) == [4]
    assert shanghai["name"] == "Shanghai Commerce Commission"
    assert (shanghai["kind"], shanghai["country"], shanghai["timezone"]) == (
        "city_government",
        "CN",
        "Asia/Shanghai",
    )
    assert shanghai["aliases"] == ["SCOMC", "Shanghai Commerce"]
    assert port["ours"] is True
    assert org_names(db).count("Liverpool City Council") == 1


def test_a_meetings_csv_logs_interactions_on_the_timeline(db: str, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "meetings.csv",
        ["on", "with", "subject", "kind", "summary", "place", "partnership", "timezone"],
        [
            "2016-03-10 14:00",
            "Zhao Xuenong; Gary Millar",
            "Port visit planning",
            "meeting",
            "Went through the port figures.",
            "Kunming City Hall",
            "Liverpool-Kunming",
            "Asia/Shanghai",
        ],
        [
            "2016-03-12 09:00",
            "Ellen Cutler",
            "Call about IFB",
            "call",
            "",
            "",
            "Liverpool-Kunming",
            "",
        ],
    )

    summary = import_json(db, path, "meetings")
    items = crm_json("timeline", "Liverpool-Kunming", db=db)["items"]
    by_title = {item["title"]: item for item in items}

    assert summary["to_create"] == 2
    meeting = by_title["Port visit planning"]
    assert meeting["occurred_at"] == "2016-03-10T14:00:00+08:00"
    assert meeting["kind"] == "meeting"
    assert meeting["summary"] == "Went through the port figures."
    assert sorted(p["name"] for p in meeting["people"]) == [
        "Cllr Gary Millar",
        "Zhao Xuenong",
    ]
    assert by_title["Call about IFB"]["kind"] == "call"
    assert by_title["Call about IFB"]["occurred_at"] == "2016-03-12T09:00:00+00:00"


def test_an_imported_meeting_time_takes_the_place_zone_as_crm_log_does(
    db: str, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path,
        "meetings.csv",
        ["on", "with", "subject", "place", "partnership"],
        ["2016-03-10 14:00", "Zhao Xuenong", "Port visit planning", "Kunming", "Liverpool-Kunming"],
    )

    import_json(db, path, "meetings")
    items = crm_json("timeline", "Liverpool-Kunming", db=db)["items"]
    (item,) = [i for i in items if i["title"] == "Port visit planning"]

    assert item["occurred_at"] == "2016-03-10T14:00:00+08:00"


def test_a_meeting_row_naming_an_unknown_person_is_invalid_and_named_by_line(
    db: str, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path,
        "meetings.csv",
        ["on", "with", "subject"],
        ["2016-03-10 14:00", "Zhao Xuenong", "Fine"],
        ["2016-03-11 14:00", "Nobody Known", "Not fine"],
    )
    before = head(db)

    result = crm("import", "csv", str(path), "--kind", "meetings", db=db)

    assert_one_line_error(result, contains="line 3")
    assert "Nobody Known" in result.stderr
    assert head(db) == before


def test_a_followups_csv_opens_followups_owned_by_the_partnership_owner_by_default(
    db: str, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path,
        "followups.csv",
        ["text", "due", "owner", "about"],
        ["Send the port brochure", "2026-03-20", "", "Liverpool-Kunming"],
        ["Call Ellen back", "2026-03-10 15:00", "ellen@invest.example", "Ellen Cutler"],
    )

    summary = import_json(db, path, "followups")
    listed = {f["text"]: f for f in crm_json("followup", "list", db=db)}

    assert summary["to_create"] == 2
    assert listed["Send the port brochure"]["owner"] == OWNER
    assert listed["Send the port brochure"]["due"] == "2026-03-20"
    assert listed["Send the port brochure"]["about"] == [
        "partnership: Liverpool-Kunming Friendship"
    ]
    assert listed["Call Ellen back"]["owner"] == "ellen@invest.example"
    assert listed["Call Ellen back"]["due"] == "2026-03-10 15:00 Europe/London"


def test_undo_of_a_meetings_and_followups_import_clears_them_from_views(
    db: str, tmp_path: Path
) -> None:
    meetings = write_csv(
        tmp_path,
        "meetings.csv",
        ["on", "with", "subject", "partnership"],
        ["2016-03-10 14:00", "Zhao Xuenong", "Port visit planning", "Liverpool-Kunming"],
    )
    followups = write_csv(
        tmp_path,
        "followups.csv",
        ["text", "due", "about"],
        ["Send the port brochure", "2026-03-20", "Liverpool-Kunming"],
    )
    first = import_json(db, meetings, "meetings")
    second = import_json(db, followups, "followups")

    crm_ok("undo", "--batch", first["batch"], db=db)
    crm_ok("undo", "--batch", second["batch"], db=db)
    titles = [i["title"] for i in crm_json("timeline", "Liverpool-Kunming", db=db)["items"]]

    assert "Port visit planning" not in titles
    assert crm_json("followup", "list", db=db) == []


def test_a_followup_row_without_a_due_day_is_invalid(db: str, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "followups.csv",
        ["text", "due", "about"],
        ["Send the port brochure", "", "Liverpool-Kunming"],
    )

    assert_one_line_error(
        crm("import", "csv", str(path), "--kind", "followups", db=db), contains="line 2"
    )


# -- files and options that cannot be read -------------------------------------------------


def test_an_unknown_kind_is_a_usage_error(db: str, tmp_path: Path) -> None:
    path = yunnan_contacts(tmp_path)

    assert_one_line_error(crm("import", "csv", str(path), "--kind", "people", db=db), code=2)


def test_a_missing_file_is_a_usage_error(db: str, tmp_path: Path) -> None:
    result = crm("import", "csv", str(tmp_path / "nope.csv"), "--kind", "contacts", db=db)

    assert_one_line_error(result, code=2, contains="nope.csv")


def test_an_empty_file_is_one_line(db: str, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")

    assert_one_line_error(
        crm("import", "csv", str(path), "--kind", "contacts", db=db), contains="empty"
    )


def test_invalid_utf8_on_a_later_line_is_named_by_that_line(db: str, tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes(
        b"name,email\r\nWang Fang,wang.fang@yn.example.cn\r\n"
        b"Li Ming,li.ming@yn.example.cn\r\nZh\xe0o Someone,zhao.s@yn.example.cn\r\n"
    )
    before = head(db)

    result = crm("import", "csv", str(path), "--kind", "contacts", db=db)

    assert_one_line_error(result, contains="line 4")
    assert "UTF-8" in result.stderr
    assert head(db) == before


def test_an_import_of_nothing_but_duplicates_offers_no_undo(db: str, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path, "known.csv", ["name", "email"], ["Zhao Xuenong", "zhao@km.example.cn"]
    )
    before = head(db)

    result = crm("import", "csv", str(path), "--kind", "contacts", db=db)

    assert result.exit_code == 0, result.stderr
    assert "crm undo" not in result.stderr
    assert "nothing new to write" in result.stderr
    assert head(db) == before


def test_an_import_that_writes_says_how_to_undo_it(db: str, tmp_path: Path) -> None:
    path, mapping = yunnan_contacts(tmp_path), write_map(tmp_path)

    result = crm("import", "csv", str(path), "--kind", "contacts", "--map", str(mapping), db=db)

    assert result.exit_code == 0, result.stderr
    assert "crm undo --batch" in result.stderr


def test_an_unreadable_mapping_is_one_line_and_writes_nothing(db: str, tmp_path: Path) -> None:
    before = head(db)
    mapping = write_map(tmp_path, "[columns\n")

    result = crm(
        "import",
        "csv",
        str(yunnan_contacts(tmp_path)),
        "--kind",
        "contacts",
        "--map",
        str(mapping),
        db=db,
    )

    assert_one_line_error(result, contains="mapping")
    assert head(db) == before


def test_a_file_saved_by_excel_with_a_bom_and_crlf_imports(db: str, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffname,email\r\nWang Fang,wang.fang@yn.example.cn\r\n".encode())

    summary = import_json(db, path, "contacts")

    assert summary["to_create"] == 1
    assert crm_json("contact", "show", "wang.fang@yn.example.cn", db=db)["name"] == "Wang Fang"


# -- vCard ---------------------------------------------------------------------------------

OUTLOOK_VCARD = (
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "N:Okonkwo;Adaeze;;Dr.;\r\n"
    "FN:Dr. Adaeze Okonkwo\r\n"
    "ORG:Lagos State Ministry of Commerce and Industry;International Relati\r\n"
    " ons Unit\r\n"
    "TITLE:Permanent Secretary\r\n"
    "TEL;TYPE=WORK,VOICE:+234 1 555 0199\r\n"
    "TEL;TYPE=CELL:+234 803 555 0100\r\n"
    "EMAIL;TYPE=PREF,INTERNET:adaeze.okonkwo@lagos.exam\r\n"
    " ple.ng\r\n"
    "NOTE:Met at the Lagos trade fair\\, 2015.\\nPrefers email.\r\n"
    "X-MS-OL-DEFAULT-POSTAL-ADDRESS:2\r\n"
    "REV:20150925T101500Z\r\n"
    "END:VCARD\r\n"
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "N:Adeyemi;Tunde;;;\r\n"
    "FN:Tunde Adeyemi\r\n"
    "ORG:Lagos Chamber of Commerce\r\n"
    "EMAIL;TYPE=INTERNET:tunde@lagoschamber.example.ng\r\n"
    "END:VCARD\r\n"
)

PHONE_VCARD_4 = (
    "BEGIN:VCARD\n"
    "VERSION:4.0\n"
    "FN:Sofia Márquez\n"
    "N:Márquez;Sofia;;;\n"
    "ORG:Ayuntamiento de Valencia\n"
    "TITLE:Concejala de Comercio\n"
    "EMAIL;TYPE=work:sofia.marquez@valencia.example.es\n"
    'TEL;TYPE="voice,cell":+34 600 555 012\n'
    "LANG;PREF=1:es\n"
    "END:VCARD\n"
)


def write_vcard(folder: Path, text: str, name: str = "contacts.vcf") -> Path:
    path = folder / name
    path.write_bytes(text.encode("utf-8"))
    return path


def import_vcard(db: str, path: Path, *extra: str) -> dict[str, Any]:
    result = crm_json("import", "vcard", str(path), *extra, db=db)
    assert isinstance(result, dict)
    return result


def test_an_outlook_vcard_3_with_folded_lines_and_type_params_imports(
    db: str, tmp_path: Path
) -> None:
    summary = import_vcard(db, write_vcard(tmp_path, OUTLOOK_VCARD))
    adaeze = crm_json("contact", "show", "Adaeze Okonkwo", db=db)
    tunde = crm_json("contact", "show", "tunde@lagoschamber.example.ng", db=db)

    assert summary["to_create"] == 2
    assert adaeze["honorific"] == "Dr."
    assert adaeze["emails"] == ["adaeze.okonkwo@lagos.example.ng"]
    assert adaeze["phones"] == ["+234 1 555 0199", "+234 803 555 0100"]
    assert adaeze["titles"] == [
        "Permanent Secretary, Lagos State Ministry of Commerce and Industry"
    ]
    assert adaeze["notes"] == "Met at the Lagos trade fair, 2015.\nPrefers email."
    assert tunde["name"] == "Tunde Adeyemi"
    assert tunde["titles"] == ["Contact, Lagos Chamber of Commerce"]


def test_a_vcard_4_file_from_a_phone_imports(db: str, tmp_path: Path) -> None:
    summary = import_vcard(db, write_vcard(tmp_path, PHONE_VCARD_4))
    sofia = crm_json("contact", "show", "sofia marquez", db=db)

    assert summary["to_create"] == 1
    assert sofia["name"] == "Sofia Márquez"
    assert sofia["emails"] == ["sofia.marquez@valencia.example.es"]
    assert sofia["phones"] == ["+34 600 555 012"]
    assert sofia["languages"] == ["es"]
    assert sofia["titles"] == ["Concejala de Comercio, Ayuntamiento de Valencia"]


def test_a_vcard_4_phone_given_as_a_tel_uri_imports(db: str, tmp_path: Path) -> None:
    text = PHONE_VCARD_4.replace(
        'TEL;TYPE="voice,cell":+34 600 555 012',
        'TEL;VALUE=uri;TYPE="voice,cell":tel:+34-600-555-012',
    )

    import_vcard(db, write_vcard(tmp_path, text))

    assert crm_json("contact", "show", "sofia marquez", db=db)["phones"] == ["+34-600-555-012"]


def test_a_vcard_dry_run_writes_nothing(db: str, tmp_path: Path) -> None:
    before = head(db)

    summary = import_vcard(db, write_vcard(tmp_path, OUTLOOK_VCARD), "--dry-run")

    assert [p["row"] for p in summary["preview"]] == ["Adaeze Okonkwo", "Tunde Adeyemi"]
    assert head(db) == before


def test_a_vcard_of_a_known_person_is_a_duplicate_and_left_out(db: str, tmp_path: Path) -> None:
    text = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Zhao;Xuenong;;;\r\nFN:Zhao Xuenong\r\n"
    text += "EMAIL:zhao@km.example.cn\r\nEND:VCARD\r\n"

    summary = import_vcard(db, write_vcard(tmp_path, text))

    assert (summary["duplicates"], summary["written"]) == (1, 0)
    assert contact_names(db).count("Zhao Xuenong") == 1


def test_a_vcard_with_a_bad_email_writes_nothing_unless_skipped(db: str, tmp_path: Path) -> None:
    bad = OUTLOOK_VCARD.replace("tunde@lagoschamber.example.ng", "tunde at lagoschamber")
    path = write_vcard(tmp_path, bad)
    before = head(db)

    refused = crm("import", "vcard", str(path), db=db)
    after_refusal = head(db)
    skipped = import_vcard(db, path, "--skip-invalid")

    assert_one_line_error(refused, contains="tunde at lagoschamber")
    assert after_refusal == before
    assert (skipped["to_create"], skipped["invalid"]) == (1, 1)
    assert "Adaeze Okonkwo" in contact_names(db)


def test_a_vcard_import_is_one_batch_that_undo_retracts(db: str, tmp_path: Path) -> None:
    summary = import_vcard(db, write_vcard(tmp_path, OUTLOOK_VCARD))

    crm_ok("undo", "--batch", summary["batch"], db=db)

    assert "Adaeze Okonkwo" not in contact_names(db)
    assert "Lagos Chamber of Commerce" not in org_names(db)


def test_a_file_that_is_not_utf8_is_one_line(db: str, tmp_path: Path) -> None:
    path = tmp_path / "latin1.vcf"
    path.write_bytes(PHONE_VCARD_4.encode("latin-1"))

    assert_one_line_error(crm("import", "vcard", str(path), db=db), contains="UTF-8")


def test_a_bad_vcard_is_reported_by_the_line_it_starts_on(db: str, tmp_path: Path) -> None:
    bad = OUTLOOK_VCARD.replace("tunde@lagoschamber.example.ng", "tunde at lagoschamber")
    begins = [n for n, line in enumerate(bad.splitlines(), 1) if line == "BEGIN:VCARD"]

    result = crm("import", "vcard", str(write_vcard(tmp_path, bad)), db=db)

    assert begins[1] == 16
    assert_one_line_error(result, contains="line 16")


def test_an_unreadable_line_in_a_card_fails_the_file_naming_that_line(
    db: str, tmp_path: Path
) -> None:
    bad = OUTLOOK_VCARD.replace("VERSION:3.0\r\n", "VERSION:3.0\r\nTHIS LINE HAS NO COLON\r\n", 2)
    lines = bad.splitlines()
    before = head(db)

    result = crm("import", "vcard", str(write_vcard(tmp_path, bad)), db=db)

    where = next(n for n, line in enumerate(lines, 1) if line == "THIS LINE HAS NO COLON")
    assert_one_line_error(result, contains=f"line {where}: not a readable vCard")
    assert "vobject" not in result.stderr
    assert head(db) == before


def test_a_folded_unreadable_line_is_named_by_the_line_it_begins_on(
    db: str, tmp_path: Path
) -> None:
    bad = OUTLOOK_VCARD.replace(
        "VERSION:3.0\r\n", "VERSION:3.0\r\nNOTE:fine\r\nNO COLON HERE\r\n  NOR HERE\r\n", 1
    )
    where = bad.splitlines().index("NO COLON HERE") + 1

    result = crm("import", "vcard", str(write_vcard(tmp_path, bad)), db=db)

    assert_one_line_error(result, contains=f"line {where}: not a readable vCard")


def test_a_vcard_2_1_with_quoted_printable_soft_breaks_imports_decoded(
    db: str, tmp_path: Path
) -> None:
    text = (
        "BEGIN:VCARD\r\n"
        "VERSION:2.1\r\n"
        "N:Okafor;Chidi;;;\r\n"
        "FN:Chidi Okafor\r\n"
        "NOTE;ENCODING=QUOTED-PRINTABLE:Met at the Lagos =\r\n"
        "trade fair=0D=0Aabout port logistics\r\n"
        "TEL;CELL:+234 803 555 0199\r\n"
        "END:VCARD\r\n"
    )

    import_vcard(db, write_vcard(tmp_path, text))

    chidi = crm_json("contact", "show", "Chidi Okafor", db=db)
    assert chidi["phones"] == ["+234 803 555 0199"]
    assert "Lagos trade fair" in chidi["notes"]


def test_a_tel_uri_extension_is_kept_as_ext(db: str, tmp_path: Path) -> None:
    text = PHONE_VCARD_4.replace(
        'TEL;TYPE="voice,cell":+34 600 555 012',
        "TEL;VALUE=uri;TYPE=work:tel:+34-963-525-478;ext=1042",
    )

    import_vcard(db, write_vcard(tmp_path, text))

    assert crm_json("contact", "show", "sofia marquez", db=db)["phones"] == [
        "+34-963-525-478 ext 1042"
    ]


def test_a_card_never_closed_is_named_by_the_line_it_starts_on(db: str, tmp_path: Path) -> None:
    text = OUTLOOK_VCARD + "\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Half Written\r\n"
    before = head(db)

    result = crm("import", "vcard", str(write_vcard(tmp_path, text)), db=db)

    assert_one_line_error(result, contains="line 24")
    assert head(db) == before


def test_a_family_first_card_from_another_app_keeps_its_order(db: str, tmp_path: Path) -> None:
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Guo;Lihua;;;\r\nFN:Guo Lihua\r\n"
        "X-CRM-NATIVE-NAME:郭丽华\r\nEMAIL:guo.lihua@yn.example.cn\r\nEND:VCARD\r\n"
    )

    import_vcard(db, write_vcard(tmp_path, text))
    guo = crm_json("contact", "show", "guo.lihua@yn.example.cn", db=db)

    assert (guo["name"], guo["native_name"]) == ("Guo Lihua", "郭丽华")


def test_the_progress_bar_shows_on_a_terminal_only_and_on_stderr(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from crm.cli.console import progress_bar

    with progress_bar("checking") as advance:  # stderr is captured: not a terminal
        advance(5, None)
    assert capsys.readouterr() == ("", "")

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with progress_bar("checking") as advance:
        advance(5, 10)
    shown = capsys.readouterr()
    assert shown.out == ""  # stdout holds data only
    assert "checking" in shown.err
