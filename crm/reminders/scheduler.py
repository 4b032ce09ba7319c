"""The reminder daemon: APScheduler 3 with one repeating sweep, stopped cleanly by signals.

The job store is in memory on purpose: the database is the only record of what was sent,
and a shared APScheduler job store let two daemons run a one-shot job twice.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from types import FrameType

log = logging.getLogger("crm.reminders")


def run_daemon(sweep: Callable[[], None], interval: float, stop: threading.Event) -> None:
    """Run `sweep` now and every `interval` seconds until `stop` is set (SIGTERM, SIGINT)."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(
        jobstores={"default": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=UTC,
    )

    def guarded() -> None:
        try:
            sweep()
        except Exception:  # a failed sweep is logged; the next one tries again
            log.exception("reminder sweep failed")

    scheduler.add_job(
        guarded, "interval", seconds=interval, id="sweep", next_run_time=datetime.now(UTC)
    )
    previous = _install_stop_handlers(stop)
    scheduler.start()
    log.info("reminder daemon started: sweeping every %s s", interval)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        log.info("stopping: waiting for a sweep in progress to finish")
        scheduler.shutdown(wait=True)
        _restore(previous)
        log.info("reminder daemon stopped")


def _install_stop_handlers(stop: threading.Event) -> dict[int, object]:
    """The handlers only set a flag: shutting the scheduler down inside one can hang."""

    def handler(signum: int, _frame: FrameType | None) -> None:
        log.info("received signal %s", signum)
        stop.set()

    previous: dict[int, object] = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, handler)
    return previous


def _restore(previous: dict[int, object]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)  # type: ignore[arg-type]
