"""vCards in and out: address books from Outlook and phones (vCard 3.0 and 4.0)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import vobject

from crm.errors import BadInputError


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
    words = names[0].split() if names else []
    return (words[-1], " ".join(words[:-1]), "") if words else ("", "", "")


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


def vcard_rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    """Each card as an import row (the same fields as a contacts CSV), numbered from 1."""
    try:
        cards = list(vobject.readComponents(text, ignoreUnreadable=True))
    except Exception as error:  # vobject raises its own, unrelated exception classes
        raise BadInputError(f"not a readable vCard file: {str(error).splitlines()[0]}") from None
    for number, card in enumerate(cards, 1):
        if card.name.upper() != "VCARD":
            continue
        family, given, prefix = _n_parts(card)
        row = {
            "family_name": family,
            "given_name": given,
            "honorific": prefix,
            "email": ";".join(_values(card, "email")),
            "phone": ";".join(_values(card, "tel")),
            "organisation": _org(card),
            "title": (_values(card, "title") or [""])[0],
            "notes": (_values(card, "note") or [""])[0],
            "preferred_name": (_values(card, "nickname") or [""])[0],
            "languages": ";".join(_values(card, "lang")),
        }
        yield number, {k: v for k, v in row.items() if v}


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
