"""The benchmark runner keeps working: a smoke-size run completes, reports every class,
and finds every acknowledgement press stored exactly once.

No timing is asserted; the figures belong in benchmarks/README.md, not in CI.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLASSES = (
    "/help",
    "/rules",
    "/rules article:1",
    "/rules search:alcohol",
    "rules ack (button)",
)
NUMBER = r"\d+(\.\d+)?"


def test_a_smoke_run_measures_every_read_path_against_the_baseline() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| sqlite |")]
    assert [row.split(" | ")[1] for row in rows] == list(CLASSES)
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        sent, lost, *latencies, ratio = cells[3:]
        assert sent == "10", row
        assert lost.isdigit(), row
        assert all(re.fullmatch(NUMBER, value) for value in latencies), row
        assert re.fullmatch(NUMBER + "x", ratio), row
