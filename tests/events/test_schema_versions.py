"""Schema and event versions: old shapes upcast on read; newer stores and types are refused."""

from __future__ import annotations

from typing import Any

import pytest

from events.connect import open_store
from events.errors import PayloadDecodeError, SchemaTooNewError, UnknownEventTypeError
from events.event import Event
from events.registry import EventRegistry
from tests.events.raw import execute
from tests.events.sample import NoteTaken, open_sample_store


def test_a_store_written_by_a_newer_schema_is_refused(store_url: str) -> None:
    open_sample_store(store_url).engine.dispose()
    execute(store_url, "UPDATE store_meta SET value = '99' WHERE name = 'schema_version'")

    with pytest.raises(SchemaTooNewError, match="schema version 99"):
        open_sample_store(store_url)


def test_an_unknown_event_type_is_an_error_naming_it(store_url: str) -> None:
    store = open_sample_store(store_url)
    store.append("note-a", [NoteTaken(text="hi")], 0)
    store.engine.dispose()
    reader = open_store(store_url, event_registry=EventRegistry())

    with pytest.raises(UnknownEventTypeError, match="NoteTaken"):
        list(reader.read_all())
    reader.engine.dispose()


def test_an_undecodable_payload_names_its_position(store_url: str) -> None:
    store = open_sample_store(store_url)
    store.append("note-a", [NoteTaken(text="hi")], 0)
    store.engine.dispose()
    execute(
        store_url,
        "INSERT INTO events (position, event_id, stream_id, stream_version, type, "
        "schema_version, occurred_at, recorded_at, actor, source, payload, hash) "
        "VALUES (2, 'f0e1d2c3-0000-4000-8000-000000000000', 'note-b', 1, 'NoteTaken', 1, "
        "'2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00', 'x', 'x', '{\"nope\":1}', 'x')",
    )
    reader = open_sample_store(store_url)

    with pytest.raises(PayloadDecodeError, match="position 2"):
        list(reader.read_all())
    reader.engine.dispose()


def _versioned_registries() -> tuple[EventRegistry, EventRegistry]:
    old, new = EventRegistry(), EventRegistry()

    class Greeted(Event):
        name: str

    old.register(type("Greeted", (Greeted,), {"__doc__": "v1"}))

    class GreetedV2(Event):
        schema_version = 2
        given_name: str
        family_name: str

        @classmethod
        def event_type(cls) -> str:
            return "Greeted"

    new.register(GreetedV2)

    @new.upcaster("Greeted", from_version=1)
    def split_name(data: dict[str, Any]) -> dict[str, Any]:
        family, _, given = data.pop("name").partition(" ")
        return {**data, "family_name": family, "given_name": given}

    return old, new


def test_an_old_schema_version_is_upcast_on_read_and_never_rewritten(store_url: str) -> None:
    old, new = _versioned_registries()
    writer = open_store(store_url, event_registry=old)
    (cls,) = old.classes()
    writer.append("greeting-1", [cls(name="Zhao Xuenong")], 0)
    writer.engine.dispose()
    reader = open_store(store_url, event_registry=new)

    (record,) = reader.read_all()

    assert record.schema_version == 1
    assert (record.event.family_name, record.event.given_name) == ("Zhao", "Xuenong")  # type: ignore[attr-defined]
    reader.engine.dispose()
