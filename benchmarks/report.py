"""The results table: one row per class and rate, its p95 and p99 set against the baseline's."""

from __future__ import annotations

import math
import os
import platform
from dataclasses import dataclass

from benchmarks.load import Sample, percentile


@dataclass(frozen=True)
class Row:
    database: str
    label: str
    rate: float
    sample: Sample
    baseline: Sample

    def cells(self) -> list[str]:
        ms = self.sample.latencies
        base = [percentile(self.baseline.latencies, p) for p in (95, 99)]
        ratios = [_ratio(percentile(ms, p), b) for p, b in zip((95, 99), base, strict=True)]
        return [
            self.database,
            self.label,
            f"{self.rate:g}/s",
            str(self.sample.sent),
            str(self.sample.lost),
            *(_ms(percentile(ms, p)) for p in (50, 95, 99)),
            _ms(max(ms, default=math.nan)),
            *(_ms(b) for b in base),
            *ratios,
        ]


def _ratio(measured: float, baseline: float) -> str:
    if not baseline or math.isnan(baseline) or math.isnan(measured):
        return "-"
    return f"{measured / baseline:.2f}x"


HEADER = [
    "db",
    "class",
    "rate",
    "sent",
    "lost",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "max ms",
    "baseline p95 ms",
    "baseline p99 ms",
    "p95 / baseline",
    "p99 / baseline",
]


def _ms(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds * 1000:.1f}"


def table(rows: list[Row]) -> str:
    """A Markdown table, so a run's output can go into the README as it is."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> str:
    return (
        f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )


@dataclass(frozen=True)
class Figure:
    """One measured figure that is not a latency distribution (a duration, a size, a count),
    set against its baseline."""

    database: str
    label: str
    size: str
    measured: float
    baseline: float | None
    unit: str
    # The goal as text, and whether it was met (None: no verdict).
    goal: str = "-"
    met: bool | None = None

    def cells(self) -> list[str]:
        ratio = (
            self.measured / self.baseline
            if self.baseline and not math.isnan(self.measured)
            else math.nan
        )
        return [
            self.database,
            self.label,
            self.size,
            _value(self.measured, self.unit),
            "-" if self.baseline is None else _value(self.baseline, self.unit),
            "-" if math.isnan(ratio) else f"{ratio:.2f}x",
            self.goal,
            {True: "met", False: "**missed**", None: "-"}[self.met],
        ]


FIGURE_HEADER = ["db", "figure", "size", "measured", "baseline", "ratio", "goal", "verdict"]


def _value(value: float, unit: str) -> str:
    if math.isnan(value):
        return "-"
    if unit in ("ms", "s"):
        return f"{value:.1f} {unit}"
    if unit == "MiB":
        return f"{value:.1f} MiB"
    return f"{value:g}" + (f" {unit}" if unit else "")


def figures_table(figures: list[Figure]) -> str:
    lines = ["| " + " | ".join(FIGURE_HEADER) + " |", "|" + "---|" * len(FIGURE_HEADER)]
    lines += ["| " + " | ".join(figure.cells()) + " |" for figure in figures]
    return "\n".join(lines)
