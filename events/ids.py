"""Fresh random ids (UUID version 4), drawn from the OS's randomness a few hundred at a time.

An import of 10,000 contacts needs some 50,000 ids; asking the kernel once per id cost more
than the ids themselves. The pool is emptied in a forked child, so two processes never share
an id drawn before the fork.
"""

from __future__ import annotations

import os
from uuid import UUID, SafeUUID

_POOL_SIZE = 256


class FreshUUID(UUID):
    """A UUID that spells itself out once: a fresh id is written as text five or six times
    (stream name, subject key, read-model rows); redone, that was some 90 ms of a
    10,000-contact import."""

    __slots__ = ("_text",)
    _text: str

    def __str__(self) -> str:
        try:
            return self._text
        except AttributeError:
            text = super().__str__()
            object.__setattr__(self, "_text", text)  # UUID forbids plain assignment
            return text

    def __repr__(self) -> str:
        return f"UUID('{self}')"  # logs and test output read as for any other id


_pool: list[UUID] = []

_VERSION_4_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))
_VERSION_4_SET = (0x8000 << 48) | (4 << 76)
"""The variant and version bits, as `UUID(bytes=..., version=4)` sets them."""


def _fresh(entropy: bytes) -> FreshUUID:
    """`FreshUUID(bytes=entropy, version=4)` without `UUID.__init__`, which weighs every
    way of giving a UUID: under half the time an id (a 10,000-contact import draws 30,000)."""
    fresh = object.__new__(FreshUUID)
    object.__setattr__(fresh, "int", int.from_bytes(entropy) & _VERSION_4_CLEAR | _VERSION_4_SET)
    object.__setattr__(fresh, "is_safe", SafeUUID.unknown)
    return fresh


def new_uuid() -> UUID:
    """A random UUID, as `uuid.uuid4()` gives, from the pool.

    Safe across threads: `pop` is atomic, and two threads refilling at once only add more.
    """
    while True:
        try:
            return _pool.pop()
        except IndexError:
            entropy = os.urandom(16 * _POOL_SIZE)
            _pool.extend(_fresh(entropy[i : i + 16]) for i in range(0, len(entropy), 16))


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_pool.clear)
