"""Sending one email through SMTP, and saying whether a failure is worth retrying.

The TLS context always comes from `ssl.create_default_context` (or an injected factory):
`starttls()` without a context would accept any certificate.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage

from crm.reminders.smtp_settings import SmtpSettings

SslContextFactory = Callable[[], ssl.SSLContext]


class MailError(Exception):
    """A message could not be handed to the mail server; `retryable` says if later may work."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


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

    def send(self, message: EmailMessage) -> None:
        """Deliver `message` to its To/Cc/Bcc recipients, or raise `MailError`."""
        try:
            client = self._connect()
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
            )

    def _connect(self) -> smtplib.SMTP:
        host, port, timeout = self.settings.host, self.settings.port, self.settings.timeout
        if self.settings.security == "ssl":
            return smtplib.SMTP_SSL(host, port, context=self._ssl_context(), timeout=timeout)
        return smtplib.SMTP(host, port, timeout=timeout)

    def _secure_and_log_in(self, client: smtplib.SMTP) -> None:
        if self.settings.security == "starttls":
            client.starttls(context=self._ssl_context())
        if self.settings.user is not None:
            client.login(self.settings.user, self.settings.password or "")


def _close(client: smtplib.SMTP) -> None:
    """Say QUIT politely; a failure here cannot undo a message already accepted."""
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
        )
    if isinstance(error, smtplib.SMTPResponseException):
        return MailError(
            f"the mail server {server} said {_reply(error.smtp_code, error.smtp_error)}",
            retryable=not 500 <= error.smtp_code < 600,
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
