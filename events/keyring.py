"""Per-subject keys: created on first use, looked up while reading, deleted to erase a person."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, insert, select

from events import crypto
from events.database import read_transaction
from events.errors import SubjectErasedError
from events.tables import erased_subjects, subject_keys


class KeyRing:
    """The keys of data subjects, cached for one operation.

    Given a connection it works inside that transaction (appends, erasure); given an engine
    it opens a short read transaction for each key not yet cached (long streaming reads).
    """

    def __init__(self, source: Connection | Engine) -> None:
        self._source = source
        self._cache: dict[str, bytes | None] = {}
        self._complete = False

    def preload(self) -> None:
        """Read every key at once: one query instead of one per person on a long read."""
        query = select(subject_keys.c.subject_id, subject_keys.c.key)
        if isinstance(self._source, Engine):
            with read_transaction(self._source) as conn:
                rows = list(conn.execute(query))
        else:
            rows = list(self._source.execute(query))
        self._cache.update((str(subject), bytes(key)) for subject, key in rows)
        self._complete = True

    def key_for_reading(self, subject_id: str) -> bytes | None:
        """Return the subject's key, or None once it has been deleted."""
        if subject_id not in self._cache and not self._complete:
            query = select(subject_keys.c.key).where(subject_keys.c.subject_id == subject_id)
            if isinstance(self._source, Engine):
                with read_transaction(self._source) as conn:
                    self._cache[subject_id] = conn.execute(query).scalar_one_or_none()
            else:
                self._cache[subject_id] = self._source.execute(query).scalar_one_or_none()
        return self._cache.get(subject_id)

    def key_for_writing(self, subject_id: str) -> bytes:
        """Return the subject's key, creating it on first use; refuse an erased subject."""
        key = self.key_for_reading(subject_id)
        if key is not None:
            return key
        if self.is_erased(subject_id):
            raise SubjectErasedError(subject_id)
        key = crypto.new_key()
        self._connection().execute(insert(subject_keys).values(subject_id=subject_id, key=key))
        self._cache[subject_id] = key
        return key

    def mark_erased(self, subject_id: str, erased_at: str) -> None:
        """Record that a subject was erased, so no new key is ever made for them."""
        self._cache[subject_id] = None
        if not self.is_erased(subject_id):
            self._connection().execute(
                insert(erased_subjects).values(subject_id=subject_id, erased_at=erased_at)
            )

    def is_erased(self, subject_id: str) -> bool:
        """Say whether a subject was erased here."""
        query = select(erased_subjects.c.subject_id).where(
            erased_subjects.c.subject_id == subject_id
        )
        return self._connection().execute(query).first() is not None

    def _connection(self) -> Connection:
        if isinstance(self._source, Engine):
            raise TypeError("writing keys needs the append's own transaction")
        return self._source
