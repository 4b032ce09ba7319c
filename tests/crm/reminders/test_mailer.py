"""Sending mail over SMTP and classifying failures (crm.reminders.mailer)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import replace
from email.message import EmailMessage

import pytest

from crm.reminders.mailer import Mailer, MailError
from crm.reminders.smtp_settings import Security, SmtpSettings
from tests.smtp_server import LOOPBACK, SmtpSink, free_port

SENDER = "reminders@crm.example.org"
RECIPIENT = "ellen.cutler@liverpool.example.org"


def settings_for(sink: SmtpSink, security: Security = "none") -> SmtpSettings:
    return SmtpSettings(host=sink.host, port=sink.port, security=security, sender=SENDER, timeout=5)


def a_message(subject: str = "Send the signed MoU to Kunming") -> EmailMessage:
    message = EmailMessage()
    message["From"] = SENDER
    message["To"] = RECIPIENT
    message["Subject"] = subject
    message.set_content("Due today.")
    return message


def failure(mailer: Mailer) -> MailError:
    with pytest.raises(MailError) as caught:
        mailer.send(a_message())
    assert "\n" not in str(caught.value)
    return caught.value


@pytest.fixture
def hang_up_port() -> Iterator[int]:
    """A port whose server accepts one connection and closes it before greeting."""
    with socket.create_server((LOOPBACK, 0)) as listener:

        def hang_up() -> None:
            connection, _ = listener.accept()
            connection.close()

        worker = threading.Thread(target=hang_up)
        worker.start()
        yield int(listener.getsockname()[1])
        worker.join(timeout=5)


@pytest.fixture(params=["starttls", "ssl"])
def tls_sink(request: pytest.FixtureRequest) -> Iterator[SmtpSink]:
    """A loopback server speaking STARTTLS or implicit TLS with a self-signed certificate."""
    with SmtpSink(tls=request.param) as sink:
        yield sink


def test_a_message_reaches_the_server(smtp_sink: SmtpSink) -> None:
    Mailer(settings_for(smtp_sink)).send(a_message())
    (received,) = smtp_sink.wait_for(1)
    assert (received.mail_from, received.rcpt_tos) == (SENDER, (RECIPIENT,))
    assert received.message["Subject"] == "Send the signed MoU to Kunming"
    assert received.message.get_content().strip() == "Due today."


def test_the_sink_forgets_messages_when_cleared(smtp_sink: SmtpSink) -> None:
    Mailer(settings_for(smtp_sink)).send(a_message())
    smtp_sink.clear()
    assert smtp_sink.messages == []


def test_a_451_reply_is_a_retryable_mail_error(smtp_sink: SmtpSink) -> None:
    smtp_sink.refuse_next(1, "451 4.3.0 try later")
    error = failure(Mailer(settings_for(smtp_sink)))
    assert error.retryable
    assert "451 4.3.0 try later" in str(error)


def test_a_message_goes_through_once_the_refusals_are_used_up(smtp_sink: SmtpSink) -> None:
    smtp_sink.refuse_next(2, "451 4.3.0 try later")
    mailer = Mailer(settings_for(smtp_sink))
    outcomes = []
    for _ in range(3):
        try:
            mailer.send(a_message())
            outcomes.append("sent")
        except MailError as error:
            outcomes.append("retry" if error.retryable else "give up")
    assert outcomes == ["retry", "retry", "sent"]
    assert len(smtp_sink.wait_for(1)) == 1


def test_a_550_reply_is_a_permanent_mail_error(smtp_sink: SmtpSink) -> None:
    smtp_sink.refuse_next(1, "550 5.7.1 message rejected")
    error = failure(Mailer(settings_for(smtp_sink)))
    assert not error.retryable
    assert "550 5.7.1 message rejected" in str(error)


def test_a_recipient_deferred_with_450_is_retryable(smtp_sink: SmtpSink) -> None:
    smtp_sink.refuse_next(1, "450 4.2.1 mailbox busy", at="rcpt")
    error = failure(Mailer(settings_for(smtp_sink)))
    assert error.retryable
    assert "450 4.2.1 mailbox busy" in str(error)


def test_a_recipient_refused_with_550_is_permanent(smtp_sink: SmtpSink) -> None:
    smtp_sink.refuse_next(1, "550 5.1.1 no such user", at="rcpt")
    assert not failure(Mailer(settings_for(smtp_sink))).retryable


def test_a_closed_port_is_a_retryable_mail_error() -> None:
    settings = SmtpSettings(host="127.0.0.1", port=free_port(), security="none", sender=SENDER)
    error = failure(Mailer(settings))
    assert error.retryable
    assert "cannot reach the mail server 127.0.0.1:" in str(error)


def test_a_server_that_hangs_up_is_a_retryable_mail_error(hang_up_port: int) -> None:
    settings = SmtpSettings(host=LOOPBACK, port=hang_up_port, security="none", sender=SENDER)
    error = failure(Mailer(settings))
    assert error.retryable
    assert "closed the connection" in str(error)


def test_a_partly_refused_message_is_not_retried(smtp_sink: SmtpSink) -> None:
    smtp_sink.refuse_next(1, "550 5.1.1 no such user", at="rcpt")
    message = a_message()
    message["Cc"] = "guan.qinghua@kunming.example.cn"
    with pytest.raises(MailError) as caught:
        Mailer(settings_for(smtp_sink)).send(message)
    assert not caught.value.retryable
    assert RECIPIENT in str(caught.value)
    (received,) = smtp_sink.wait_for(1)
    assert received.rcpt_tos == ("guan.qinghua@kunming.example.cn",)


def test_a_user_cannot_log_in_to_a_server_without_auth(smtp_sink: SmtpSink) -> None:
    settings = replace(settings_for(smtp_sink), user="ellen", password="s3cret")
    error = failure(Mailer(settings))
    assert not error.retryable
    assert "s3cret" not in str(error)
    assert smtp_sink.messages == []


def test_starttls_is_never_skipped_when_the_server_does_not_offer_it(smtp_sink: SmtpSink) -> None:
    error = failure(Mailer(settings_for(smtp_sink, "starttls")))
    assert not error.retryable
    assert smtp_sink.messages == []


def test_a_message_goes_over_tls_to_a_trusted_server(tls_sink: SmtpSink) -> None:
    settings = settings_for(tls_sink, tls_sink.tls)
    Mailer(settings, ssl_context=tls_sink.client_context).send(a_message())
    assert len(tls_sink.wait_for(1)) == 1


def test_an_untrusted_certificate_is_a_permanent_mail_error(tls_sink: SmtpSink) -> None:
    error = failure(Mailer(settings_for(tls_sink, tls_sink.tls)))
    assert not error.retryable
    assert "certificate" in str(error)
    assert tls_sink.messages == []


def test_tls_to_a_server_that_speaks_plain_smtp_is_a_permanent_mail_error(
    smtp_sink: SmtpSink,
) -> None:
    error = failure(Mailer(settings_for(smtp_sink, "ssl")))
    assert not error.retryable
    assert "does security (ssl or starttls) match the port?" in str(error)
