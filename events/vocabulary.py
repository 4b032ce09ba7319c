"""Words the log and its readers share, apart from the event models: reading the views must
not load pydantic (a fifth of a read command's start-up)."""

from __future__ import annotations

from typing import Final, Literal, get_args

ERASED: Final = "[erased]"
"""What an erased person's personal data reads as, in events and views alike."""

InteractionKind = Literal["meeting", "call", "email", "message", "banquet", "site_visit", "note"]
INTERACTION_KINDS: tuple[str, ...] = get_args(InteractionKind)
