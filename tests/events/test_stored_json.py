"""A record carries its payload as stored when that is the event's own JSON, so read models
can keep it without serialising the event again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from events import chain
from events.envelope import RecordedEvent
from events.errors import IntegrityViolationError
from events.sql_store import SqlEventStore
from events.tables import GENESIS_HASH
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


def test_a_reader_of_plain_json_gets_plain_events_undecoded_and_the_rest_decoded(
    store_url: str,
) -> None:
    store = open_sample_store(store_url)
    store.append("note-1", [NoteTaken(text="first"), NoteTaken(text="second")], 0)
    met = person()
    store.append("person-1", [met], 0)
    store.append("note-1", [NoteTaken(text="third")], 2)
    payloads = _stored_payloads(store)

    read = list(store.read_plain())

    first, second, sealed, third = read
    assert isinstance(first, RecordedEvent)  # decoded: how the reader learns the type is plain
    assert second == (2, NoteTaken.event_type(), payloads[1])
    assert isinstance(sealed, RecordedEvent)
    assert sealed.event == met  # unsealed with its subject's key
    assert third == (4, NoteTaken.event_type(), payloads[3])
    assert [item[0] for item in read] == [1, 2, 3, 4]
    store.engine.dispose()


def test_an_import_refuses_a_plain_payload_not_written_as_append_writes_it(
    store_url: str, tmp_path: Path
) -> None:
    """Readers of plain JSON take its ids and times as written: the same event spelt another
    way (spaced, say, with the hash chain recomputed) must not come in."""
    source = open_sample_store(f"sqlite:///{tmp_path / 'source.db'}")
    source.append("note-1", [NoteTaken(text="first"), NoteTaken(text="second")], 0)
    rows = [list(row) for row in source.read_rows()]
    rows[1][_PAYLOAD] = json.dumps(json.loads(rows[1][_PAYLOAD]), indent=1)
    previous = GENESIS_HASH
    for row in rows:
        row[-1] = previous = chain.link(previous, tuple(row[:-1]))
    target = open_sample_store(store_url)

    with pytest.raises(IntegrityViolationError, match="position 2: its NoteTaken is not"):
        target.import_rows(rows)

    assert list(target.read_rows()) == []
    rows[1][_PAYLOAD] = NoteTaken(text="second").model_dump_json()  # as append writes it
    previous = GENESIS_HASH
    for row in rows:
        row[-1] = previous = chain.link(previous, tuple(row[:-1]))
    assert target.import_rows(rows) == 2
    source.engine.dispose()
    target.engine.dispose()
