"""Header values that cannot inject headers, and deterministic Message-IDs.

Python 3.11 releases before 3.11.10 lack the stdlib's full header-injection fix, so every
value that reaches a header is cleaned here rather than trusted to the email package.
"""

from __future__ import annotations

import hashlib
import re

from crm.fields import is_control

HEADER_MAX = 200
"""Characters kept in a cleaned header: a subject line a mail client can show whole."""

FALLBACK_DOMAIN = "localhost"

_HOST_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", re.ASCII)
_HOST_MAX = 253


def clean_header(text: str, max_len: int = HEADER_MAX) -> str:
    """Return `text` on one line: runs of control characters become one space; cut to max_len."""
    pieces: list[str] = []
    in_run = False
    for char in text:
        if is_control(char):
            if not in_run:
                pieces.append(" ")
            in_run = True
        else:
            pieces.append(char)
            in_run = False
    cleaned = "".join(pieces).strip()
    if len(cleaned) <= max_len:
        return cleaned
    if max_len < 1:
        return ""
    return cleaned[: max_len - 1].rstrip() + "…"


def plausible_hostname(domain: str) -> str | None:
    """Return `domain` lower-cased when it is an ASCII hostname, else None."""
    name = domain.strip().lower().removesuffix(".")
    if not name or len(name) > _HOST_MAX:
        return None
    if not all(_HOST_LABEL.fullmatch(label) for label in name.split(".")):
        return None
    return name


def message_id(key_material: str, domain: str) -> str:
    """Return `<32-hex@domain>`, the same for the same key so a retried send keeps its id."""
    digest = hashlib.sha256(key_material.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"<{digest}@{plausible_hostname(domain) or FALLBACK_DOMAIN}>"
