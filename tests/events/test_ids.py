"""Fresh ids from the pool: random version-4 UUIDs, never shared with a forked child."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from uuid import UUID

from events import ids
from events.ids import new_uuid


def test_ids_are_version_4_and_distinct_across_pool_refills() -> None:
    drawn = [new_uuid() for _ in range(2_000)]
    assert len(set(drawn)) == len(drawn)
    assert {u.version for u in drawn} == {4}
    assert {u.variant for u in drawn} == {"specified in RFC 4122"}


def test_threads_drawing_at_once_each_get_ids_of_their_own() -> None:
    ids._pool.clear()  # every thread starts on an empty pool: all of them refill

    def draw(_: int) -> list[UUID]:
        return [new_uuid() for _ in range(1_000)]

    with ThreadPoolExecutor(8) as pool:
        drawn = [u for batch in pool.map(draw, range(8)) for u in batch]

    assert len(set(drawn)) == 8_000


def test_a_forked_child_draws_ids_the_parent_does_not() -> None:
    ids._pool.clear()
    new_uuid()  # the pool now holds 255 ids drawn before the fork
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            os.close(read_end)
            os.write(write_end, new_uuid().bytes)
        finally:
            os._exit(0)
    os.close(write_end)
    from_child = os.read(read_end, 16)
    os.waitpid(child, 0)
    os.close(read_end)
    assert len(from_child) == 16
    assert from_child != new_uuid().bytes


def test_a_fresh_id_reads_and_compares_as_a_plain_uuid() -> None:
    fresh = new_uuid()
    plain = UUID(bytes=fresh.bytes)

    assert str(fresh) == str(plain) == str(fresh)  # the second reading is the remembered one
    assert fresh == plain
    assert hash(fresh) == hash(plain)
    assert repr(fresh) == repr(plain)
    assert f"contact-{fresh}" == f"contact-{plain}"
