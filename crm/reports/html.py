"""The timeline report as one self-contained, printable HTML page with an inline rhythm chart."""

from __future__ import annotations

from html import escape

from crm.reports.chart import SVG_NS, monthly_chart_svg
from crm.reports.markdown import (
    AGREEMENT_COLUMNS,
    FOLLOWUP_COLUMNS,
    PEOPLE_COLUMNS,
    due_text,
    header_facts,
    kind_text,
    visit_dates,
    when_text,
)
from crm.reports.model import (
    AgreementLine,
    FollowUpLine,
    PersonAtTime,
    TimelineItem,
    TimelineReport,
    VisitLine,
)

STYLE = """
@page { size: A4; margin: 15mm; }
* { box-sizing: border-box; }
body { font: 10.5pt/1.45 Georgia, "Times New Roman", serif; color: #222; margin: 0 auto;
       max-width: 180mm; padding: 8mm 0; }
h1, h2, h3, th, .facts dt, .meta, .badge, figcaption {
       font-family: "Helvetica Neue", Helvetica, Arial, sans-serif; }
h1 { font-size: 18pt; margin: 0 0 3mm; }
h2 { font-size: 12.5pt; border-bottom: 1px solid #999; margin: 7mm 0 2mm; padding-bottom: 1mm;
     break-after: avoid; page-break-after: avoid; }
h3 { font-size: 11pt; margin: 0 0 1mm; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.5mm 4mm; margin: 0; }
.facts dt { font-weight: bold; font-size: 9pt; color: #555; }
.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
th, td { text-align: left; vertical-align: top; padding: 1mm 2mm; border-bottom: 1px solid #ddd; }
th { font-size: 8.5pt; color: #555; }
tr, .entry, figure { break-inside: avoid; page-break-inside: avoid; }
figure { margin: 4mm 0; }
figcaption { font-size: 8.5pt; color: #555; }
svg { max-width: 100%; height: auto; }
ol.timeline { list-style: none; padding: 0; margin: 0; }
.entry { border-left: 3px solid #0072b2; padding: 1mm 0 1mm 3mm; margin: 0 0 3mm; }
.entry.corrected { border-left-color: #d55e00; }
.entry.cancelled h3 { text-decoration: line-through; }
.meta { font-size: 8.5pt; color: #555; margin: 0; }
.entry p, .entry ul { margin: 0.5mm 0; }
.summary { white-space: pre-line; }
.badge { font-size: 7.5pt; text-transform: uppercase; letter-spacing: 0.04em; padding: 0 1mm;
         border: 1px solid #999; border-radius: 2px; margin-left: 1mm; }
.badge.corrected { border-color: #d55e00; color: #d55e00; }
.correction { font-size: 9pt; color: #8a3b00; }
.overdue { color: #b00020; font-weight: bold; }
.empty { color: #666; font-style: italic; }
@media print { body { padding: 0; max-width: none; } }
"""
"""System fonts only and A4 print rules; nothing is fetched."""


def _e(text: str) -> str:
    return escape(text, quote=True)


def _section(title: str, body: str) -> str:
    return f"<section>\n<h2>{title}</h2>\n{body}\n</section>" if body else ""


def _table(heads: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """A table of already escaped cells; empty when there are no rows."""
    if not rows:
        return ""
    head = "".join(f"<th>{h}</th>" for h in heads)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>\n" for row in rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>"


def _header(report: TimelineReport) -> str:
    facts = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>\n" for k, v in header_facts(report))
    return f'<header>\n<h1>{_e(report.title)}</h1>\n<dl class="facts">\n{facts}</dl>\n</header>'


def _agreement(a: AgreementLine) -> tuple[str, ...]:
    expiry = a.expires_on.isoformat() if a.expires_on else "no expiry"
    return (_e(a.title), a.signed_on.isoformat(), _e(a.place), expiry)


def _badges(item: TimelineItem) -> str:
    badges = [f'<span class="badge status">{_e(item.status)}</span>'] if item.status else []
    if item.is_corrected:
        badges.append('<span class="badge corrected">corrected</span>')
    return "".join(badges)


def _list(label: str, values: tuple[str, ...]) -> str:
    if not values:
        return ""
    entries = "".join(f"<li>{_e(v)}</li>" for v in values)
    return f"<p>{label}:</p><ul>{entries}</ul>"


def _entry(item: TimelineItem) -> str:
    classes = " ".join(
        ["entry"]
        + (["corrected"] if item.is_corrected else [])
        + (["cancelled"] if item.status == "cancelled" else [])
    )
    meta = f"{_e(when_text(item))} · {_e(kind_text(item.kind))}"
    if item.place:
        meta += f" · {_e(item.place)}"
    parts = [
        f'<li class="{classes}">\n<p class="meta">{meta}</p>',
        f"<h3>{_e(item.title)}{_badges(item)}</h3>",
    ]
    if item.people:
        parts.append(f"<p>People: {_e('; '.join(p.describe() for p in item.people))}</p>")
    if item.summary:
        parts.append(f'<p class="summary">{_e(item.summary)}</p>')
    parts += [_list("Outcomes", item.outcomes), _list("Gifts", item.gifts)]
    parts += [f'<p class="correction">Corrected: {_e(c)}</p>' for c in item.corrections]
    parts.append("</li>")
    return "\n".join(p for p in parts if p)


def _timeline(report: TimelineReport) -> str:
    if not report.items:
        return '<p class="empty">No entries.</p>'
    return '<ol class="timeline">\n' + "\n".join(map(_entry, report.items)) + "\n</ol>"


def _chart(report: TimelineReport) -> str:
    # Inline SVG needs no namespace declaration, and the page then names no URL at all.
    svg = monthly_chart_svg(report.monthly, report.visit_months)
    svg = svg.replace(f' xmlns="{SVG_NS}"', "", 1)
    caption = "Interactions per month by kind; dashed lines mark the months visits began."
    return f"<figure>\n{svg}\n<figcaption>{caption}</figcaption>\n</figure>"


def _person(p: PersonAtTime) -> tuple[str, ...]:
    return (_e(p.name), _e(p.title or ""), _e(p.organisation or ""))


def _followup(f: FollowUpLine) -> tuple[str, ...]:
    due = _e(due_text(f)) + (' <span class="overdue">overdue</span>' if f.is_overdue else "")
    return (due, _e(f.text), _e(f.owner))


def _visit(v: VisitLine) -> tuple[str, ...]:
    return (visit_dates(v), _e(v.direction), _e(v.name), _e("; ".join(v.places)))


def render_html(report: TimelineReport) -> str:
    """Render the report as one HTML page: inline CSS and SVG, no scripts, no links."""
    agreements = [_agreement(a) for a in report.agreements]
    followups = [_followup(f) for f in report.open_followups]
    visits = [_visit(v) for v in report.upcoming_visits]
    body = [
        _header(report),
        _section("Agreements", _table(AGREEMENT_COLUMNS, agreements)),
        _section("Rhythm", _chart(report)),
        _section("Timeline", _timeline(report)),
        _section("People", _table(PEOPLE_COLUMNS, [_person(p) for p in report.people])),
        _section("Open follow-ups", _table(FOLLOWUP_COLUMNS, followups)),
        _section("Upcoming visits", _table(("Dates", "Direction", "Visit", "Places"), visits)),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Timeline: {_e(report.title)}</title>\n<style>{STYLE}</style>\n</head>\n"
        "<body>\n" + "\n".join(b for b in body if b) + "\n</body>\n</html>\n"
    )
