"""Pausing the cyclic garbage collector around bulk work that builds many live objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a large batch of objects is built.

    Bulk appends and projection rebuilds keep every row alive until they flush and make no
    reference cycles; with the collector running, its repeated passes over that growing set
    cost more than the work itself (measured: a 100,000-event append took a third longer).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
