"""A loopback SMTP server for tests: it keeps every message it accepts, or refuses on request."""

from __future__ import annotations

import email
import socket
import ssl
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any, Literal

from aiosmtpd.controller import Controller

Stage = Literal["rcpt", "data"]
Tls = Literal["none", "starttls", "ssl"]
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Received:
    """One message as the server got it: the envelope and the parsed message."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    raw: bytes


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def self_signed_certificate(host: str = LOOPBACK) -> tuple[bytes, bytes]:
    """A certificate for `host` (an IP address) and its key, both PEM; trusted by nobody."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "smtp-sink")])
    start = datetime.now(UTC) - timedelta(days=1)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(IPv4Address(host))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return certificate.public_bytes(serialization.Encoding.PEM), key_pem


def _server_context(certificate: bytes, key: bytes) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as folder:
        cert_file, key_file = Path(folder, "cert.pem"), Path(folder, "key.pem")
        cert_file.write_bytes(certificate)
        key_file.write_bytes(key)
        context.load_cert_chain(cert_file, key_file)
    return context


class _Handler:
    """aiosmtpd hooks; they run on the controller's thread, hence the condition."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.changed = threading.Condition()
        self.refusals: list[tuple[Stage, str]] = []

    def _refusal(self, stage: Stage) -> str | None:
        with self.changed:
            if self.refusals and self.refusals[0][0] == stage:
                return self.refusals.pop(0)[1]
        return None

    async def handle_RCPT(  # noqa: N802 (aiosmtpd names its hooks so)
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        refusal = self._refusal("rcpt")
        if refusal is not None:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        refusal = self._refusal("data")
        if refusal is not None:
            return refusal
        raw = bytes(envelope.original_content or envelope.content)
        parsed = email.message_from_bytes(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.changed:
            self.received.append(
                Received(envelope.mail_from, tuple(envelope.rcpt_tos), parsed, raw)
            )
            self.changed.notify_all()
        return "250 Message accepted for delivery"


class SmtpSink:
    """An aiosmtpd server on 127.0.0.1 and a free port; use as a context manager.

    With `tls` it offers STARTTLS (and requires it) or speaks TLS from the start, using a
    self-signed certificate that only `client_context()` trusts.
    """

    def __init__(self, tls: Tls = "none") -> None:
        self._handler = _Handler()
        self.tls = tls
        self.host = LOOPBACK
        self.port = free_port()
        self.certificate, key = self_signed_certificate(self.host) if tls != "none" else (b"", b"")
        options: dict[str, Any] = {}
        if tls == "starttls":
            options = {
                "tls_context": _server_context(self.certificate, key),
                "require_starttls": True,
            }
        elif tls == "ssl":
            options = {"ssl_context": _server_context(self.certificate, key)}
        self._controller = Controller(self._handler, hostname=self.host, port=self.port, **options)

    def client_context(self) -> ssl.SSLContext:
        """A default client context that trusts this server's certificate (and nothing else)."""
        return ssl.create_default_context(cadata=self.certificate.decode("ascii"))

    def start(self) -> SmtpSink:
        """Start listening; returns self."""
        try:
            self._controller.start()
        except BaseException:
            self._controller.loop.close()
            raise
        return self

    def stop(self) -> None:
        """Stop the server and its event loop."""
        self._controller.stop()

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def messages(self) -> list[Received]:
        """A snapshot of what has been accepted so far, in order."""
        with self._handler.changed:
            return list(self._handler.received)

    def clear(self) -> None:
        """Forget the messages received so far."""
        with self._handler.changed:
            self._handler.received.clear()

    def refuse_next(
        self, count: int, reply: str = "451 4.3.0 try later", *, at: Stage = "data"
    ) -> None:
        """Answer the next `count` RCPT or DATA commands with `reply` instead of accepting."""
        with self._handler.changed:
            self._handler.refusals.extend([(at, reply)] * count)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        """Return the messages once at least `count` have arrived, or fail after `timeout`."""
        with self._handler.changed:
            arrived = self._handler.changed.wait_for(
                lambda: len(self._handler.received) >= count, timeout
            )
            received = list(self._handler.received)
        if not arrived:
            raise AssertionError(f"expected {count} messages, got {len(received)} in {timeout}s")
        return received
