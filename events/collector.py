"""Pausing the cyclic garbage collector around bulk work that builds many live objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused(*, keep_survivors: bool = False) -> Iterator[None]:
    """Pause the cyclic garbage collector while a large batch of objects is built.

    Bulk appends and projection rebuilds keep every row alive until they flush and make no
    reference cycles; with the collector running, its repeated passes over that growing set
    cost more than the work itself (measured: a 100,000-event append took a third longer).

    A pause only defers passes over objects still alive when it ends. With `keep_survivors`
    those are frozen (`gc.freeze`): no later pass looks at them again, and they are still
    freed as soon as nothing refers to them. Only for a command that ends soon after, such
    as an import: cycles among frozen objects stay until the process exits.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if keep_survivors:
                gc.freeze()
            gc.enable()
