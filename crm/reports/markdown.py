"""The timeline report as GitHub-flavoured Markdown, and the wording the HTML shares with it."""

from __future__ import annotations

import re
from datetime import date, datetime

from crm.reports.model import (
    AgreementLine,
    FollowUpLine,
    PersonAtTime,
    TimelineItem,
    TimelineReport,
    VisitLine,
)

_INLINE = re.compile(r"([\\`*_\[\]|~])")
"""Characters that start emphasis, code, links, strikethrough or table cells mid-line."""
_BLOCK = re.compile(r"^([#=+-]|\d+(?=[.)]))")
"""What turns a line into a heading, list item or setext underline when it starts one."""
_ENTITY = re.compile(r"&(?=#?\w+;)")

AGREEMENT_COLUMNS = ("Agreement", "Signed", "Place", "Expires")
PEOPLE_COLUMNS = ("Person", "Title at the time", "Organisation")
FOLLOWUP_COLUMNS = ("Due", "Follow-up", "Owner")


def _escape_block(found: re.Match[str]) -> str:
    mark = found[0]
    return mark + "\\" if mark[0].isdigit() else "\\" + mark


def md_text(text: str) -> str:
    """Escape user text so it shows as typed: no raw HTML, no headings, lists or tables."""
    text = _ENTITY.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")
    text = _INLINE.sub(r"\\\1", text)
    # Leading spaces go: four of them would start a code block inside the list item.
    return "\n".join(_BLOCK.sub(_escape_block, line.lstrip()) for line in text.splitlines())


def md_cell(text: str) -> str:
    """Escape user text for a table cell, on one line."""
    return md_text(" ".join(text.split()))


def is_all_day(moment: datetime) -> bool:
    """Midnight means a day without a time: the model keeps no separate all-day flag."""
    return (moment.hour, moment.minute, moment.second, moment.microsecond) == (0, 0, 0, 0)


def when_text(item: TimelineItem) -> str:
    """ "2016-02-25 10:00 (Asia/Shanghai)", in the zone where it happened; the day if all-day."""
    if is_all_day(item.occurred_at):
        return item.occurred_at.date().isoformat()
    return f"{item.occurred_at:%Y-%m-%d %H:%M} ({item.timezone})"


def instant_text(moment: datetime) -> str:
    """An instant such as `as_of` with its zone name, e.g. "2016-05-10 09:00 UTC"."""
    zone = moment.tzname()
    return f"{moment:%Y-%m-%d %H:%M}" + (f" {zone}" if zone else "")


def period_text(start: date | None, end: date | None) -> str | None:
    """ "2015-09-01 to 2016-06-30", or an open end ("from …", "until …"); None if neither."""
    if start and end:
        return f"{start.isoformat()} to {end.isoformat()}"
    if start:
        return f"from {start.isoformat()}"
    return f"until {end.isoformat()}" if end else None


def kind_text(kind: str) -> str:
    """ "site_visit" reads as "site visit"."""
    return kind.replace("_", " ")


def visit_dates(visit: VisitLine) -> str:
    """ "2016-06-20 to 2016-06-23", or one day."""
    if visit.starts_on == visit.ends_on:
        return visit.starts_on.isoformat()
    return f"{visit.starts_on.isoformat()} to {visit.ends_on.isoformat()}"


def due_text(followup: FollowUpLine) -> str:
    """The due day, with the words it was set with when they say something else."""
    day = followup.due_on.isoformat()
    return day if followup.due in ("", day) else f"{day} ({followup.due})"


def header_facts(report: TimelineReport) -> list[tuple[str, str]]:
    """The facts at the top of the report, in order, leaving out what is not set."""
    period = period_text(report.period_from, report.period_to)
    facts = [
        ("Subject", report.subject_kind),
        ("Parties", "; ".join(report.parties)),
        ("Kind", report.kind or ""),
        ("Status", report.status or ""),
        ("Sectors", ", ".join(report.sectors)),
        ("Owner", report.owner or ""),
        ("As of", instant_text(report.as_of) if report.as_of else ""),
        ("Period", period or ""),
        ("Generated", instant_text(report.generated_at)),
    ]
    return [(label, value) for label, value in facts if value]


def _indent(text: str, spaces: int) -> str:
    """Indent continuation lines so a multi-line value stays inside its list item."""
    return "\n".join(
        " " * spaces + line if i and line else line for i, line in enumerate(text.split("\n"))
    )


def _field(label: str, text: str) -> str:
    return f"  - {label}: " + _indent(md_text(text), 4)


def _entry(item: TimelineItem) -> list[str]:
    marks = [f"**{md_text(item.status)}**"] if item.status else []
    marks += ["*(corrected)*"] if item.is_corrected else []
    head = f"- **{when_text(item)}** · {md_text(kind_text(item.kind))} · **{md_text(item.title)}**"
    lines = [" ".join([head, *marks])]
    if item.place:
        lines.append(_field("Place", item.place))
    if item.people:
        lines.append(_field("People", "; ".join(p.describe() for p in item.people)))
    if item.summary:
        lines.append(_field("Summary", item.summary))
    for label, values in (("Outcome", item.outcomes), ("Gift", item.gifts)):
        lines += [_field(label, v) for v in values]
    lines += [_field("Corrected", c) for c in item.corrections]
    return lines


def _table(heads: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    if not rows:
        return []
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def _agreement(a: AgreementLine) -> tuple[str, ...]:
    expiry = a.expires_on.isoformat() if a.expires_on else "no expiry"
    return (md_cell(a.title), a.signed_on.isoformat(), md_cell(a.place), expiry)


def _person(p: PersonAtTime) -> tuple[str, ...]:
    return (md_cell(p.name), md_cell(p.title or ""), md_cell(p.organisation or ""))


def _followup(f: FollowUpLine) -> tuple[str, ...]:
    due = md_cell(due_text(f)) + (" **overdue**" if f.is_overdue else "")
    return (due, md_cell(f.text), md_cell(f.owner))


def _visit(v: VisitLine) -> str:
    places = f" — {md_text('; '.join(v.places))}" if v.places else ""
    return f"- **{visit_dates(v)}** · {md_text(v.direction)} · {md_text(v.name)}{places}"


def _section(title: str, lines: list[str]) -> list[str]:
    return ["", f"## {title}", "", *lines] if lines else []


def render_markdown(report: TimelineReport) -> str:
    """Render the report as Markdown; empty sections are left out, except the timeline."""
    timeline = [line for item in report.items for line in _entry(item)]
    agreements = [_agreement(a) for a in report.agreements]
    people = [_person(p) for p in report.people]
    followups = [_followup(f) for f in report.open_followups]
    return (
        "\n".join(
            [
                f"# Timeline: {md_text(report.title)}",
                "",
                *(f"- **{label}:** {md_text(value)}" for label, value in header_facts(report)),
                *_section("Agreements", _table(AGREEMENT_COLUMNS, agreements)),
                *_section("Timeline", timeline or ["No entries."]),
                *_section("People", _table(PEOPLE_COLUMNS, people)),
                *_section("Open follow-ups", _table(FOLLOWUP_COLUMNS, followups)),
                *_section("Upcoming visits", [_visit(v) for v in report.upcoming_visits]),
            ]
        )
        + "\n"
    )
