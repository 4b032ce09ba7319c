"""The base class of every event, and the marker for personal-data fields."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, ClassVar, Final

from pydantic import BaseModel, ConfigDict


class _PersonalMarker:
    """Field metadata: the value is personal data, encrypted with its subject's key."""

    def __repr__(self) -> str:
        return "Personal"


PERSONAL: Final = _PersonalMarker()

PersonalText = Annotated[str, PERSONAL]
OptionalPersonalText = Annotated[str | None, PERSONAL]
PersonalTexts = Annotated[tuple[str, ...], PERSONAL]


class Event(BaseModel):
    """A business fact in the past tense. Envelope data (ids, times, actor) lives elsewhere."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    schema_version: ClassVar[int] = 1
    subject_field: ClassVar[str | None] = None
    """The field holding the id of the person whose key encrypts the personal fields."""

    @classmethod
    def event_type(cls) -> str:
        """Name the event type as stored: the class name, never renamed once released."""
        return cls.__name__

    @classmethod
    def personal_fields(cls) -> frozenset[str]:
        """Name the fields marked as personal data."""
        return _personal_fields(cls)

    def data_subject(self) -> str | None:
        """Return the data subject whose key protects this event's personal fields."""
        if self.subject_field is None or not self.personal_fields():
            return None
        value: Any = getattr(self, self.subject_field)
        return None if value is None else str(value)


@cache
def _personal_fields(cls: type[Event]) -> frozenset[str]:
    return frozenset(
        name for name, info in cls.model_fields.items() if any(m is PERSONAL for m in info.metadata)
    )
