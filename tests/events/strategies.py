"""Hypothesis strategies that build any registered event with realistic, storable values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from events.event import Event
from events.schemas import values

text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
offsets = st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5))])
aware_datetimes = st.datetimes(
    min_value=datetime(1990, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=offsets,
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)


def _register_defaults() -> None:
    st.register_type_strategy(datetime, aware_datetimes)
    st.register_type_strategy(Decimal, money)
    st.register_type_strategy(str, text)
    # Event models build their validators on first use; hypothesis reads the constructor's
    # signature, which is only `**data` until then.
    pending = list(values.Value.__subclasses__())
    while pending:
        model = pending.pop()
        model.model_rebuild()
        pending.extend(model.__subclasses__())


_register_defaults()


def events_of(cls: type[Event]) -> st.SearchStrategy[Event]:
    """Build instances of `cls` with every field generated, optional ones included."""
    fields: dict[str, Any] = {}
    for name, info in cls.model_fields.items():
        annotation = info.annotation
        if annotation == dict[str, Any]:
            fields[name] = st.dictionaries(text, json_values, max_size=4)
        else:
            fields[name] = st.from_type(annotation)  # type: ignore[arg-type]
    if cls.subject_field is not None and cls.personal_fields():
        subject = cls.model_fields[cls.subject_field].annotation
        fields[cls.subject_field] = st.uuids() if subject is not None else st.none()
    return st.builds(cls, **fields)
