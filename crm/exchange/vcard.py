"""vCards in and out: address books from Outlook and phones (vCard 3.0 and 4.0)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import vobject

from crm.errors import BadInputError
from crm.fields import split_name
from projections.names import name_key

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _values(card: Any, name: str) -> list[str]:
    return [
        str(line.value).strip() for line in card.contents.get(name, []) if str(line.value).strip()
    ]


def _n_parts(card: Any) -> tuple[str, str, str]:
    """(family, given, prefix) from N, or from FN when N is missing or empty."""
    n_lines = card.contents.get("n", [])
    if n_lines:
        n = n_lines[0].value
        family = " ".join(_listify(n.family)).strip()
        given = " ".join(_listify(n.given) + _listify(n.additional)).strip()
        prefix = " ".join(_listify(n.prefix)).strip()
        if family or given:
            return family, given, prefix
    names = _values(card, "fn")
    family, given = split_name(names[0] if names else "", family_first=False)
    return family, given, ""


def _family_first(card: Any, family: str, given: str, prefix: str) -> bool:
    """FN shows the name family first ("Zhao Xuenong" with N:Zhao;Xuenong): N has no order."""
    shown = name_key((_values(card, "fn") or [""])[0])
    shown = shown.removeprefix(name_key(prefix)).strip() if prefix else shown
    family_first, given_first = name_key(f"{family} {given}"), name_key(f"{given} {family}")
    return bool(family and given) and shown == family_first and family_first != given_first


def _phone(value: str) -> str:
    """A vCard 4.0 tel: URI as the number it holds: "tel:+34-600;ext=12" -> "+34-600 ext 12"."""
    if value[:4].lower() != "tel:":
        return value
    number, *params = value[4:].split(";")
    ext = next((p[4:] for p in params if p.lower().startswith("ext=")), "")
    return unquote(f"{number} ext {ext}" if ext else number).strip()


def _listify(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value if str(v).strip()]
    return [str(value)] if value and str(value).strip() else []


def _org(card: Any) -> str:
    lines = card.contents.get("org", [])
    if not lines:
        return ""
    value = lines[0].value
    return str(value[0] if isinstance(value, list | tuple) and value else value).strip()


def _blocks(text: str) -> Iterator[tuple[int, str]]:
    """Each top-level BEGIN...END block with the line it begins on (vobject counts none)."""
    depth, start = 0, 0
    block: list[str] = []
    for number, line in enumerate(_LINE_BREAK.split(text), 1):
        tag = line.rstrip().upper()
        if depth == 0 and not tag.startswith("BEGIN:"):
            continue  # blank lines between cards
        if depth == 0:
            start, block = number, []
        block.append(line)
        depth += tag.startswith("BEGIN:") - tag.startswith("END:")
        if depth == 0:
            yield start, "\r\n".join(block) + "\r\n"
    if depth:
        yield start, "\r\n".join(block)  # never closed: vobject says so, with this line


def _card(line: int, block: str) -> Any:
    """Parse one card strictly: an unreadable line fails the file, never vanishes from it."""
    try:
        return vobject.readOne(block, allowQP=True)  # vCard 2.1's quoted-printable values
    except Exception as error:  # vobject raises its own, unrelated exception classes
        problem = str(error).splitlines()[0] if str(error) else type(error).__name__
        problem = re.sub(r"^At line \d+: ", "", problem)  # vobject's own count is off
        where = _line_of(block, problem, line)
        raise BadInputError(f"line {where}: not a readable vCard: {problem}") from None


def _line_of(block: str, problem: str, start: int) -> int:
    """The file line where the (unfolded) line vobject could not parse begins, else the card's."""
    _, found, text = problem.partition("Failed to parse line: ")
    if not found:
        return start
    physical = block.split("\r\n")
    for offset, first in enumerate(physical):
        if first[:1] in (" ", "\t"):
            continue  # a continuation: its line began earlier
        logical = first
        for more in physical[offset + 1 :]:
            if more[:1] not in (" ", "\t"):
                break
            logical += more[1:]
        if logical == text:
            return start + offset
    return start


def vcard_rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    """Each card as an import row (the same fields as a contacts CSV), with its first line."""
    for line, block in _blocks(text):
        card = _card(line, block)
        if card.name.upper() != "VCARD":
            continue
        family, given, prefix = _n_parts(card)
        row = {
            "family_name": family,
            "given_name": given,
            "family_name_first": "yes" if _family_first(card, family, given, prefix) else "",
            "honorific": prefix,
            "native_name": (_values(card, "x-crm-native-name") or [""])[0],
            "email": ";".join(_values(card, "email")),
            "phone": ";".join(_phone(v) for v in _values(card, "tel")),
            "organisation": _org(card),
            "title": (_values(card, "title") or [""])[0],
            "notes": (_values(card, "note") or [""])[0],
            "preferred_name": (_values(card, "nickname") or [""])[0],
            "languages": ";".join(_values(card, "lang")),
        }
        yield line, {k: v for k, v in row.items() if v}


def contact_card(contact: dict[str, Any], organisation: str | None, title: str | None) -> str:
    """One contact as a vCard 3.0 (what Outlook and phones read most reliably)."""
    card = vobject.vCard()
    card.add("uid").value = f"{contact['id']}@trade-mission-crm"
    family, given = contact.get("family_name") or "", contact.get("given_name") or ""
    card.add("n").value = vobject.vcard.Name(
        family=family, given=given, prefix=contact.get("honorific") or ""
    )
    card.add("fn").value = contact["name"]
    for address in contact.get("emails", []):
        line = card.add("email")
        line.value = address
        line.type_param = "INTERNET"
    for number in contact.get("phones", []):
        card.add("tel").value = number
    if organisation:
        card.add("org").value = [organisation]
    if title:
        card.add("title").value = title
    if contact.get("notes"):
        card.add("note").value = contact["notes"]
    if contact.get("preferred_name"):
        card.add("nickname").value = contact["preferred_name"]
    if contact.get("native_name"):
        card.add("x-crm-native-name").value = contact["native_name"]
    return str(card.serialize())
