"""The reminder email, sent through the Mailer to a loopback server (crm.reminders.digest)."""

from __future__ import annotations

import re
from datetime import date
from email.message import EmailMessage

import pytest
from icalendar import Calendar

from crm.reminders.digest import compose
from crm.reminders.mailer import Mailer
from crm.reminders.model import Digest
from crm.reminders.smtp_settings import SmtpSettings
from tests.crm.reminders.sample import (
    FOLLOWUP_1,
    FOLLOWUP_2,
    LONDON,
    RECIPIENT,
    SENDER,
    VISIT,
    digest,
    london,
    reminder,
)
from tests.smtp_server import Received, SmtpSink

INJECTION = "\r\nBcc: evil@example.com"


def delivered(sink: SmtpSink, sent: Digest, *, sender_name: str = "") -> Received:
    settings = SmtpSettings(host=sink.host, port=sink.port, security="none", sender=SENDER)
    Mailer(settings).send(compose(sent, SENDER, sender_name=sender_name))
    (received,) = sink.wait_for(1)
    return received


def part(message: EmailMessage, content_type: str) -> EmailMessage:
    (found,) = [p for p in message.walk() if p.get_content_type() == content_type]
    assert isinstance(found, EmailMessage)
    return found


def text_of(message: EmailMessage, content_type: str) -> str:
    content = part(message, content_type).get_content()
    assert isinstance(content, str)
    return content


def test_the_digest_goes_to_its_recipient_from_the_sender(smtp_sink: SmtpSink) -> None:
    received = delivered(smtp_sink, digest())
    assert (received.mail_from, received.rcpt_tos) == (SENDER, (RECIPIENT,))
    assert (received.message["To"], received.message["From"]) == (RECIPIENT, SENDER)


def test_the_subject_counts_the_items_of_each_rule(smtp_sink: SmtpSink) -> None:
    received = delivered(smtp_sink, digest())
    assert received.message["Subject"] == "Reminders for 2016-06-06: 1 visit, 2 follow-ups"


def test_the_subject_of_a_single_item_is_its_title(smtp_sink: SmtpSink) -> None:
    received = delivered(smtp_sink, digest(FOLLOWUP_1))
    assert received.message["Subject"] == "Reminder for 2016-06-06: Send the signed MoU to Kunming"


def test_a_subject_given_by_the_digest_is_used(smtp_sink: SmtpSink) -> None:
    received = delivered(smtp_sink, digest(subject="Your reminders"))
    assert received.message["Subject"] == "Your reminders"


def test_the_day_in_the_subject_is_the_recipients_day() -> None:
    late = digest(
        reminder("agreement", "MoU renewal", recipient_timezone="Asia/Shanghai"),
        reminder("overdue", "Thank-you letter", recipient_timezone="Asia/Shanghai"),
        generated_at=london(2016, 6, 6, 20),
    )
    assert compose(late, SENDER)["Subject"] == (
        "Reminders for 2016-06-07: 1 overdue follow-up, 1 agreement"
    )


def test_the_date_and_message_id_come_from_the_digest(smtp_sink: SmtpSink) -> None:
    sent = digest()
    received = delivered(smtp_sink, sent)
    assert received.message["Date"] == "Mon, 06 Jun 2016 07:00:00 +0000"
    assert received.message["Message-ID"] == sent.message_id
    assert re.fullmatch(r"<[0-9a-f]{32}@crm\.example\.org>", received.message["Message-ID"])


def test_the_same_digest_composes_with_the_same_message_id() -> None:
    assert compose(digest(), SENDER)["Message-ID"] == compose(digest(), SENDER)["Message-ID"]


def test_a_malformed_message_id_is_refused() -> None:
    with pytest.raises(ValueError, match="message id"):
        compose(digest(message_id="<x@example.org>\r\nBcc: evil@example.com"), SENDER)


def test_the_text_part_lists_every_item_under_its_rule_with_when_it_is_due(
    smtp_sink: SmtpSink,
) -> None:
    text = text_of(delivered(smtp_sink, digest()).message, "text/plain")
    assert text.index("Visits") < text.index(VISIT.title) < text.index("Follow-ups due")
    assert text.index(FOLLOWUP_1.title) < text.index(FOLLOWUP_2.title)
    assert "  Liverpool Town Hall" in text
    assert f"  Due 2016-06-06 09:00 {LONDON}" in text


def test_the_sections_follow_the_rule_order() -> None:
    items = [
        reminder(rule, f"{rule} item")
        for rule in ("keep_in_touch", "agreement", "overdue", "followup", "visit", "unknown_rule")
    ]
    text = text_of(compose(digest(*items), SENDER), "text/plain")
    headings = [
        "Visits",
        "Follow-ups due",
        "Overdue follow-ups",
        "Agreements",
        "Keep in touch",
        "Other reminders",
    ]
    assert [text.index(f"\n{h}\n") for h in headings] == sorted(
        text.index(f"\n{h}\n") for h in headings
    )


def test_the_html_part_escapes_what_users_typed(smtp_sink: SmtpSink) -> None:
    item = reminder("followup", "<script>alert(1)</script> & co", detail='Say "hi" <b>now</b>')
    html = text_of(delivered(smtp_sink, digest(item, FOLLOWUP_1)).message, "text/html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert "Say &quot;hi&quot; &lt;b&gt;now&lt;/b&gt;" in html
    assert "<script>" not in html


def test_a_title_with_a_line_break_cannot_add_a_header(smtp_sink: SmtpSink) -> None:
    received = delivered(smtp_sink, digest(reminder("followup", "Call back" + INJECTION)))
    assert "Bcc" not in received.message
    assert received.message.get_all("Subject") == [
        "Reminder for 2016-06-06: Call back Bcc: evil@example.com"
    ]
    assert received.rcpt_tos == (RECIPIENT,)
    assert b"\r\nBcc:" not in received.raw


def test_a_subject_with_a_line_break_cannot_add_a_header(smtp_sink: SmtpSink) -> None:
    received = delivered(smtp_sink, digest(subject="Reminders" + INJECTION))
    assert "Bcc" not in received.message
    assert len(received.message.get_all("Subject") or []) == 1


def test_a_sender_name_with_a_line_break_cannot_add_a_header(smtp_sink: SmtpSink) -> None:
    received = delivered(smtp_sink, digest(), sender_name="CRM" + INJECTION)
    assert "Bcc" not in received.message
    assert received.message["From"].addresses[0].addr_spec == SENDER


def test_a_digest_without_visits_has_no_attachment(smtp_sink: SmtpSink) -> None:
    message = delivered(smtp_sink, digest(FOLLOWUP_1, FOLLOWUP_2)).message
    assert list(message.iter_attachments()) == []


def test_the_visit_is_attached_as_a_calendar_in_its_zone(smtp_sink: SmtpSink) -> None:
    attachment = part(delivered(smtp_sink, digest()).message, "text/calendar")
    assert attachment.get_filename() == "visits.ics"
    assert attachment.get_param("method") == "PUBLISH"
    payload = attachment.get_payload(decode=True)
    assert isinstance(payload, bytes)
    calendar = Calendar.from_ical(payload)
    (event,) = calendar.walk("VEVENT")
    assert event["DTSTART"].dt == london(2016, 6, 20, 10)
    assert event["DTSTART"].params["TZID"] == LONDON
    assert [zone.tz_name for zone in calendar.timezones] == [LONDON]
    assert event["DTSTAMP"].dt.date() == date(2016, 6, 6)
