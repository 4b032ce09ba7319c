"""Header values that cannot inject headers, and stable Message-IDs (crm.reminders.headers)."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.reminders.headers import clean_header, message_id

MESSAGE_ID = re.compile(r"<[0-9a-f]{32}@([a-z0-9.-]+)>")


def test_clean_header_replaces_a_run_of_line_breaks_with_one_space() -> None:
    assert clean_header("Call back\r\nBcc: evil@example.com") == "Call back Bcc: evil@example.com"


@pytest.mark.parametrize(
    "control", ["\x00", "\t", "\x1b", "\x7f", "\x85", "\u2028", "\u2029", "\ud800"]
)
def test_clean_header_replaces_other_control_characters(control: str) -> None:
    assert clean_header(f"MoU{control}signed") == "MoU signed"


def test_clean_header_keeps_non_ascii_text() -> None:
    assert clean_header("Liverpool\N{EN DASH}Kunming: 昆明") == "Liverpool\N{EN DASH}Kunming: 昆明"


def test_clean_header_cuts_long_text_to_max_len_with_an_ellipsis() -> None:
    cleaned = clean_header("x" * 300, max_len=20)
    assert cleaned == "x" * 19 + "…"


@given(st.text(), st.integers(min_value=0, max_value=300))
def test_clean_header_never_returns_a_control_character_or_more_than_max_len(
    text: str, max_len: int
) -> None:
    cleaned = clean_header(text, max_len)
    assert len(cleaned) <= max_len
    assert not any(unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") for char in cleaned)


def test_message_id_is_the_same_for_the_same_key() -> None:
    assert message_id("digest|ellen|2016-06-06", "crm.example.org") == message_id(
        "digest|ellen|2016-06-06", "crm.example.org"
    )


def test_message_id_differs_for_another_key() -> None:
    assert message_id("digest|a", "crm.example.org") != message_id("digest|b", "crm.example.org")


def test_message_id_is_32_hex_digits_at_the_domain() -> None:
    found = MESSAGE_ID.fullmatch(message_id("key", "CRM.Example.org."))
    assert found is not None
    assert found[1] == "crm.example.org"


@pytest.mark.parametrize(
    "domain",
    [
        "",
        "exa mple.org",
        "evil.org>\r\nBcc: x@example.com",
        "-bad.org",
        "a..b",
        "bücher.de",
        "x" * 64,
    ],
)
def test_message_id_falls_back_to_localhost_for_an_implausible_domain(domain: str) -> None:
    assert message_id("key", domain).endswith("@localhost>")
