"""Per-subject keys: created on first use, looked up while reading, deleted to erase a person."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, bindparam, insert, select

from events import crypto
from events.database import Prepared, member_of, read_transaction
from events.errors import SubjectErasedError
from events.tables import erased_subjects, subject_keys

_KEY_OF = Prepared(select(subject_keys.c.key).where(subject_keys.c.subject_id == bindparam("s")))
_ERASED = Prepared(
    select(erased_subjects.c.subject_id).where(erased_subjects.c.subject_id == bindparam("s"))
)
_ADD_KEY = Prepared(insert(subject_keys))


class KeyRing:
    """The keys of data subjects, cached for one operation.

    Given a connection it works inside that transaction (appends, erasure); given an engine
    it opens a short read transaction per lookup, or per batch with `prefetch` (long reads).
    New keys are held back and inserted together when the append writes its rows.
    """

    def __init__(self, source: Connection | Engine) -> None:
        self._source = source
        self._cache: dict[str, bytes | None] = {}
        self._complete = False
        self._new: list[tuple[str, bytes]] = []
        self._erased: set[str] = set()
        self._checked: set[str] = set()
        """Subjects whose erasure was looked up in bulk."""

    def preload(self) -> None:
        """Read every key at once: one query instead of one per person on a long read."""
        query = select(subject_keys.c.subject_id, subject_keys.c.key)
        with self._reading() as conn:
            rows = list(conn.execute(query))
        self._cache.update((str(subject), bytes(key)) for subject, key in rows)
        self._complete = True

    def prefetch(self, subjects: Iterable[str]) -> None:
        """Load the keys (and erasures) of these subjects in a few queries, not one each."""
        missing = {s for s in subjects if s not in self._cache}
        if not missing or self._complete:
            return
        self._cache.update(dict.fromkeys(missing))
        with self._reading() as conn:
            query = select(subject_keys.c.subject_id, subject_keys.c.key).where(
                member_of(conn, subject_keys.c.subject_id, missing)
            )
            self._cache.update((str(s), bytes(k)) for s, k in conn.execute(query))
            erased = select(erased_subjects.c.subject_id).where(
                member_of(conn, erased_subjects.c.subject_id, missing)
            )
            self._erased.update(str(s) for (s,) in conn.execute(erased))
        self._checked.update(missing)

    def key_for_reading(self, subject_id: str) -> bytes | None:
        """Return the subject's key, or None once it has been deleted.

        A subject missing after a preload is still looked up: its key may have been written
        (with its first event) after the preload, and must not read as erased.
        """
        if subject_id not in self._cache:
            with self._reading() as conn:
                rows = _KEY_OF.rows(conn, s=subject_id)
            self._cache[subject_id] = bytes(rows[0][0]) if rows else None
        return self._cache.get(subject_id)

    def key_for_writing(self, subject_id: str) -> bytes:
        """Return the subject's key, creating it on first use; refuse an erased subject."""
        key = self.key_for_reading(subject_id)
        if key is not None:
            return key
        if subject_id in self._erased or (
            subject_id not in self._checked and self.is_erased(subject_id)
        ):
            raise SubjectErasedError(subject_id)
        key = crypto.new_key()
        self._new.append((subject_id, key))
        self._cache[subject_id] = key
        return key

    def save_new_keys(self) -> None:
        """Insert the keys made during this append, in the append's transaction."""
        if self._new:
            _ADD_KEY.run_many(self._connection(), ("subject_id", "key"), self._new)
            self._new = []

    def add_missing(self, keys: Iterable[tuple[str, bytes]]) -> int:
        """Insert the given keys of subjects with no key here, in one statement (an import).

        A subject erased here stays erased: its key is not brought back.
        """
        given = dict(keys)
        self.prefetch(given)
        new = [
            (subject, key)
            for subject, key in given.items()
            if self._cache.get(subject) is None and subject not in self._erased
        ]
        if new:
            _ADD_KEY.run_many(self._connection(), ("subject_id", "key"), new)
            self._cache.update(new)
        return len(new)

    def mark_erased(self, subject_id: str, erased_at: str) -> None:
        """Record that a subject was erased, so no new key is ever made for them."""
        self._cache[subject_id] = None
        if not self.is_erased(subject_id):
            self._connection().execute(
                insert(erased_subjects).values(subject_id=subject_id, erased_at=erased_at)
            )

    def is_erased(self, subject_id: str) -> bool:
        """Say whether a subject was erased here."""
        return bool(_ERASED.rows(self._connection(), s=subject_id))

    def _connection(self) -> Connection:
        if isinstance(self._source, Engine):
            raise TypeError("writing keys needs the append's own transaction")
        return self._source

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        """The caller's transaction (connection), or a short one of its own (engine)."""
        if isinstance(self._source, Connection):
            yield self._source
        else:
            with read_transaction(self._source) as conn:
                yield conn
