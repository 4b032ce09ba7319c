"""Resolve what a user typed (an id, an id prefix, a name, alias or native name) to one entry."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Generic, TypeVar

from crm.errors import BadInputError, UnknownReferenceError
from projections.directory import (
    DirectoryEntry,
    entries_with_id_prefix,
    get_entry,
    ids_named,
    name_keys,
)
from projections.names import name_key

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from events.reader import Reader

_ID_PREFIX = re.compile(r"[0-9a-f]{4,8}(?:-[0-9a-f-]{0,28})?")
_KIND_PREFIX = re.compile(
    r"(organisation|contact|partnership|mission|interaction|agreement|followup)-(.+)"
)


def described(entries: Sequence[DirectoryEntry]) -> tuple[str, ...]:
    return tuple(f"{e.label} ({e.entry_id[:8]})" for e in entries)


def _interactions(
    conn: Reader | Connection, *, prefix: str | None = None, key: str | None = None
) -> list[DirectoryEntry]:
    """Interactions live in the timeline, not the directory: found there by id or subject."""
    import json

    from projections.timeline import interactions_matching

    return [
        DirectoryEntry(
            row["row_id"],
            "interaction",
            row["title"],
            json.loads(row["data"]),
            row["position"],
            bool(row["is_retracted"]),
        )
        for row in interactions_matching(conn, prefix, key)
    ]


def _preferred_kind(entries: list[DirectoryEntry], kinds: Sequence[str]) -> list[DirectoryEntry]:
    """Among matches of several kinds, the ones of the kind asked for first."""
    for kind in kinds:
        of_kind = [e for e in entries if e.kind == kind]
        if of_kind:
            return of_kind
    return entries


Conn = TypeVar("Conn", bound="Reader | Connection")


class Lookup(Generic[Conn]):
    """Find entries by reference inside one read transaction (a SQLAlchemy one, for commands
    that go on to query in it, or a plain reader's)."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    def resolve(
        self, kinds: Sequence[str], text: str, *, what: str | None = None
    ) -> DirectoryEntry:
        """Return the one current entry `text` names, or fail listing candidates."""
        what = what or " or ".join(kinds)
        typed = text.strip()
        if not typed:
            raise BadInputError(f"an empty reference cannot name a {what}")
        raw = typed.lower()
        prefixed = _KIND_PREFIX.fullmatch(raw)
        if prefixed and prefixed.group(1) in kinds:
            raw = prefixed.group(2)
        if _ID_PREFIX.fullmatch(raw):
            found = entries_with_id_prefix(self.conn, kinds, raw)
            if "interaction" in kinds:
                found += _interactions(self.conn, prefix=raw)
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise UnknownReferenceError(
                    f"{typed!r} is the start of several ids", described(found)
                )
        return self._by_name(kinds, typed, what)

    def _by_name(self, kinds: Sequence[str], typed: str, what: str) -> DirectoryEntry:
        key = name_key(typed)
        exact = ids_named(self.conn, kinds, key)
        pairs: list[tuple[str, str]] = []
        if not exact:
            pairs = name_keys(self.conn, kinds)
            words = set(key.split())
            exact = sorted({entry for k, entry in pairs if words and words <= set(k.split())})
        entries = [e for e in (get_entry(self.conn, i) for i in exact) if e is not None]
        if "interaction" in kinds:
            entries += _interactions(self.conn, key=key)
        entries = _preferred_kind(entries, kinds)
        if len(entries) == 1:
            return entries[0]
        if len(entries) > 1:
            raise UnknownReferenceError(f"{typed!r} matches several of {what}", described(entries))
        pairs = pairs or name_keys(self.conn, kinds)
        close = difflib.get_close_matches(key, [k for k, _ in pairs], n=3, cutoff=0.6)
        rank = {k: place for place, k in enumerate(close)}  # the closest name first
        ranked = sorted((rank[k], entry) for k, entry in pairs if k in rank)
        ids = dict.fromkeys(entry for _, entry in ranked)
        suggestions = [e for e in (get_entry(self.conn, i) for i in ids) if e is not None]
        raise UnknownReferenceError(f"no {what} called {typed!r}", described(suggestions))

    def find_name(self, kinds: Sequence[str], text: str) -> list[str]:
        """Ids of current entries with exactly this name (for duplicate checks)."""
        return ids_named(self.conn, kinds, name_key(text))
