"""Sending one email through SMTP, and saying whether a failure is worth retrying.

The TLS context always comes from `ssl.create_default_context` (or an injected factory):
`starttls()` without a context would accept any certificate.

A caller may ask to be told at the hand-over: when the whole message has gone out and only
the end-of-data mark is left. Recording that moment durably is what lets a crashed sender
know whether a retry could deliver a second copy.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing_extensions import Buffer  # collections.abc.Buffer from Python 3.12

from crm.reminders.smtp_settings import SmtpSettings

SslContextFactory = Callable[[], ssl.SSLContext]
Handover = Callable[[], None]
END_OF_DATA = b".\r\n"


class MailError(Exception):
    """A message could not be handed to the mail server; `retryable` says if later may work."""

    def __init__(self, message: str, *, retryable: bool, answered: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.answered = answered
        """The server replied with a refusal (it does not have the message), as opposed to
        a dropped connection or a timeout, after which it may have it."""


class Mailer:
    """Hands messages to the SMTP server named by the settings, one connection per message."""

    def __init__(
        self,
        settings: SmtpSettings,
        *,
        ssl_context: SslContextFactory = ssl.create_default_context,
    ) -> None:
        self.settings = settings
        self._ssl_context = ssl_context

    @property
    def server(self) -> str:
        """`host:port`, for messages."""
        return f"{self.settings.host}:{self.settings.port}"

    def send(self, message: EmailMessage, *, on_handover: Handover | None = None) -> None:
        """Deliver `message` to its To/Cc/Bcc recipients, or raise `MailError`.

        `on_handover` runs just before the end-of-data mark; if it raises, the connection is
        dropped with the message unfinished, so the server discards it.
        """
        try:
            client = self._connect()
            client.on_handover = on_handover
        except (smtplib.SMTPException, OSError) as error:
            raise _mail_error(error, self.server) from error
        try:
            self._secure_and_log_in(client)
            refused = client.send_message(message)
        except (smtplib.SMTPException, OSError) as error:
            raise _mail_error(error, self.server) from error
        finally:
            _close(client)
        if refused:
            # Others got it, so a retry would send them a second copy.
            raise MailError(
                f"the mail server {self.server} refused {', '.join(sorted(refused))}; "
                "the other recipients got the message",
                retryable=False,
                answered=True,
            )

    def _connect(self) -> _HandingOver:
        host, port, timeout = self.settings.host, self.settings.port, self.settings.timeout
        if self.settings.security == "ssl":
            return _HandingOverSsl(host, port, context=self._ssl_context(), timeout=timeout)
        return _HandingOver(host, port, timeout=timeout)

    def _secure_and_log_in(self, client: smtplib.SMTP) -> None:
        if self.settings.security == "starttls":
            client.starttls(context=self._ssl_context())
        if self.settings.user is not None:
            client.login(self.settings.user, self.settings.password or "")


class _HandingOver(smtplib.SMTP):
    """smtplib's client, calling `on_handover` between a message and its end-of-data mark.

    smtplib sends DATA's payload with one `send()` call ending in CRLF "." CRLF; splitting
    that call is the only change, so quoting, line endings and replies stay smtplib's.
    """

    on_handover: Handover | None = None
    _in_data = False
    _abandoned = False

    def data(self, msg: Buffer | str) -> tuple[int, bytes]:
        self._in_data = True
        try:
            return super().data(msg)
        finally:
            self._in_data = False

    def send(self, s: Buffer | str) -> None:
        if not (
            self._in_data
            and self.on_handover
            and isinstance(s, bytes)
            and s.endswith(b"\r\n" + END_OF_DATA)
        ):
            super().send(s)
            return
        super().send(s[: -len(END_OF_DATA)])
        try:
            self.on_handover()
        except BaseException:
            self._abandoned = True
            self.close()  # no QUIT: inside DATA it would be read as part of the message
            raise
        super().send(END_OF_DATA)


class _HandingOverSsl(_HandingOver, smtplib.SMTP_SSL):
    """SMTP over TLS from the first byte."""


def _close(client: smtplib.SMTP) -> None:
    """Say QUIT politely; a failure here cannot undo a message already accepted."""
    if getattr(client, "_abandoned", False):
        return
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def _one_line(text: bytes | str) -> str:
    raw = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return " ".join(raw.split())


def _reply(code: int, text: bytes | str) -> str:
    return f"{code} {_one_line(text)}"


def _mail_error(error: smtplib.SMTPException | OSError, server: str) -> MailError:
    """One line for people, and whether a later attempt could succeed (4xx and network: yes)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = error.recipients.values()
        return MailError(
            f"the mail server {server} refused every recipient: "
            + "; ".join(_reply(code, text) for code, text in replies),
            retryable=any(not 500 <= code < 600 for code, _ in replies),
            answered=True,
        )
    if isinstance(error, smtplib.SMTPResponseException):
        return MailError(
            f"the mail server {server} said {_reply(error.smtp_code, error.smtp_error)}",
            retryable=not 500 <= error.smtp_code < 600,
            answered=True,
        )
    if isinstance(error, smtplib.SMTPServerDisconnected):
        # If this happened after the data went out, the message may have arrived: a retry can
        # duplicate it, which beats losing it.
        return MailError(f"the mail server {server} closed the connection", retryable=True)
    if isinstance(error, smtplib.SMTPException):
        # Missing STARTTLS or AUTH support: the server or the settings must change first.
        return MailError(f"the mail server {server}: {_one_line(str(error))}", retryable=False)
    if isinstance(error, ssl.SSLCertVerificationError):
        return MailError(
            f"the mail server {server} has an untrusted certificate: {error.verify_message}",
            retryable=False,
        )
    if isinstance(error, ssl.SSLError) and not isinstance(error, ssl.SSLEOFError):
        hint = "; does security (ssl or starttls) match the port?"
        return MailError(
            f"TLS with the mail server {server} failed: {_one_line(error.strerror or str(error))}"
            + (hint if error.reason == "WRONG_VERSION_NUMBER" else ""),
            retryable=False,
        )
    reason = _one_line(error.strerror or str(error) or type(error).__name__)
    return MailError(f"cannot reach the mail server {server}: {reason}", retryable=True)
