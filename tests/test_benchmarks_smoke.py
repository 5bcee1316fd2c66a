"""The benchmark runner keeps working: a smoke-size run of every class completes, reports
each with numbers, and finds every write stored exactly once and every reminder sent once.

No timing is asserted; the figures belong in benchmarks/README.md, not in CI.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# (class, interactions sent) in the latency table, in the order the runner measures them.
# An evening flow stops at a step that goes unanswered, so its counts are not fixed.
LATENCY_ROWS = (
    ("/help", 10),
    ("/rules", 10),
    ("/rules article:1", 10),
    ("/rules search:alcohol", 10),
    ("rules ack (button)", 10),
    ("kmtm log (submit)", 10),
    ("intervisie RSVP (button)", 10),
    ("escalation submit", 3),
    ("escalation submit (to receipt)", 3),
    ("/my-case wrong receipt", 10),
    ("/my-case wrong receipt (to answer)", 10),
    ("rules ack beside the guesses", 10),
    ("evening: reads", None),
    ("evening: kmtm log (form, submit)", None),
    ("evening: escalation (3 steps)", None),
    ("evening: every interaction", None),
)
# One figure at least for each class that is not a latency distribution.
FIGURES = (
    "first KMTM chart in a process (cold: imports matplotlib)",
    "KMTM report by association: service + chart (worst)",
    "/kmtm report by association: until posted (worst)",
    "escalation receipt hash (Argon2id), mean",
    "reminder fan-out: due → last DM (baseline: the limits' minimum)",
    "reminder DMs delivered",
    "duplicate reminder DMs",
    "resident memory after ready (VmRSS)",
    "start-up: spawn → ready",
)
NUMBER = r"\d+(\.\d+)?"
SIGNED = r"-?" + NUMBER
# Memory's marginal costs: slopes against the bare bot's, with the goal and a verdict.
MARGINAL = (
    "marginal memory per guild (least-squares slope)",
    "marginal memory per member (least-squares slope)",
    "marginal memory per open view (/kmtm log form) (least-squares slope)",
)
CONSTANT = "constant memory: intercept at 0 guilds (imports)"
# The soak's figures (the 2-minute version); the bare bot does not soak in the smoke run.
SOAK = (
    "soak: resident memory after warm-up (VmRSS)",
    "soak: resident memory at the end (VmRSS)",
    "soak: RSS growth after warm-up (highest sample)",
    "soak: interactions answered",
    "soak: interactions lost",
)


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


@pytest.fixture(scope="module")
def smoke() -> subprocess.CompletedProcess[str]:
    """One smoke run of every class (the soak alone takes two minutes of it)."""
    return subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def _rows(done: subprocess.CompletedProcess[str]) -> list[list[str]]:
    assert done.returncode == 0, done.stdout + done.stderr
    return [_cells(line) for line in done.stdout.splitlines() if line.startswith("| sqlite |")]


def test_a_smoke_run_measures_every_class_against_its_baseline(
    smoke: subprocess.CompletedProcess[str],
) -> None:
    rows = _rows(smoke)
    latency = [cells for cells in rows if len(cells) == 13]
    assert [cells[1] for cells in latency] == [label for label, _ in LATENCY_ROWS]
    for cells, (_, sent) in zip(latency, LATENCY_ROWS, strict=True):
        assert int(cells[3]) == sent if sent is not None else int(cells[3]) > 0, cells
        lost, *latencies, ratio95, ratio99 = cells[4:]
        assert lost.isdigit(), cells
        assert all(re.fullmatch(NUMBER, value) for value in latencies), cells
        assert re.fullmatch(NUMBER + "x", ratio95), cells
        assert re.fullmatch(NUMBER + "x", ratio99), cells

    figures = {cells[1]: cells for cells in rows if len(cells) == 8}
    assert set(FIGURES) <= set(figures), sorted(figures)
    for label in FIGURES:
        measured = figures[label][3]
        assert re.fullmatch(NUMBER + r"( \w+)?", measured), figures[label]
    assert figures["duplicate reminder DMs"][3] == "0"
    assert figures["reminder DMs delivered"][3] == figures["reminder DMs delivered"][4] == "10"


# The national-scale world's table (benchmarks.national): every column a number, or a
# pair of numbers, in the one row of the smoke size.
NATIONAL_COLUMNS = 16
NATIONAL_FIGURES = (
    "start-up: spawn → all 4 ready",
    "resident memory, largest process",
    "reminder fan-out, beyond the limits' minimum",
    "KMTM report by association: service + chart",
    "/kmtm report by association: until posted",
    "leader hand-over under /help load",
    "the new leader's rebuild of its timed work",
)


@pytest.mark.postgres
@pytest.mark.skipif(
    not os.environ.get("VCPBOT_TEST_DATABASE_URL"),
    reason="4 processes share PostgreSQL: VCPBOT_TEST_DATABASE_URL is not set",
)
def test_a_smoke_run_of_the_national_world_measures_every_figure() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.national", "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    rows = [_cells(line) for line in done.stdout.splitlines() if line.startswith("| 0.005 |")]
    assert len(rows) == 1, done.stdout
    (row,) = rows
    assert len(row) == NATIONAL_COLUMNS, row
    servers, members, vcps, start, rss, fan, minimum, ratio, delivered, duplicates = row[1:11]
    report, bot_report, hand_over, rebuild, during = row[11:]
    assert (servers, members, vcps) == ("10", "1000", "25"), row
    for value in (start, minimum, bot_report, hand_over, rebuild):
        assert re.fullmatch(NUMBER, value), row
    assert re.fullmatch(NUMBER + r"( \(late\))?", fan), row
    assert all(re.fullmatch(r"\d+", mib) for mib in rss.split(", ")) and rss.count(",") == 3, row
    assert re.fullmatch(NUMBER + r" \+ " + NUMBER, report), row
    # Fewer reminders than the global limit allows at once: the minimum is 0, so no ratio.
    assert ratio == "-" or re.fullmatch(NUMBER + "x", ratio), row
    assert delivered == "25/25" and duplicates == "0", row
    answered = re.fullmatch(r"(\d+) \(" + NUMBER + r"/s\) / \d+", during)
    assert answered and int(answered.group(1)) > 0, row
    # One size: each figure says there is no line to draw, rather than inventing one.
    for label in NATIONAL_FIGURES:
        assert f"{label}: no line (measured at 1 size(s): 0.005)" in done.stdout


def test_memory_states_its_constant_and_marginal_costs_against_the_bare_bots(
    smoke: subprocess.CompletedProcess[str],
) -> None:
    figures = {cells[1]: cells for cells in _rows(smoke) if len(cells) == 8}
    assert set(MARGINAL) | {CONSTANT} <= set(figures), sorted(figures)
    for label in MARGINAL:
        measured, bare, ratio, goal, verdict = figures[label][3:]
        assert re.fullmatch(SIGNED + " KiB", measured), figures[label]
        assert re.fullmatch(SIGNED + " KiB", bare), figures[label]
        assert re.fullmatch(SIGNED + "x|-", ratio), figures[label]
        assert goal == "≤ 1.2x", figures[label]
        assert verdict in ("met", "**missed**"), figures[label]
    measured, bare = figures[CONSTANT][3:5]
    assert re.fullmatch(SIGNED + " MiB", measured), figures[CONSTANT]
    assert re.fullmatch(SIGNED + " MiB", bare), figures[CONSTANT]


def test_the_two_minute_soak_reports_memory_growth_and_what_was_answered(
    smoke: subprocess.CompletedProcess[str],
) -> None:
    figures = {cells[1]: cells for cells in _rows(smoke) if len(cells) == 8}
    assert set(SOAK) <= set(figures), sorted(figures)
    assert all(figures[label][2] == "50/s for 120 s" for label in SOAK), figures
    for label in SOAK[:2]:
        assert re.fullmatch(NUMBER + " MiB", figures[label][3]), figures[label]
    growth = figures["soak: RSS growth after warm-up (highest sample)"]
    assert re.fullmatch(SIGNED + " %", growth[3]), growth
    assert growth[6] == "≤ 5%" and growth[7] in ("met", "**missed**"), growth
    answered = figures["soak: interactions answered"][3]
    lost = figures["soak: interactions lost"][3]
    # 50/s for 120 s: about 6,000 interactions, each answered or lost.
    assert answered.isdigit() and lost.isdigit(), (answered, lost)
    assert int(answered) + int(lost) >= 5000, (answered, lost)
