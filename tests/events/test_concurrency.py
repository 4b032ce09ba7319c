"""Concurrent writers in separate processes: no lost event, no hole, no skip for a tail reader."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor

from tests.events.sample import open_sample_store
from tests.events.workers import append_notes, contend_for_one_stream

WRITERS = 8
PER_WRITER = 40


def _tail_while_running(url: str, futures: list[Future[list[str]]]) -> list[int]:
    """Follow the log by position, as a projection does, until every writer is done."""
    reader = open_sample_store(url)
    seen: list[int] = []
    last = 0
    while True:
        finished = all(f.done() for f in futures)
        for record in reader.read_all(after_position=last):
            seen.append(record.position)
            last = record.position
        if finished:
            break
    reader.engine.dispose()
    return seen


def test_concurrent_writers_lose_nothing_and_a_tailing_reader_skips_nothing(
    store_url: str,
) -> None:
    open_sample_store(store_url).engine.dispose()
    context = multiprocessing.get_context("spawn")
    start = context.Manager().Event()
    with ProcessPoolExecutor(WRITERS, mp_context=context) as pool:
        futures = [
            pool.submit(append_notes, store_url, worker, PER_WRITER, start)
            for worker in range(WRITERS)
        ]
        start.set()
        seen = _tail_while_running(store_url, futures)
        errors = [error for f in futures for error in f.result()]

    assert errors == []
    assert seen == list(range(1, WRITERS * PER_WRITER + 1))
    store = open_sample_store(store_url)
    assert store.verify().is_intact
    for worker in range(WRITERS):
        assert [r.stream_version for r in store.read_stream(f"note-w{worker}")] == list(
            range(1, PER_WRITER + 1)
        )
    store.engine.dispose()


def test_writers_racing_for_one_stream_keep_its_versions_unique(store_url: str) -> None:
    open_sample_store(store_url).engine.dispose()
    context = multiprocessing.get_context("spawn")
    start = context.Manager().Event()
    with ProcessPoolExecutor(4, mp_context=context) as pool:
        futures = [pool.submit(contend_for_one_stream, store_url, w, 15, start) for w in range(4)]
        start.set()
        won = sum(f.result() for f in futures)

    store = open_sample_store(store_url)
    versions = [r.stream_version for r in store.read_stream("note-shared")]
    assert won == 60
    assert versions == list(range(1, 61))
    store.engine.dispose()
