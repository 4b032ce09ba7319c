"""The collector pause: it always gives the collector back, and freezes survivors on request."""

from __future__ import annotations

import gc

import pytest

from events.collector import collector_paused, collector_running


def _fail_while_paused() -> None:
    with collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("the work failed")


def test_a_pause_gives_the_collector_back_even_when_the_work_fails() -> None:
    gc.enable()
    with pytest.raises(RuntimeError, match="the work failed"):
        _fail_while_paused()
    assert gc.isenabled()


def test_a_nested_pause_leaves_the_outer_one_in_charge() -> None:
    gc.enable()
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled(), "the inner pause switched the collector back on"
    assert gc.isenabled()


def _tracked(objects: list[list[int]]) -> int:
    """How many of these objects a collection of some generation would look at."""
    ids = {id(o) for o in objects}
    return sum(id(o) in ids for generation in range(3) for o in gc.get_objects(generation))


def test_survivors_are_frozen_only_when_asked() -> None:
    gc.enable()
    gc.unfreeze()
    with collector_paused():
        plain = [[i] for i in range(1000)]
    assert _tracked(plain) == len(plain), "a plain pause froze what it left alive"
    with collector_paused(keep_survivors=True):
        kept = [[i] for i in range(1000)]
    assert _tracked(kept) == 0, "survivors of the pause are still scanned"
    assert gc.isenabled()


def test_a_long_job_runs_the_collector_even_where_it_was_off() -> None:
    gc.disable()
    with collector_running():
        assert gc.isenabled()
    assert not gc.isenabled()
    gc.enable()
    with collector_running():
        pass
    assert gc.isenabled()
