"""Checking the free text and contact details users type (crm.fields)."""

from __future__ import annotations

import contextlib
import unicodedata
from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.errors import BadInputError
from crm.fields import (
    KNOWN_SECTORS,
    LONG_TEXT_MAX,
    ONE_LINE_MAX,
    country,
    email,
    long_text,
    money,
    one_line,
    phone,
    sector,
    split_name,
)

CONTROLS = ["\r", "\n", "\t", "\x00", "\x07", "\x1b", "\x7f", "\x85", "\u2028", "\u2029", "\ud800"]


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cs") or char in "\u2028\u2029"


# one_line


def test_one_line_strips_surrounding_whitespace() -> None:
    assert one_line("  Signing ceremony \n", "--subject") == "Signing ceremony"


def test_one_line_keeps_text_in_any_script() -> None:
    assert (
        one_line("签约仪式 — Signing, Café Ōsaka", "--subject") == "签约仪式 — Signing, Café Ōsaka"
    )


def test_a_required_line_may_not_be_empty() -> None:
    with pytest.raises(BadInputError, match=r"^--subject must not be empty$"):
        one_line("   ", "--subject")


def test_an_optional_line_may_be_empty() -> None:
    assert one_line("  ", "--title", required=False) == ""


@pytest.mark.parametrize("char", CONTROLS)
def test_one_line_refuses_control_characters_and_line_breaks(char: str) -> None:
    with pytest.raises(BadInputError) as caught:
        one_line(f"Subject{char}Bcc: someone", "--subject")
    assert str(caught.value) == "--subject must be one line without control characters"


def test_one_line_refuses_text_longer_than_its_limit_and_names_the_limit() -> None:
    with pytest.raises(BadInputError, match=f"at most {ONE_LINE_MAX}"):
        one_line("x" * (ONE_LINE_MAX + 1), "--subject")


def test_one_line_accepts_text_exactly_at_its_limit() -> None:
    assert one_line("x" * ONE_LINE_MAX, "--subject") == "x" * ONE_LINE_MAX


def test_one_line_takes_a_tighter_limit_when_given() -> None:
    with pytest.raises(BadInputError, match=r"--code is too long .*at most 5"):
        one_line("abcdef", "--code", max_len=5)


@given(text=st.text())
def test_one_line_never_returns_a_control_character(text: str) -> None:
    with contextlib.suppress(BadInputError):
        cleaned = one_line(text, "--subject")
        assert not any(_is_control(char) for char in cleaned)
        assert cleaned == cleaned.strip()


# long_text


def test_long_text_keeps_newlines_and_tabs() -> None:
    notes = "Agenda:\n\t1. Welcome\n\t2. Signing"

    assert long_text(notes, "--notes") == notes


def test_long_text_turns_crlf_into_lf() -> None:
    assert long_text("one\r\ntwo\r\n", "--notes") == "one\ntwo"


@pytest.mark.parametrize("char", ["\r", "\x00", "\x1b", "\x7f", "\u2028", "\ud800"])
def test_long_text_refuses_other_control_characters(char: str) -> None:
    with pytest.raises(BadInputError, match="--notes may hold line breaks and tabs but no other"):
        long_text(f"one{char}two", "--notes")


def test_long_text_is_optional_unless_required() -> None:
    assert long_text("", "--notes") == ""
    with pytest.raises(BadInputError, match="must not be empty"):
        long_text("\n", "--notes", required=True)


def test_long_text_refuses_more_than_its_limit() -> None:
    with pytest.raises(BadInputError, match=f"at most {LONG_TEXT_MAX}"):
        long_text("x" * (LONG_TEXT_MAX + 1), "--notes")


@given(text=st.text())
def test_long_text_never_returns_a_control_character_but_newline_and_tab(text: str) -> None:
    with contextlib.suppress(BadInputError):
        cleaned = long_text(text, "--notes")
        assert not any(_is_control(char) for char in cleaned.replace("\n", "").replace("\t", ""))


