"""How corrections and retractions change an entry's state, for every kind of entry alike."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from events.event import Event
from events.schemas.corrections import EntryCorrected
from events.vocabulary import ERASED

E = TypeVar("E", bound=Event)


def personal_changes(correction: EntryCorrected) -> dict[str, Any]:
    """The personal-data fields a correction sets (nothing once the person is erased)."""
    text = correction.personal_changes
    if not text or text == ERASED:
        return {}
    value = json.loads(text)
    return value if isinstance(value, dict) else {}


def corrected(original: E, correction: EntryCorrected) -> E:
    """The entry as its corrections say it should read (validated as a fresh event)."""
    data = original.model_dump()
    data.update(correction.changes)
    data.update(personal_changes(correction))
    return type(original).model_validate(data)
