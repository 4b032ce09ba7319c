"""Every event type round-trips through storage unchanged, on both backends (hypothesis)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import events.schemas  # noqa: F401  (registers every event type)
from events.connect import open_store
from events.envelope import PendingEvent
from events.event import Event
from events.registry import registry
from events.sql_store import SqlEventStore
from tests.events.strategies import aware_datetimes, events_of

EVENT_TYPES = sorted(registry.classes(), key=lambda cls: cls.event_type())
_streams = count()


@pytest.fixture
def store(store_url: str) -> Iterator[SqlEventStore]:
    opened = open_store(store_url)
    yield opened
    opened.engine.dispose()


@pytest.mark.parametrize("event_class", EVENT_TYPES, ids=lambda cls: cls.event_type())
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), occurred_at=aware_datetimes)
def test_every_event_type_reads_back_exactly_as_appended(
    store: SqlEventStore, event_class: type[Event], data: st.DataObject, occurred_at: datetime
) -> None:
    event = data.draw(events_of(event_class))
    stream = f"roundtrip-{next(_streams)}"

    store.append(stream, [PendingEvent(event, occurred_at)], expected_version=0)
    (record,) = store.read_stream(stream)

    assert record.event == event
    assert type(record.event) is event_class
    assert record.occurred_at == occurred_at