# email


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("li.wei@example.org", "li.wei@example.org"),
        ("  Li.Wei@Example.ORG ", "Li.Wei@example.org"),
        ("officer+missions@trade.gov.uk", "officer+missions@trade.gov.uk"),
        ("o'brien@example.ie", "o'brien@example.ie"),
        ("info@münchen.de", "info@münchen.de"),
        ("info@MÜNCHEN.de", "info@münchen.de"),
        ("info@xn--mnchen-3ya.de", "info@xn--mnchen-3ya.de"),
        ("admin@example.xn--p1ai", "admin@example.xn--p1ai"),
        ("a@my-office.example.co", "a@my-office.example.co"),
    ],
)
def test_a_practical_email_address_is_kept_with_its_domain_lower_cased(
    text: str, expected: str
) -> None:
    assert email(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "a@b",
        "a b@c.com",
        "a@@b.com",
        "a@b..com",
        "a@-b.com",
        "a@b-.com",
        "a@b.c",
        "a@b.c0m",
        "@b.com",
        "a@",
        "a@.com",
        "a@b.com.",
        ".a@b.com",
        "a..b@c.com",
        "a@b_c.com",
        "<a@b.com>",
        "a,b@c.com",
        '"a"@b.com',
        "a@b.com\r\nBcc: x@y.com",
        "a@b.com\nBcc: x@y.com",
        "a\x00@b.com",
        "a@b\u2028.com",
        "x" * 250 + "@b.com",
    ],
)
def test_an_address_mail_would_not_reach_is_refused(text: str) -> None:
    with pytest.raises(BadInputError, match=r"^--email .* is not an email address: need "):
        email(text)


def test_a_refused_address_is_quoted_on_one_line_under_its_field() -> None:
    with pytest.raises(BadInputError) as caught:
        email("a@b.com\r\nBcc: x@y.com", "--contact-email")
    assert str(caught.value).startswith("--contact-email 'a@b.com\\r\\nBcc: x@y.com' is not")
    assert "\n" not in str(caught.value)


@given(text=st.text())
def test_any_text_is_an_address_or_a_bad_input_error(text: str) -> None:
    with contextlib.suppress(BadInputError):
        address = email(text)
        assert address.count("@") == 1
        assert not any(char.isspace() or _is_control(char) for char in address)


# phone


@pytest.mark.parametrize(
    "text",
    [
        "+44 20 7946 0958",
        "+86 (10) 6532-1234",
        "020 7946 0958 ext 12",
        "020 7946 0958 ext. 12",
        "020 7946 0958 x12",
        "555.123.4567",
        "0044/20/79460958",
        "12345",
    ],
)
def test_a_phone_number_with_usual_punctuation_is_kept(text: str) -> None:
    assert phone(f"  {text} ") == text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1234",
        "12-34 ext 56789",
        "call me",
        "+44 20 7946 0958 or 0959",
        "44+20 7946 0958",
        "0" * 41,
        "020\t7946 0958",
        "020 7946 0958\nBcc: x",
        "\u0661\u0662\u0663\u0664\u0665\u0666",
    ],
)
def test_a_phone_number_that_is_not_one_is_refused(text: str) -> None:
    with pytest.raises(BadInputError, match=r"^--phone .* is not a phone number"):
        phone(text)


# country


@pytest.mark.parametrize(("text", "expected"), [("GB", "GB"), ("cn", "CN"), (" De ", "DE")])
def test_a_country_code_is_two_letters_in_upper_case(text: str, expected: str) -> None:
    assert country(text) == expected


@pytest.mark.parametrize(
    "text", ["", "G", "GBR", "United Kingdom", "G1", "ÄB", "G B", "\u0391\u0392"]
)
def test_anything_but_two_ascii_letters_is_refused_as_a_country(text: str) -> None:
    with pytest.raises(BadInputError, match=r"^--country .* is not a country code; use two"):
        country(text)


# sector


def test_a_sector_is_lower_case_with_single_spaces() -> None:
    assert sector("  Trade and   Investment ") == "trade and investment"


