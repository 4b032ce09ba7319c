"""How names are compared: case, accents, punctuation and spacing do not matter."""

from __future__ import annotations

import unicodedata

_ASCII_SPACES = str.maketrans(
    {chr(c): " " for c in range(128) if not (chr(c).isalnum() or chr(c) == "@")}
)


def name_key(text: str) -> str:
    """Reduce a name to its comparable form: "Zhào  Xuénóng." -> "zhao xuenong"."""
    if text.isascii():
        return " ".join(text.lower().translate(_ASCII_SPACES).split())
    decomposed = unicodedata.normalize("NFKD", text)
    kept = []
    for ch in decomposed:
        category = unicodedata.category(ch)
        if category == "Mn":
            continue
        kept.append(ch if category[0] in "LN" or ch == "@" else " ")
    return " ".join("".join(kept).casefold().split())


def display_name(
    family: str, given: str, *, family_first: bool, honorific: str | None = None
) -> str:
    """A person's name in their own order ("Zhao Xuenong", "Gary Millar")."""
    parts = [family, given] if family_first else [given, family]
    name = " ".join(p for p in parts if p)
    return f"{honorific} {name}" if honorific else name
