"""Turn events into stored payload text and back, sealing personal fields with subject keys."""

from __future__ import annotations

import json
import typing
from collections.abc import Callable, Iterable
from functools import cache
from json.encoder import encode_basestring
from typing import Any

from events import crypto
from events.errors import UnknownEventTypeError
from events.event import Event
from events.registry import EventRegistry
from events.vocabulary import ERASED

SEALED_KEY = "__personal__"
"""The payload member holding the sealed personal fields and the subject they belong to."""

KeyLookup = Callable[[str], bytes | None]


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class PayloadCodec:
    """Encode events to canonical JSON text and decode stored text into current event objects."""

    def __init__(self, registry: EventRegistry) -> None:
        self._registry = registry
        self._plain: dict[str, tuple[int, Callable[[str], Event]]] = {}
        """Types stored in their current shape without personal data: decoded in one step."""

    def encode(self, event: Event, event_id: str, key_for: Callable[[str], bytes]) -> str:
        """Serialise `event`; personal fields are sealed under the key of its subject."""
        personal = event.personal_fields()
        if not personal:
            return event.model_dump_json()
        subject = event.data_subject()
        if subject is None:
            data = event.model_dump(mode="json")
            if any(data[name] for name in personal):
                raise ValueError(f"{event.event_type()} has personal data but names no subject")
            return _dumps(data)
        # pydantic's own JSON for both parts, spliced: a third of the cost of dumping a dict
        # (a 10,000-contact import seals 10,000 of these). Readers parse it whichever way.
        fields = set(personal)
        private = event.model_dump_json(include=fields).encode()
        token = crypto.seal(key_for(subject), private, event_id.encode())
        public = event.model_dump_json(exclude=fields)
        # The text json.dumps gives for {"subject": ..., "sealed": ...}, written out: base64
        # needs no escaping. json.dumps builds an encoder per call: several us of each event.
        sealed = f'{{"subject":{encode_basestring(subject)},"sealed":"{token}"}}'
        member = f'"{SEALED_KEY}":{sealed}'
        return f"{public[:-1]},{member}}}" if public != "{}" else f"{{{member}}}"

    def decode(
        self, event_type: str, schema_version: int, text: str, event_id: str, key_for: KeyLookup
    ) -> tuple[Event, bool]:
        """Rebuild the current event object; the flag says personal fields were erased."""
        plain = self._plain.get(event_type)
        if plain is not None and plain[0] == schema_version:
            return plain[1](text), False
        cls = self._registry.class_for(event_type, schema_version)
        if schema_version == cls.schema_version and not cls.personal_fields():
            # The validator itself, not model_validate_json: its wrapper costs a microsecond
            # on every event of a million-event rebuild. Taken after a first validation, which
            # builds it (models build their validators on first use).
            event = cls.model_validate_json(text)
            self._plain[event_type] = (schema_version, cls.__pydantic_validator__.validate_json)
            return event, False
        data: dict[str, Any] = json.loads(text)
        erased = False
        sealed = data.pop(SEALED_KEY, None)
        if sealed is not None:
            key = key_for(sealed["subject"])
            if key is None:
                erased = True
            else:
                data.update(json.loads(crypto.unseal(key, sealed["sealed"], event_id.encode())))
        data = self._registry.upcast(event_type, schema_version, data)
        if erased:
            data.update(_placeholders(cls))
        return cls.model_validate(data), erased

    def written_plain(self, event: Event, text: str) -> str | None:
        """`text`, as `encode` wrote it for `event`, when it is the event's own JSON (its type
        seals nothing); None otherwise."""
        return None if event.personal_fields() else text

    def is_plain(self, event_type: str, schema_version: int) -> bool:
        """Whether stored text of this type and version, once decoded, is the event's own
        JSON: `encode` wrote it with `model_dump_json` (nothing sealed) and nothing upcasts
        it. Known from the first such text `decode` reads."""
        plain = self._plain.get(event_type)
        return plain is not None and plain[0] == schema_version

    def is_canonical(self, event_type: str, schema_version: int, text: str) -> bool:
        """Whether stored text of a plain type (its current schema, nothing sealed) is exactly
        what `encode` writes for the event it holds: readers of plain text (`is_plain`) take
        its ids and times as written. Text of other types is not checked here (True)."""
        try:
            cls = self._registry.class_for(event_type, schema_version)
        except UnknownEventTypeError:
            return True
        if schema_version != cls.schema_version or cls.personal_fields():
            return True
        try:
            return cls.model_validate_json(text).model_dump_json() == text
        except ValueError:  # pydantic's ValidationError is one
            return False

    def sealed_subjects(self, texts: Iterable[str]) -> set[str]:
        """The subjects whose keys seal any of these payloads."""
        return {s for s in (self.sealed_subject(t) for t in texts) if s is not None}

    def sealed_subject(self, text: str) -> str | None:
        """Name the subject whose key seals this payload, if any."""
        if SEALED_KEY not in text:
            return None
        sealed = json.loads(text).get(SEALED_KEY)
        return None if sealed is None else str(sealed["subject"])


@cache
def _placeholders(cls: type[Event]) -> dict[str, Any]:
    """What each personal field of `cls` reads as once its key is gone."""
    values: dict[str, Any] = {}
    for name in cls.personal_fields():
        annotation = cls.model_fields[name].annotation
        is_tuple = typing.get_origin(annotation) is tuple
        values[name] = (ERASED,) if is_tuple else ERASED
    return values