def test_an_unknown_sector_is_allowed() -> None:
    assert sector("Maritime") == "maritime"


def test_the_known_sectors_are_already_in_normal_form() -> None:
    assert all(sector(name) == name for name in KNOWN_SECTORS)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "--sector must not be empty"),
        ("trade\ninvestment", "--sector must be one line"),
        ("x" * 61, "--sector is too long"),
    ],
)
def test_an_empty_multi_line_or_long_sector_is_refused(text: str, message: str) -> None:
    with pytest.raises(BadInputError, match=message):
        sector(text)


# money


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1200 GBP", (Decimal("1200"), "GBP")),
        ("GBP 1200", (Decimal("1200"), "GBP")),
        ("1,200.50 CNY", (Decimal("1200.50"), "CNY")),
        ("cny 1,234,567.5", (Decimal("1234567.5"), "CNY")),
        ("0 EUR", (Decimal("0"), "EUR")),
        ("99.99usd", (Decimal("99.99"), "USD")),
        ("  EUR12 ", (Decimal("12"), "EUR")),
    ],
)
def test_an_amount_and_a_currency_code_on_either_side_is_money(
    text: str, expected: tuple[Decimal, str]
) -> None:
    assert money(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-5 GBP", "must not be negative"),
        ("GBP -5", "must not be negative"),
        ("1.234 GBP", "more than 2 decimal places"),
        ("1200", "add a three-letter currency code"),
        ("1,200.50", "add a three-letter currency code"),
        ("NaN GBP", "use an amount and a currency"),
        ("Infinity GBP", "use an amount and a currency"),
        ("¥500", "use an amount and a currency"),
        ("12,00 GBP", "use an amount and a currency"),
        ("1200 GBPX", "use an amount and a currency"),
        ("1200 GB", "use an amount and a currency"),
        ("1e3 GBP", "use an amount and a currency"),
        (".5 GBP", "use an amount and a currency"),
        ("", "must not be empty"),
        ("12\n00 GBP", "one line"),
    ],
)
def test_an_amount_that_is_not_plain_money_is_refused_with_the_reason(
    text: str, message: str
) -> None:
    with pytest.raises(BadInputError, match=message):
        money(text)


@given(
    amount=st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False),
    currency=st.sampled_from(["GBP", "CNY", "EUR", "usd"]),
)
def test_every_amount_with_two_places_reads_back_from_its_display(
    amount: Decimal, currency: str
) -> None:
    assert money(f"{amount:,} {currency}") == (amount, currency.upper())


# every validator


VALIDATORS: list[Callable[[str], object]] = [
    lambda text: one_line(text, "--subject"),
    lambda text: long_text(text, "--notes"),
    email,
    phone,
    country,
    sector,
    money,
]


@pytest.mark.parametrize("validator", VALIDATORS)
@given(text=st.text())
def test_any_text_is_cleaned_or_refused_with_a_bad_input_error(
    validator: Callable[[str], object], text: str
) -> None:
    with contextlib.suppress(BadInputError):
        validator(text)


@pytest.mark.parametrize(
    ("name", "family_first", "expected"),
    [
        ("Zhao Xuenong", True, ("Zhao", "Xuenong")),
        ("Gary Millar", False, ("Millar", "Gary")),
        ("Ellen Mary Dwyer", False, ("Dwyer", "Ellen Mary")),
        ("Madonna", False, ("Madonna", "")),
        ("  ", True, ("", "")),
    ],
)
def test_a_full_name_splits_by_the_person_s_name_order(
    name: str, family_first: bool, expected: tuple[str, str]
) -> None:
    assert split_name(name, family_first=family_first) == expected


@given(words=st.lists(st.text(alphabet="abcXYZ", min_size=1), min_size=1), first=st.booleans())
def test_splitting_a_name_keeps_every_word_in_its_order(words: list[str], first: bool) -> None:
    family, given_name = split_name(" ".join(words), family_first=first)

    rejoined = f"{family} {given_name}" if first else f"{given_name} {family}"
    assert rejoined.split() == words
