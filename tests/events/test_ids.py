"""Fresh ids from the pool: random version-4 UUIDs, never shared with a forked child."""

from __future__ import annotations

import os

from events.ids import new_uuid


def test_ids_are_version_4_and_distinct_across_pool_refills() -> None:
    ids = [new_uuid() for _ in range(2_000)]
    assert len(set(ids)) == len(ids)
    assert {u.version for u in ids} == {4}
    assert {u.variant for u in ids} == {"specified in RFC 4122"}


def test_a_forked_child_draws_ids_the_parent_does_not() -> None:
    new_uuid()  # the pool now holds ids drawn before the fork
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.close(read_end)
        os.write(write_end, new_uuid().bytes)
        os._exit(0)
    os.close(write_end)
    from_child = os.read(read_end, 16)
    os.waitpid(child, 0)
    os.close(read_end)
    assert len(from_child) == 16
    assert from_child != new_uuid().bytes
