"""The reminder email: one message per recipient listing everything due, grouped by rule.

Pure: the date and ids come from the digest. Every user-typed value passes through
`clean_header` before a header and through `html.escape` before the HTML part.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import UTC, tzinfo
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from crm import fields
from crm.reminders.calendar import visits_calendar
from crm.reminders.headers import clean_header
from crm.reminders.model import Digest, DueReminder

RULES: tuple[tuple[str, str, tuple[str, str]], ...] = (
    ("visit", "Visits", ("visit", "visits")),
    ("followup", "Follow-ups due", ("follow-up", "follow-ups")),
    ("overdue", "Overdue follow-ups", ("overdue follow-up", "overdue follow-ups")),
    ("agreement", "Agreements", ("agreement", "agreements")),
    (
        "keep_in_touch",
        "Keep in touch",
        ("contact to keep in touch with", "contacts to keep in touch with"),
    ),
)
"""Rule, section heading, and the singular and plural nouns of the subject, in mail order."""

OTHER = ("Other reminders", ("other reminder", "other reminders"))
"""For a rule this module does not know yet: shown last rather than dropped."""

ATTACHMENT_NAME = "visits.ics"
_MESSAGE_ID = re.compile(r"<[!-;=?-~]+@[A-Za-z0-9.-]+>", re.ASCII)


class Section(NamedTuple):
    """One rule's part of the email."""

    heading: str
    nouns: tuple[str, str]
    items: list[DueReminder]


def compose(digest: Digest, sender: str, *, sender_name: str = "") -> EmailMessage:
    """Return the email of `digest`: plain text, an HTML alternative, and visits.ics if any."""
    if not _MESSAGE_ID.fullmatch(digest.message_id):
        raise ValueError(f"digest message id {digest.message_id!r} is not <id@domain>")
    zone = _zone(digest.items)
    day = digest.generated_at.astimezone(zone).date().isoformat()
    sections = _sections(digest.items)
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = Address(clean_header(sender_name), addr_spec=fields.email(sender, "sender"))
    message["To"] = Address(addr_spec=fields.email(digest.recipient, "recipient"))
    message["Subject"] = clean_header(digest.subject or _subject(day, sections))
    message["Date"] = format_datetime(digest.generated_at)
    message["Message-ID"] = digest.message_id
    message.set_content(_text(day, zone, sections))
    message.add_alternative(_html(day, zone, sections), subtype="html")
    visits = [item.visit for item in digest.items if item.visit is not None]
    if visits:
        message.add_attachment(
            visits_calendar(visits, now=digest.generated_at),
            maintype="text",
            subtype="calendar",
            params={"method": "PUBLISH", "charset": "utf-8"},
            filename=ATTACHMENT_NAME,
        )
    return message


def _zone(items: Sequence[DueReminder]) -> tzinfo:
    """The recipient's zone; every item of a digest is for the same recipient."""
    return ZoneInfo(items[0].recipient_timezone) if items else UTC


def _sections(items: Sequence[DueReminder]) -> list[Section]:
    """Items grouped by rule in mail order, each group sorted by when it is due."""
    known = {rule for rule, _, _ in RULES}
    groups = [
        (heading, nouns, [i for i in items if i.rule == rule]) for rule, heading, nouns in RULES
    ]
    groups.append((*OTHER, [i for i in items if i.rule not in known]))
    return [
        Section(heading, nouns, sorted(group, key=lambda i: (i.due_at, i.title)))
        for heading, nouns, group in groups
        if group
    ]


def _subject(day: str, sections: list[Section]) -> str:
    """`Reminder for DAY: TITLE` for one item, else `Reminders for DAY: 1 visit, 2 follow-ups`."""
    if len(sections) == 1 and len(sections[0].items) == 1:
        return f"Reminder for {day}: {sections[0].items[0].title}"
    counts = [f"{len(s.items)} {s.nouns[len(s.items) != 1]}" for s in sections]
    return f"Reminders for {day}: {', '.join(counts) or 'nothing due'}"


def _title(item: DueReminder) -> str:
    return clean_header(item.title, fields.ONE_LINE_MAX)


def _due(item: DueReminder, zone: tzinfo) -> str:
    return f"{item.due_at.astimezone(zone):%Y-%m-%d %H:%M} {zone}"


def _text(day: str, zone: tzinfo, sections: list[Section]) -> str:
    lines = [f"Reminders for {day}", ""]
    for heading, _, items in sections:
        lines += [heading, "-" * len(heading)]
        for item in items:
            lines.append(f"* {_title(item)}")
            lines += [f"  {line}" for line in item.detail.splitlines() if line.strip()]
            lines += [f"  Due {_due(item, zone)}", ""]
    return "\n".join(lines)


def _html(day: str, zone: tzinfo, sections: list[Section]) -> str:
    parts = [
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">',
        f"<title>Reminders for {day}</title></head><body>",
        f"<h1>Reminders for {day}</h1>",
    ]
    for heading, _, items in sections:
        parts += [f"<h2>{html.escape(heading)}</h2>", "<ul>"]
        for item in items:
            detail = "<br>".join(html.escape(line) for line in item.detail.splitlines())
            parts.append(
                f"<li><strong>{html.escape(_title(item))}</strong>"
                + (f"<br>{detail}" if detail else "")
                + f"<br><small>Due {html.escape(_due(item, zone))}</small></li>"
            )
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)
