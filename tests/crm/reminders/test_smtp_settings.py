"""Reading the mail server settings from [smtp] and CRM_SMTP_* (crm.reminders.smtp_settings)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crm.config import ConfigError
from crm.reminders.smtp_settings import SmtpSettings

SENDER = "reminders@crm.example.org"


def load(section: dict[str, Any] | None = None, **environ: str) -> SmtpSettings:
    return SmtpSettings.load({"sender": SENDER} | (section or {}), environ)


def refusal(section: dict[str, Any], **environ: str) -> str:
    with pytest.raises(ConfigError) as caught:
        SmtpSettings.load(section, environ)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_sender_alone_gives_starttls_to_localhost_port_587() -> None:
    assert load() == SmtpSettings(
        host="localhost",
        port=587,
        security="starttls",
        user=None,
        password=None,
        sender=SENDER,
        timeout=30.0,
    )


@pytest.mark.parametrize(("security", "port"), [("none", 25), ("starttls", 587), ("ssl", 465)])
def test_the_default_port_follows_the_security(security: str, port: int) -> None:
    assert load({"security": security}).port == port


def test_the_environment_wins_over_the_config_file() -> None:
    settings = load(
        {"host": "mail.example.org", "port": 2525, "security": "ssl", "user": "file-user"},
        CRM_SMTP_HOST="relay.example.org",
        CRM_SMTP_PORT="1465",
        CRM_SMTP_SECURITY="starttls",
        CRM_SMTP_USER="env-user",
        CRM_SMTP_SENDER="Office@Example.ORG",
        CRM_SMTP_PASSWORD="s3cret",
    )
    assert (settings.host, settings.port, settings.security) == (
        "relay.example.org",
        1465,
        "starttls",
    )
    assert (settings.user, settings.sender) == ("env-user", "Office@example.org")


def test_the_password_comes_from_the_environment() -> None:
    assert load({"user": "ellen"}, CRM_SMTP_PASSWORD="s3cret").password == "s3cret"


def test_the_password_file_loses_its_trailing_newline(tmp_path: Path) -> None:
    secret = tmp_path / "smtp-password"
    secret.write_text(" pass word \n", encoding="utf-8")
    assert load({"user": "ellen", "password_file": str(secret)}).password == " pass word "


def test_the_password_file_from_the_environment_wins(tmp_path: Path) -> None:
    (tmp_path / "env").write_text("from-env\n", encoding="utf-8")
    (tmp_path / "file").write_text("from-file\n", encoding="utf-8")
    settings = load(
        {"user": "ellen", "password_file": str(tmp_path / "file")},
        CRM_SMTP_PASSWORD_FILE=str(tmp_path / "env"),
    )
    assert settings.password == "from-env"


def test_a_password_in_the_config_file_is_refused() -> None:
    message = refusal({"sender": SENDER, "user": "ellen", "password": "s3cret"})
    assert "CRM_SMTP_PASSWORD" in message
    assert "s3cret" not in message


def test_a_missing_password_file_is_refused(tmp_path: Path) -> None:
    message = refusal({"sender": SENDER, "password_file": str(tmp_path / "absent")})
    assert "password file" in message


def test_a_user_without_a_password_is_refused() -> None:
    assert "no password" in refusal({"sender": SENDER, "user": "ellen"})


def test_a_password_is_never_sent_unencrypted_to_a_remote_server() -> None:
    section = {"sender": SENDER, "user": "ellen", "security": "none", "host": "mail.example.org"}
    assert "unencrypted" in refusal(section, CRM_SMTP_PASSWORD="s3cret")


def test_a_password_may_go_unencrypted_to_the_loopback_interface() -> None:
    settings = load(
        {"user": "ellen", "security": "none", "host": "127.0.0.1"}, CRM_SMTP_PASSWORD="x"
    )
    assert settings.user == "ellen"


def test_the_password_is_not_in_the_repr() -> None:
    assert "s3cret" not in repr(load({"user": "ellen"}, CRM_SMTP_PASSWORD="s3cret"))


@pytest.mark.parametrize("port", [0, 65536, "smtp", True, -25, "2.5"])
def test_a_port_outside_1_to_65535_is_refused(port: object) -> None:
    assert "[smtp] port" in refusal({"sender": SENDER, "port": port})


def test_a_bad_port_in_the_environment_names_the_variable() -> None:
    assert "CRM_SMTP_PORT" in refusal({"sender": SENDER}, CRM_SMTP_PORT="abc")


def test_an_unknown_security_is_refused() -> None:
    assert "starttls, ssl, none" in refusal({"sender": SENDER, "security": "tls"})


@pytest.mark.parametrize("sender", ["reminders", "a@b", "two@@example.org", "x y@example.org", 42])
def test_a_sender_that_is_not_an_email_address_is_refused(sender: object) -> None:
    assert "[smtp] sender" in refusal({"sender": sender})


def test_a_missing_sender_is_refused() -> None:
    assert "CRM_SMTP_SENDER" in refusal({})


@pytest.mark.parametrize("timeout", [0, -1, "soon", 7200])
def test_a_timeout_that_is_not_a_sensible_number_of_seconds_is_refused(timeout: object) -> None:
    assert "[smtp] timeout" in refusal({"sender": SENDER, "timeout": timeout})


def test_a_host_with_spaces_is_refused() -> None:
    assert "[smtp] host" in refusal({"sender": SENDER, "host": "mail example.org"})


def test_an_empty_password_file_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "smtp-password"
    secret.write_text("\n", encoding="utf-8")
    assert "is empty" in refusal({"sender": SENDER, "password_file": str(secret)})


def test_a_password_file_that_is_not_a_path_is_refused() -> None:
    assert "[smtp] password_file" in refusal({"sender": SENDER, "password_file": 42})


@pytest.mark.parametrize("host", ["localhost", "127.0.0.2", "::1", "[::1]"])
def test_every_loopback_address_counts_as_loopback(host: str) -> None:
    section = {"user": "ellen", "security": "none", "host": host}
    assert load(section, CRM_SMTP_PASSWORD="x").host == host
