"""Hostile content end to end: markup escaped, header injection refused, spreadsheet formulas
neutralised, oversized fields refused, whichever way the content comes in."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from crm.commands import followups
from tests.clirunner import assert_one_line_error, crm, crm_json, crm_ok
from tests.reliability import workers

SCRIPT = "<script>alert('x')</script>"
TEN_MB = "x" * 10_000_000
OWNER = ("--owner", "international.office@liverpool.example")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def db(store_url: str) -> str:
    crm_ok("demo", db=store_url)
    return store_url


def head(db: str) -> int:
    return int(crm_json("status", db=db)["events"])


def smtp_env(sink: Any) -> dict[str, str]:
    return {
        "CRM_SMTP_HOST": sink.host,
        "CRM_SMTP_PORT": str(sink.port),
        "CRM_SMTP_SECURITY": "none",
        "CRM_SMTP_SENDER": "reminders@liverpool.example",
    }


def test_markup_in_a_followup_is_escaped_in_the_reminder_email_and_the_reports(
    db: str, smtp_sink: Any
) -> None:
    crm_ok(
        "followup",
        "add",
        f"{SCRIPT} Send the programme",
        "--due",
        "2016-06-06",
        *OWNER,
        "--about",
        "Liverpool-Kunming",
        db=db,
    )
    crm_json(
        "remind", "send", "--at", "2016-06-06 08:00 Europe/London", db=db, env=smtp_env(smtp_sink)
    )

    html_mail = "".join(m.message.get_body(("html",)).get_content() for m in smtp_sink.wait_for(1))
    html_report = crm_ok("timeline", "Liverpool-Kunming", "--format", "html", db=db).stdout
    for html in (html_mail, html_report):
        assert "<script" not in html
        assert "&lt;script&gt;" in html


def test_a_summary_with_markup_is_stored_verbatim_and_shown_escaped(db: str) -> None:
    crm_json(
        "log", "meeting", "--with", "Zhao Xuenong", "--on", "2016-03-10 14:00",
        "--subject", "Talks", "--summary", SCRIPT, db=db,
    )  # fmt: skip
    entries = crm_json("timeline", "Zhao Xuenong", db=db)["items"]
    html = crm_ok("timeline", "Zhao Xuenong", "--format", "html", db=db).stdout

    assert any(SCRIPT in str(entry) for entry in entries)  # nothing a user logged is changed
    assert "<script" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    "args",
    [
        ("followup", "add", "Call back\r\nBcc: victim@example.com", "--due", "2016-06-06", *OWNER),
        ("contact", "add", "Wang\r\nFang"),
        ("org", "add", "Evil\nCorp"),
        ("log", "call", "--with", "Zhao Xuenong", "--on", "today", "--subject", "Hi\rBcc: x"),
    ],
    ids=["followup", "contact", "organisation", "interaction"],
)
def test_line_breaks_in_one_line_fields_are_refused_and_nothing_is_written(
    db: str, args: tuple[str, ...]
) -> None:
    before = head(db)

    assert_one_line_error(crm(*args, db=db), contains="one line")
    assert head(db) == before


def test_a_crlf_title_that_reached_the_log_another_way_cannot_inject_mail_headers(
    db: str, smtp_sink: Any
) -> None:
    app = workers.services(db)
    event = workers.followup(
        "international.office@liverpool.example",
        date(2016, 6, 6),
        "Call back\r\nBcc: victim@example.com",
    )
    followups.handle(app.command_context(), event, followups.decide_open)  # no CLI check
    app.close()

    crm_json(
        "remind", "send", "--at", "2016-06-06 08:00 Europe/London", db=db, env=smtp_env(smtp_sink)
    )

    (received,) = smtp_sink.wait_for(1)
    assert received.rcpt_tos == ("international.office@liverpool.example",)
    assert "victim@example.com" not in received.rcpt_tos
    assert received.message["Bcc"] is None
    assert all("\r" not in v and "\n" not in v for v in received.message.values())


def test_cells_that_start_like_formulas_are_neutralised_in_every_csv_export(db: str) -> None:
    crm_ok("contact", "add", '=HYPERLINK("http://evil.example") Wang', db=db)
    crm_ok("org", "add", "+Plus Trading", "--kind", "company", db=db)
    crm_json(
        "log", "meeting", "--with", "Zhao Xuenong", "--on", "2016-03-10 14:00",
        "--subject", "@SUM(1+1)", "--summary", "-2+3", db=db,
    )  # fmt: skip
    exports = [
        crm_ok("contact", "list", "--format", "csv", db=db).stdout,
        crm_ok("org", "list", "--format", "csv", db=db).stdout,
        crm_ok("timeline", "Zhao Xuenong", "--format", "csv", db=db).stdout,
        crm_ok("search", "SUM", "--format", "csv", db=db).stdout,
    ]

    cells = [c for text in exports for row in csv.reader(io.StringIO(text)) for c in row]
    assert '\'=HYPERLINK("http://evil.example") Wang' in cells
    assert "'+Plus Trading" in cells
    assert "'@SUM(1+1)" in cells
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]


def test_a_ten_megabyte_field_is_refused_on_the_command_line(db: str) -> None:
    before = head(db)
    result = crm(
        "log", "meeting", "--with", "Zhao Xuenong", "--on", "today",
        "--subject", "Talks", "--summary", TEN_MB, db=db,
    )  # fmt: skip

    assert_one_line_error(result, contains="too long")
    assert len(result.stderr) < 500
    assert head(db) == before


@pytest.mark.parametrize("kind", ["csv", "vcard"])
def test_a_ten_megabyte_field_in_an_import_is_refused_naming_its_line(
    db: str, tmp_path: Path, kind: str
) -> None:
    path = tmp_path / f"people.{kind}"
    if kind == "csv":
        path.write_text(f"name,notes\nWang Fang,short\nLi Ming,{TEN_MB}\n", encoding="utf-8")
        args: tuple[str, ...] = ("import", "csv", str(path), "--kind", "contacts")
        line = "line 3"
    else:
        path.write_text(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Li Ming\r\nN:Li;Ming;;;\r\n"
            f"NOTE:{TEN_MB}\r\nEND:VCARD\r\n",
            encoding="utf-8",
        )
        args = ("import", "vcard", str(path))
        line = "line 1"
    before = head(db)

    result = crm(*args, db=db)

    assert_one_line_error(result, contains=line)
    assert len(result.stderr) < 500
    assert head(db) == before
