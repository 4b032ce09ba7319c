"""The timeline report as one self-contained, printable HTML page (crm.reports.html)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, date, datetime
from html import escape
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.reports.html import render_html
from crm.reports.model import (
    AgreementLine,
    FollowUpLine,
    PersonAtTime,
    TimelineReport,
    VisitLine,
)
from tests.crm.reports.sample import ITEMS, TITLE, liverpool_kunming

SCRIPT = "<script>alert(1)</script>"
VOID = {"meta"}
OWN_TAGS = {
    *("html", "head", "meta", "title", "style", "body", "header", "h1", "dl", "dt", "dd"),
    *("section", "h2", "h3", "table", "thead", "tbody", "tr", "th", "td", "figure"),
    *("figcaption", "ol", "ul", "li", "p", "span", "svg", "g", "rect", "text", "line", "polygon"),
}
"""Every tag the renderer writes; user text must never add one."""


class Tags(HTMLParser):
    """Collects start tags and checks each opened tag is closed in order."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.starts: list[str] = []
        self.open: list[str] = []
        self.mismatched: list[str] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.starts.append(tag)
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.starts.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.mismatched.append(tag)


def with_first_item(**changes: Any) -> TimelineReport:
    report = liverpool_kunming()
    first = replace(report.items[0], **changes)
    return replace(report, items=(first, *report.items[1:]))


def test_the_page_is_one_file_with_no_scripts_and_no_links() -> None:
    page = render_html(liverpool_kunming())

    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page
    for absent in ("<script", "http://", "https://", "src=", "href=", "@import", "url("):
        assert absent not in page


def test_the_page_prints_on_a4_without_splitting_an_entry() -> None:
    page = render_html(liverpool_kunming())

    assert "@page { size: A4; margin: 15mm; }" in page
    assert "break-inside: avoid" in page


def test_the_page_carries_one_inline_svg_chart_that_parses() -> None:
    page = render_html(liverpool_kunming())

    assert page.count("<svg") == 1
    svg = ET.fromstring(page[page.index("<svg") : page.index("</svg>") + len("</svg>")])
    months = [g.attrib["data-month"] for g in svg.iter("g") if g.get("class") == "month"]
    assert months[0] == "2015-09"
    assert months[-1] == "2016-06"


def test_every_tag_the_page_opens_it_closes() -> None:
    tags = Tags(render_html(liverpool_kunming()))

    assert tags.mismatched == []
    assert tags.open == []
    assert set(tags.starts) <= OWN_TAGS


def test_the_header_shows_the_partnership_facts() -> None:
    page = render_html(liverpool_kunming())

    header = page.split("</header>", 1)[0]
    assert f"<h1>{TITLE}</h1>" in header
    assert "<dt>Parties</dt><dd>Liverpool City Council; Kunming Municipal People&#x27;s" in header
    assert "<dt>Status</dt><dd>active</dd>" in header
    assert "<dt>Sectors</dt><dd>trade and investment, technology and science, education" in header
    assert "<dt>As of</dt><dd>2016-05-10 09:00 UTC</dd>" in header
    assert "<td>Friendship Partnership Agreement</td><td>2016-02-25</td><td>Kunming</td>" in page
    assert "<td>2021-02-25</td>" in page


def test_the_period_appears_in_the_header_when_set() -> None:
    report = replace(liverpool_kunming(), period_from=date(2016, 1, 1))

    assert "<dt>Period</dt><dd>from 2016-01-01</dd>" in render_html(report)


def test_items_appear_in_the_given_order_with_times_in_their_zone() -> None:
    page = render_html(liverpool_kunming())

    positions = [page.index(f"<h3>{escape(item.title)}") for item in ITEMS]
    assert positions == sorted(positions)
    assert "2016-02-25 10:00 (Asia/Shanghai) · signing · Kunming" in page


def test_a_corrected_entry_shows_a_marker_and_why() -> None:
    page = render_html(liverpool_kunming())

    assert '<li class="entry corrected">' in page
    assert '<span class="badge corrected">corrected</span>' in page
    assert "Corrected: Time corrected from 03:00 to 10:00" in page


def test_a_cancelled_mission_shows_its_status() -> None:
    report = liverpool_kunming()
    cancelled = replace(report.items[-1], status="cancelled")
    page = render_html(replace(report, items=(*report.items[:-1], cancelled)))

    assert '<span class="badge status">cancelled</span>' in page
    assert '<li class="entry cancelled">' in page


def test_people_followups_and_visits_are_listed() -> None:
    page = render_html(liverpool_kunming())

    assert "<td>Ellen Cutler</td><td>Director</td><td>Invest Liverpool</td>" in page
    assert "<td>2016-05-20</td><td>Send the IFB delegation programme" in page
    assert "<td>2016-06-20 to 2016-06-23</td><td>inbound</td>" in page


def _everywhere(text: str) -> TimelineReport:
    """The sample with `text` in every piece of user text the page shows."""
    report = with_first_item(
        title=text,
        summary=text,
        place=text,
        people=(PersonAtTime("c", text, text, text),),
        outcomes=(text,),
        gifts=(text,),
        corrections=(text,),
        status=text,
    )
    return replace(
        report,
        title=text,
        parties=(text,),
        sectors=(text,),
        owner=text,
        agreements=(AgreementLine("a", text, date(2016, 2, 25), text),),
        people=(PersonAtTime("c", text, text, text),),
        open_followups=(FollowUpLine("f", text, text, text, date(2016, 5, 20)),),
        upcoming_visits=(
            VisitLine("m", text, text, date(2016, 6, 20), date(2016, 6, 23), (text,)),
        ),
    )


@pytest.mark.parametrize(
    "report",
    [
        with_first_item(summary=SCRIPT),
        with_first_item(title=SCRIPT),
        with_first_item(people=(PersonAtTime("c", SCRIPT, "Mayor"),)),
        with_first_item(place=SCRIPT),
        _everywhere(SCRIPT),
    ],
    ids=["summary", "title", "name", "place", "everywhere"],
)
def test_a_script_tag_in_user_text_shows_as_text(report: TimelineReport) -> None:
    page = render_html(report)

    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_empty_report_shows_the_timeline_with_no_entries() -> None:
    report = TimelineReport(
        "organisation", "organisation-1", "Invest Liverpool", datetime(2016, 5, 10, tzinfo=UTC), ()
    )

    page = render_html(report)

    assert '<h2>Timeline</h2>\n<p class="empty">No entries.</p>' in page
    assert "No interactions" in page
    for absent in ("Agreements", "People", "Open follow-ups", "Upcoming visits", "Parties"):
        assert absent not in page
    assert Tags(page).open == []


@given(title=st.text(), summary=st.text(min_size=1), place=st.text(min_size=1))
def test_user_text_never_adds_a_tag_to_the_page(title: str, summary: str, place: str) -> None:
    page = render_html(with_first_item(title=title, summary=summary, place=place))

    tags = Tags(page)
    assert (
        tags.starts == Tags(render_html(with_first_item(title="t", summary="s", place="p"))).starts
    )
    assert tags.mismatched == []
    for text in (title, summary, place):
        assert escape(text) in page
