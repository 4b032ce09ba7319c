"""Process entry points for the concurrency tests (module level, so `spawn` can import them)."""

from __future__ import annotations

import time
from multiprocessing.synchronize import Event as StartSignal

from events.errors import ConcurrencyError
from tests.events.sample import NoteTaken, open_sample_store


def append_notes(url: str, worker: int, count: int, start: StartSignal) -> list[str]:
    """Append `count` single-event transactions to this worker's own stream; list the errors."""
    store = open_sample_store(url)
    errors: list[str] = []
    start.wait()
    for i in range(count):
        try:
            store.append(f"note-w{worker}", [NoteTaken(text=f"{worker}:{i}")], expected_version=i)
        except Exception as error:  # report every failure to the test, whatever its kind
            errors.append(f"{type(error).__name__}: {error}")
    store.engine.dispose()
    return errors


def contend_for_one_stream(url: str, worker: int, count: int, start: StartSignal) -> int:
    """Append to one shared stream with optimistic retries; return how many appends won."""
    store = open_sample_store(url)
    start.wait()
    won = 0
    while won < count:
        version = store.stream_version("note-shared")
        try:
            store.append("note-shared", [NoteTaken(text=f"{worker}")], expected_version=version)
            won += 1
        except ConcurrencyError:
            time.sleep(0.001)
    store.engine.dispose()
    return won
