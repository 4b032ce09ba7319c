"""Errors raised by the event store; each message is one line a user can act on."""

from __future__ import annotations


class StoreError(Exception):
    """Base class of everything the store raises on purpose."""


class ConcurrencyError(StoreError):
    """Another writer appended to the stream since its version was read."""

    def __init__(self, stream_id: str, expected: int, actual: int) -> None:
        super().__init__(
            f"stream {stream_id} is at version {actual}, not the expected {expected}; "
            "reload it and try again"
        )
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual


class DuplicateEventError(StoreError):
    """An event id is already stored with different content."""

    def __init__(self, event_id: str) -> None:
        super().__init__(f"event {event_id} is already stored with different content")
        self.event_id = event_id


class UnknownEventTypeError(StoreError):
    """A stored event has a type or schema version this code does not know."""

    def __init__(self, event_type: str, schema_version: int) -> None:
        super().__init__(
            f"unknown event type {event_type!r} (schema version {schema_version}); "
            "it was probably written by a newer version of crm: upgrade to read it"
        )
        self.event_type = event_type
        self.schema_version = schema_version


class PayloadDecodeError(StoreError):
    """A stored payload cannot be decoded into its event class."""

    def __init__(self, position: int, reason: str) -> None:
        super().__init__(f"event at position {position} cannot be decoded: {reason}")
        self.position = position


class AppendOnlyGuardMissingError(StoreError):
    """The database triggers that make the log append-only are gone."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(
            "refusing to write: the append-only triggers are missing ("
            + ", ".join(missing)
            + "); run `crm verify`, then `crm init --repair-triggers`"
        )
        self.missing = missing


class SchemaTooNewError(StoreError):
    """The database was written by a newer version of the schema than this code knows."""

    def __init__(self, found: int, known: int) -> None:
        super().__init__(
            f"the database has schema version {found}, newer than this crm knows ({known}); "
            "upgrade crm to use it"
        )


class DatabaseUrlError(StoreError):
    """The database URL cannot be used."""


class DatabaseUnavailableError(StoreError):
    """The database server cannot be reached or the file cannot be opened."""


class IntegrityViolationError(StoreError):
    """The hash chain or positions of the log do not match what was written."""


class SubjectErasedError(StoreError):
    """Personal data was offered for a person whose key has been deleted."""

    def __init__(self, subject_id: str) -> None:
        super().__init__(f"{subject_id} has been erased; no new personal data can be stored")
        self.subject_id = subject_id
