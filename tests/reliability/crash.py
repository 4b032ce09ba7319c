"""Kill an operation with SIGKILL at a seeded random moment, from a preloaded fork server."""

from __future__ import annotations

import multiprocessing
import random
import signal
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(["tests.reliability.workers", "crm.cli.main", "crm.bootstrap"])


def processes() -> Any:
    """The multiprocessing context the suite starts its processes from (cheap forks)."""
    return _context


@dataclass
class Trials:
    """Runs one operation to learn how long it takes, then kills it at random moments."""

    seed: int
    killed: int = 0
    finished: int = 0
    durations: list[float] = field(default_factory=list)
    # Every so many kills in a row, one run goes to the end to refresh the duration. An
    # operation that slows as the store grows otherwise keeps a stale estimate, and every kill
    # lands early: seen in CI, where 50 imports were all killed before their commit.
    # None for an operation that never ends by itself.
    refresh_every: int | None = 8
    kills_in_a_row: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def run(
        self,
        target: Callable[..., None],
        *args: Any,
        kill: bool = True,
        once: Callable[[], bool] | None = None,
    ) -> bool:
        """Start `target(*args, ready)`; once it is ready, kill it within its usual time.

        With `once`, kill it instead as soon as `once()` holds (polled), to reach a narrow
        window a random moment rarely hits. After `refresh_every` kills in a row the next run
        without `once` is left to finish, to time it again.
        Returns True when the process died by SIGKILL (False when it finished first).
        """
        ready = _context.Event()
        process = _context.Process(target=target, args=(*args, ready), daemon=True)
        process.start()
        if not ready.wait(60):
            process.kill()
            raise AssertionError(f"{target.__name__} never became ready")
        started = time.perf_counter()
        refresh = self.refresh_every is not None and self.kills_in_a_row >= self.refresh_every
        kill = kill and (once is not None or not refresh)
        if kill and once is not None:
            deadline = started + 120
            while process.is_alive() and not once():
                if time.perf_counter() > deadline:
                    process.kill()
                    raise AssertionError(f"{target.__name__}: what it waited for never happened")
                time.sleep(0.001)
            process.kill()
        elif kill:
            usual = statistics.median(self.durations[-9:]) if self.durations else 0.2
            time.sleep(self.rng.uniform(0, usual * 1.1))
            # Process.kill, not os.kill: the process may end between the two calls (seen
            # once in CI as ProcessLookupError), which multiprocessing's own kill tolerates.
            process.kill()
        process.join(120)
        if process.exitcode == -signal.SIGKILL:
            self.killed += 1
            self.kills_in_a_row += 1
            return True
        self.kills_in_a_row = 0
        assert process.exitcode == 0, f"{target.__name__} failed with exit {process.exitcode}"
        self.finished += 1
        self.durations.append(time.perf_counter() - started)
        return False

    def calibrate(self, target: Callable[..., None], *args: Any) -> None:
        """Run the operation to the end once, to learn its duration."""
        self.run(target, *args, kill=False)
