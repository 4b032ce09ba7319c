"""A record carries its payload as stored when that is the event's own JSON, so read models
can keep it without serialising the event again."""

from __future__ import annotations

from events.sql_store import SqlEventStore
from tests.events.sample import NoteTaken, open_sample_store, person

_PAYLOAD = 12
"""The payload's place in a stored row (`read_rows`)."""


def _stored_payloads(store: SqlEventStore) -> list[str]:
    return [row[_PAYLOAD] for row in store.read_rows()]


def test_a_plain_event_carries_the_text_it_was_stored_as(store_url: str) -> None:
    store = open_sample_store(store_url)

    (appended,) = store.append("note-1", [NoteTaken(text="Met the vice mayor")], 0)
    (read,) = store.read_all()

    assert appended.stored_json == read.stored_json == _stored_payloads(store)[0]
    assert read.stored_json == read.event.model_dump_json()
    store.engine.dispose()


def test_an_event_with_sealed_fields_carries_no_stored_json(store_url: str) -> None:
    store = open_sample_store(store_url)

    (appended,) = store.append("person-1", [person()], 0)
    (read,) = store.read_all()

    assert appended.stored_json is None
    assert read.stored_json is None
    assert "Zhao" not in _stored_payloads(store)[0]  # what is stored is sealed, not the JSON
    store.engine.dispose()
