"""The timeline report as Markdown (crm.reports.markdown)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from crm.reports.markdown import render_markdown
from crm.reports.model import FollowUpLine, PersonAtTime, TimelineReport
from tests.crm.reports.sample import ITEMS, TITLE, liverpool_kunming

SCRIPT = "<script>alert(1)</script>"


def with_first_item(**changes: Any) -> TimelineReport:
    report = liverpool_kunming()
    first = replace(report.items[0], **changes)
    return replace(report, items=(first, *report.items[1:]))


def section(markdown: str, title: str) -> str:
    """The text under a `## title` heading, up to the next one."""
    return markdown.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_the_header_shows_the_partnership_facts() -> None:
    md = render_markdown(liverpool_kunming())

    assert md.startswith(f"# Timeline: {TITLE}\n")
    header = md.split("\n## ", 1)[0]
    for fact in (
        "- **Parties:** Liverpool City Council; Kunming Municipal People's Government",
        "- **Kind:** friendship",
        "- **Status:** active",
        "- **Sectors:** trade and investment, technology and science, education, culture, tourism",
        "- **As of:** 2016-05-10 09:00 UTC",
    ):
        assert fact in header


def test_agreements_show_where_they_were_signed_and_when_they_expire() -> None:
    agreements = section(render_markdown(liverpool_kunming()), "Agreements")

    assert "| Friendship Partnership Agreement | 2016-02-25 | Kunming | 2021-02-25 |" in agreements


def test_the_period_appears_in_the_header_when_set() -> None:
    report = replace(liverpool_kunming(), period_from=date(2015, 9, 1), period_to=date(2016, 6, 30))

    assert "- **Period:** 2015-09-01 to 2016-06-30" in render_markdown(report)


def test_items_appear_in_the_given_order() -> None:
    report = liverpool_kunming()
    md = render_markdown(replace(report, items=tuple(reversed(report.items))))

    positions = [md.index(f"**{item.title}**") for item in reversed(ITEMS)]
    assert positions == sorted(positions)


def test_times_show_in_the_zone_where_things_happened() -> None:
    md = render_markdown(liverpool_kunming())

    assert "- **2016-02-25 10:00 (Asia/Shanghai)** · signing · **Friendship Partnership" in md
    assert "- **2015-11-12 08:30 (Europe/London)** · call" in md


def test_an_item_at_midnight_shows_only_its_day() -> None:
    md = render_markdown(liverpool_kunming())

    assert "- **2015-09-21** · status · **Status: proposed → negotiating**" in md


def test_a_corrected_entry_shows_a_marker_and_why() -> None:
    md = render_markdown(liverpool_kunming())

    assert "**Meeting with Vice Mayor Guan Qinghua** *(corrected)*" in md
    assert "  - Corrected: Time corrected from 03:00 to 10:00" in md


def test_a_cancelled_mission_shows_its_status() -> None:
    report = liverpool_kunming()
    cancelled = replace(report.items[-1], status="cancelled")
    md = render_markdown(replace(report, items=(*report.items[:-1], cancelled)))

    assert "planned** **cancelled**" in md


def test_people_show_with_their_titles_at_the_time() -> None:
    md = render_markdown(liverpool_kunming())

    assert (
        "People: Cllr Gary Millar (Vice Mayor, Liverpool City Council); "
        "Zhao Xuenong (Vice Mayor, Kunming Municipal People's Government); "
        "Ellen Cutler (Director, Invest Liverpool)"
    ) in md
    assert "| Zhao Xuenong | Vice Mayor | Kunming Municipal People's Government |" in section(
        md, "People"
    )


def test_open_followups_and_upcoming_visits_are_listed() -> None:
    md = render_markdown(liverpool_kunming())

    assert "| 2016-05-20 | Send the IFB delegation programme" in section(md, "Open follow-ups")
    assert (
        "- **2016-06-20 to 2016-06-23** · inbound · "
        "Kunming delegation to the International Festival for Business — Liverpool"
    ) in section(md, "Upcoming visits")


def test_an_overdue_followup_is_marked_and_keeps_the_words_it_was_set_with() -> None:
    late = FollowUpLine("f", "Chase the MoU", "a@b.example", "Friday", date(2016, 5, 6), True)
    md = render_markdown(replace(liverpool_kunming(), open_followups=(late,)))

    assert "| 2016-05-06 (Friday) **overdue** | Chase the MoU |" in md


@pytest.mark.parametrize(
    "report",
    [
        with_first_item(summary=SCRIPT),
        with_first_item(title=SCRIPT),
        with_first_item(place=SCRIPT),
        with_first_item(people=(PersonAtTime("c", SCRIPT, "Mayor"),)),
    ],
    ids=["summary", "title", "name", "place"],
)
def test_a_script_tag_in_user_text_does_not_render_as_html(report: TimelineReport) -> None:
    md = render_markdown(report)

    assert "<script" not in md
    assert "&lt;script&gt;" in md


def test_a_multiline_summary_stays_inside_its_list_item() -> None:
    md = render_markdown(with_first_item(summary="First line.\n# Not a heading\n    - not a list"))

    assert "  - Summary: First line.\n    \\# Not a heading\n    \\- not a list\n" in md


def test_a_pipe_in_a_table_cell_does_not_split_the_cell() -> None:
    report = replace(liverpool_kunming(), people=(PersonAtTime("c", "A | B", "Mayor"),))

    assert "| A \\| B | Mayor |  |" in render_markdown(report)


def test_markdown_in_a_title_shows_as_typed() -> None:
    md = render_markdown(with_first_item(title="*Draft* [MoU](x) `v2`"))

    assert "\\*Draft\\* \\[MoU\\](x) \\`v2\\`" in md


def test_an_empty_report_shows_the_timeline_with_no_entries() -> None:
    report = TimelineReport(
        "contact", "contact-1", "Ellen Cutler", datetime(2016, 5, 10, tzinfo=UTC), items=()
    )

    md = render_markdown(report)

    assert "## Timeline\n\nNo entries." in md
    for absent in ("Agreements", "People", "Open follow-ups", "Upcoming visits", "Parties"):
        assert absent not in md
    assert "- **Subject:** contact" in md
