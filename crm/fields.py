"""Checking the free text and contact details users type, before any of it enters the log.

Each validator returns the cleaned value or raises `BadInputError` naming the field, so a
bad value never becomes a permanent event.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from crm.errors import BadInputError

ONE_LINE_MAX = 300
"""Characters in a one-line field (a subject, a name, a title): enough, and fits a table."""

LONG_TEXT_MAX = 20_000
"""Characters in a long field (notes, minutes): several pages, far below any storage limit."""

EMAIL_MAX = 254
"""Characters in an email address: the longest path SMTP carries (RFC 5321)."""

PHONE_MAX = 40
PHONE_MIN_DIGITS = 5
SECTOR_MAX = 60

KNOWN_SECTORS = (
    "trade and investment",
    "technology and science",
    "education",
    "culture",
    "tourism",
    "health",
    "environment",
    "sport",
    "youth",
)
"""The usual sectors of cooperation, for hints and completion; others are allowed."""

_LINE_BREAKS = frozenset("\u2028\u2029")
_NOT_IN_EMAIL_LOCAL = frozenset('()<>[]:;,\\"')
_PHONE = re.compile(
    r"(?P<number>\+?[0-9 ()./-]+?)(?: *(?:ext\.?|x) *(?P<ext>[0-9]{1,6}))?", re.ASCII | re.I
)
_PLAIN_PHONE = re.compile(r"\+?[0-9 ()./-]+", re.ASCII)
"""A number without an extension: what `_PHONE` takes whole as its number, without its
backtracking (a lazy number tried against the extension at every character)."""
_AMOUNT = r"(?P<amount>-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?)"
_MONEY = (
    re.compile(rf"{_AMOUNT} *(?P<currency>[A-Za-z]{{3}})", re.ASCII),
    re.compile(rf"(?P<currency>[A-Za-z]{{3}}) *{_AMOUNT}", re.ASCII),
)


def _quoted(text: str) -> str:
    """Show user input in a message on one line, cut short if long."""
    return repr(text if len(text) <= 60 else text[:60] + "…")


def is_control(char: str, allowed: str = "") -> bool:
    """Control characters, surrogates and Unicode line breaks, except those `allowed`."""
    if char in allowed:
        return False
    return unicodedata.category(char) in ("Cc", "Cs") or char in _LINE_BREAKS


def _clean_text(text: str, field: str, *, required: bool, max_len: int, allowed: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        if required:
            raise BadInputError(f"{field} must not be empty")
        return ""
    # isprintable() is false for every control character (and more): the per-character
    # check runs only then, which keeps a 10,000-row import from spending its time here.
    if not cleaned.isprintable() and any(is_control(char, allowed) for char in cleaned):
        if allowed:
            raise BadInputError(
                f"{field} may hold line breaks and tabs but no other control characters"
            )
        raise BadInputError(f"{field} must be one line without control characters")
    if len(cleaned) > max_len:
        raise BadInputError(
            f"{field} is too long ({len(cleaned)} characters; at most {max_len} allowed)"
        )
    return cleaned


def one_line(text: str, field: str, *, required: bool = True, max_len: int = ONE_LINE_MAX) -> str:
    """Return `text` stripped, refusing line breaks, control characters and excess length."""
    return _clean_text(text, field, required=required, max_len=max_len, allowed="")


def long_text(
    text: str, field: str, *, required: bool = False, max_len: int = LONG_TEXT_MAX
) -> str:
    """Return `text` stripped with CRLF made LF; newlines and tabs may stay, other controls not."""
    if not text and not required:  # most rows have no notes
        return ""
    unified = text.replace("\r\n", "\n")
    return _clean_text(unified, field, required=required, max_len=max_len, allowed="\n\t")


def _email_problem(address: str) -> str | None:
    """Why `address` is not a usable email address, or None when it is."""
    if len(address) > EMAIL_MAX:
        return f"at most {EMAIL_MAX} characters"
    if not address.isprintable() or " " in address:
        return "no spaces or control characters"
    if address.count("@") != 1:
        return "exactly one @"
    local, domain = address.split("@")
    if not local or local[0] == "." or local[-1] == "." or ".." in local:
        return "a name before the @ without stray dots"
    if not _NOT_IN_EMAIL_LOCAL.isdisjoint(local):
        return "no brackets, quotes, commas or semicolons"
    labels = domain.split(".")
    if len(labels) < 2 or not all(map(_is_domain_label, labels)):
        return "a domain such as example.org after the @"
    top = labels[-1]
    if len(top) < 2 or not (top.isalpha() or top.lower().startswith("xn--")):
        return "a top-level domain of at least two letters"
    return None


def _is_domain_label(label: str) -> bool:
    """Letters (any script), digits and inner hyphens, as in an internationalised domain."""
    return (
        0 < len(label) <= 63
        and label[0] != "-"
        and label[-1] != "-"
        and label.replace("-", "").isalnum()
    )


def email(text: str, field: str = "--email") -> str:
    """Return the address with its domain lower-cased, or refuse one mail would not reach."""
    address = text.strip()
    problem = _email_problem(address)
    if problem is not None:
        raise BadInputError(f"{field} {_quoted(address)} is not an email address: need {problem}")
    local, domain = address.split("@")
    return f"{local}@{domain.lower()}"


def phone(text: str, field: str = "--phone") -> str:
    """Return the number stripped: digits and the usual punctuation, optionally `ext 123`."""
    number = text.strip()
    if _PLAIN_PHONE.fullmatch(number):
        digits = sum(map(str.isdigit, number))
    else:
        found = _PHONE.fullmatch(number)
        digits = sum(map(str.isdigit, found["number"])) if found else 0
    if len(number) > PHONE_MAX or digits < PHONE_MIN_DIGITS:
        raise BadInputError(
            f"{field} {_quoted(number)} is not a phone number; use digits, spaces, + - ( ) . / "
            f"and an optional 'ext 123' (at least {PHONE_MIN_DIGITS} digits, "
            f"at most {PHONE_MAX} characters)"
        )
    return number


def country(text: str, *, field: str = "--country") -> str:
    """Return an ISO 3166-1 alpha-2 code in upper case (GB, CN); no list is checked."""
    code = text.strip()
    if len(code) != 2 or not (code.isascii() and code.isalpha()):
        raise BadInputError(
            f"{field} {_quoted(code)} is not a country code; use two letters such as GB or CN"
        )
    return code.upper()


def sector(text: str, *, field: str = "--sector") -> str:
    """Return the sector in lower case with single spaces, so spellings group together."""
    name = " ".join(one_line(text, field).split()).lower()
    if len(name) > SECTOR_MAX:
        raise BadInputError(f"{field} is too long ({len(name)} characters; at most {SECTOR_MAX})")
    return name


def money(text: str, *, field: str = "--amount") -> tuple[Decimal, str]:
    """Return the amount and its upper-case currency from `1,200.50 CNY` or `GBP 1200`."""
    cleaned = one_line(text, field)
    found = next((m for p in _MONEY if (m := p.fullmatch(cleaned))), None)
    if found is None:
        bare = re.fullmatch(_AMOUNT, cleaned, re.ASCII)
        problem = "add a three-letter currency code" if bare else "use an amount and a currency"
        raise BadInputError(
            f"{field} {_quoted(cleaned)} is not an amount: {problem}, e.g. 1200 GBP"
        )
    amount = found["amount"]
    if amount.startswith("-"):
        raise BadInputError(f"{field} {_quoted(cleaned)} must not be negative")
    if len(amount.partition(".")[2]) > 2:
        raise BadInputError(f"{field} {_quoted(cleaned)} has more than 2 decimal places")
    return Decimal(amount.replace(",", "")), found["currency"].upper()


def optional_line(text: str | None, field: str, *, max_len: int = ONE_LINE_MAX) -> str | None:
    """Like `one_line`, but absent or blank input gives None."""
    if not text:  # most optional columns are absent: three calls fewer, four times a row
        return None
    return one_line(text, field, required=False, max_len=max_len) or None


def split_name(name: str, *, family_first: bool) -> tuple[str, str]:
    """Split a full name into (family, given) by the person's name order ("" for no name)."""
    words = name.split()
    if not words:
        return "", ""
    if family_first:
        return words[0], " ".join(words[1:])
    return words[-1], " ".join(words[:-1])
