"""The hash chain: each event's hash covers the previous hash and the stored row.

Canonical form of a row, hashed with SHA-256 as UTF-8:

    previous_hash US position US event_id US ... US causation_id LF payload

with US the unit separator (0x1F), None written as the empty string and integers in decimal.
Envelope text never holds control characters (the store refuses them) and the payload comes
last, so the form is unambiguous; anyone can re-check the chain from an export.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

HASHED_COLUMNS: tuple[str, ...] = (
    "position",
    "event_id",
    "stream_id",
    "stream_version",
    "type",
    "schema_version",
    "occurred_at",
    "recorded_at",
    "actor",
    "source",
    "correlation_id",
    "causation_id",
    "payload",
)

_CANONICAL = "\x1f".join(["{}"] * len(HASHED_COLUMNS)) + "\n{}"


def link(previous_hash: str, values: Sequence[Any]) -> str:
    """Hash one stored row (values in `HASHED_COLUMNS` order) onto the previous event's hash."""
    if None in values:
        values = ["" if v is None else v for v in values]
    return hashlib.sha256(_CANONICAL.format(previous_hash, *values).encode()).hexdigest()
