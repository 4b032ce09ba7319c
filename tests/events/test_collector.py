"""The collector pause: it always gives the collector back, and freezes survivors on request."""

from __future__ import annotations

import gc

import pytest

from events.collector import collector_paused


@pytest.fixture(autouse=True)
def _collector_restored() -> object:
    was_enabled = gc.isenabled()
    yield None
    gc.unfreeze()
    if was_enabled:
        gc.enable()


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


def test_survivors_are_frozen_only_when_asked() -> None:
    gc.enable()
    gc.unfreeze()
    with collector_paused():
        kept = [[i] for i in range(1000)]
    assert gc.get_freeze_count() == 0
    with collector_paused(keep_survivors=True):
        kept += [[i] for i in range(1000)]
    assert gc.get_freeze_count() >= len(kept)
    assert gc.isenabled()
