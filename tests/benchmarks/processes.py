"""Whole `crm` processes for the benchmark: wall time and peak memory, as users see them."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CRM = [sys.executable, "-c", "from crm.cli.main import run; run()"]


def run_crm(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `crm ARGS` as a new process; fail loudly if it fails."""
    result = subprocess.run(
        [*CRM, *args], capture_output=True, text=True, cwd=ROOT, env={**os.environ, **(env or {})}
    )
    if result.returncode != 0:
        raise RuntimeError(f"crm {' '.join(args)} failed: {result.stderr.strip()[-500:]}")
    return result


def median_process_seconds(
    command: list[str], repeats: int, env: dict[str, str] | None = None
) -> float:
    """Median wall time of a whole process."""
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(
            command, capture_output=True, check=True, cwd=ROOT, env={**os.environ, **(env or {})}
        )
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def peak_mb(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(seconds, peak resident MB) of one process, measured by GNU time."""
    start = time.perf_counter()
    result = subprocess.run(
        ["/usr/bin/time", "-f", "PEAK_KB %M", *command],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command[-4:])} failed: {result.stderr.strip()[-500:]}")
    line = [ln for ln in result.stderr.splitlines() if ln.startswith("PEAK_KB")][-1]
    return elapsed, int(line.split()[1]) / 1024
