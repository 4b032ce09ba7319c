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

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def run(self, target: Callable[..., None], *args: Any, kill: bool = True) -> bool:
        """Start `target(*args, ready)`; once it is ready, kill it within its usual time.

        Returns True when the process died by SIGKILL (False when it finished first).
        """
        ready = _context.Event()
        process = _context.Process(target=target, args=(*args, ready), daemon=True)
        process.start()
        if not ready.wait(60):
            process.kill()
            raise AssertionError(f"{target.__name__} never became ready")
        started = time.perf_counter()
        if kill:
            usual = statistics.median(self.durations[-9:]) if self.durations else 0.2
            time.sleep(self.rng.uniform(0, usual * 1.1))
            # Process.kill, not os.kill: the process may end between the two calls (seen
            # once in CI as ProcessLookupError), which multiprocessing's own kill tolerates.
            process.kill()
        process.join(120)
        if process.exitcode == -signal.SIGKILL:
            self.killed += 1
            return True
        assert process.exitcode == 0, f"{target.__name__} failed with exit {process.exitcode}"
        self.finished += 1
        self.durations.append(time.perf_counter() - started)
        return False

    def calibrate(self, target: Callable[..., None], *args: Any) -> None:
        """Run the operation to the end once, to learn its duration."""
        self.run(target, *args, kill=False)
