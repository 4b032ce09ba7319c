"""Timing and reporting for the benchmark: medians of repeated runs, ratios, one JSON line."""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


def median_seconds(
    run: Callable[[], Any], repeats: int, setup: Callable[[], Any] | None = None
) -> float:
    """Median wall time of `run` over `repeats` runs, each after its own untimed `setup`."""
    samples = []
    for _ in range(repeats):
        if setup is not None:
            setup()
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


@dataclass
class Report:
    """Figures gathered in one run, printed as a table and a final JSON line."""

    rows: list[tuple[str, str, str, str]] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    def add(self, key: str, label: str, value: float, unit: str, target: str = "") -> None:
        """Record one figure."""
        self.figures[key] = round(value, 4)
        self.rows.append((label, f"{value:,.3f}" if value < 100 else f"{value:,.0f}", unit, target))
        sys.stderr.write(f"  {label}: {self.rows[-1][1]} {unit} {target}\n")

    def ratio(self, key: str, label: str, ours: float, raw: float, minimum: float | None) -> None:
        """Record ours/raw as a ratio, with the target it must reach."""
        value = ours / raw if raw else 0.0
        verdict = ""
        if minimum is not None:
            verdict = f">= {minimum:.2f} {'ok' if value >= minimum else 'MISSED'}"
        self.add(key, label, value, "x raw", verdict)

    def limit(self, key: str, label: str, value: float, unit: str, maximum: float) -> None:
        """Record a figure with an upper bound."""
        verdict = f"<= {maximum:g} {'ok' if value <= maximum else 'MISSED'}"
        self.add(key, label, value, unit, verdict)

    def floor(self, key: str, label: str, value: float, unit: str, minimum: float) -> None:
        """Record a figure with a lower bound."""
        verdict = f">= {minimum:g} {'ok' if value >= minimum else 'MISSED'}"
        self.add(key, label, value, unit, verdict)

    def print(self) -> None:
        """Print the table, then the JSON line (always last)."""
        width = max(len(r[0]) for r in self.rows) if self.rows else 10
        out = sys.stdout
        out.write(f"{'figure':<{width}}  {'value':>14}  {'unit':<10}  target\n")
        for label, value, unit, target in self.rows:
            out.write(f"{label:<{width}}  {value:>14}  {unit:<10}  {target}\n")
        out.write(json.dumps(self.figures, sort_keys=True) + "\n")
