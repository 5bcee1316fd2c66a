"""What one run measures: which classes, at which rates and sizes."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from benchmarks.flows import CASES_PER_REPORTER, evening_kind

CLASSES = (
    "reads",
    "writes",
    "escalation",
    "guessing",
    "evening",
    "reports",
    "fanout",
    "memory",
    "soak",
)
# The classes measured against the real bot and the baseline on the shared world.
LATENCY_CLASSES = ("reads", "writes", "escalation", "guessing", "evening")


@dataclass(frozen=True)
class Plan:
    classes: frozenset[str]
    rates: tuple[float, ...]
    write_rates: tuple[float, ...]
    escalation_rates: tuple[float, ...]
    evening_rates: tuple[float, ...]
    seconds: float
    escalation_seconds: float
    evening_seconds: float
    max_count: int | None
    # Registered VCPs in the shared world: they log KMTM contacts and answer invitations.
    vcps: int = 200
    fanout_invitees: int = 1000
    report_periods: int = 10
    report_associations: int = 200
    memory_guilds: tuple[int, ...] = (10, 100, 1000)
    # Members per guild (in the smallest guild world) and open forms, for the marginal costs.
    memory_members: tuple[int, ...] = (10, 100, 1000)
    memory_views: tuple[int, ...] = (0, 250, 500, 1000)
    # The soak: the real bot under a steady mix for this long (the baseline only when asked).
    soak_seconds: float = 3600.0
    soak_rate: float = 50.0
    soak_baseline: bool = False
    hash_repetitions: int = 20
    # Wrong /my-case guesses, each from its own account, sent at guess_rate; beside them,
    # acknowledgement presses (unrelated writes) at guess_write_rate for guess_seconds.
    guesses: int = 150
    guess_rate: float = 150.0
    guess_write_rate: float = 20.0
    guess_seconds: float = 8.0
    # --profile: py-spy records each bot during each latency class (benchmarks/profile.py).
    profile_dir: Path | None = None

    def has(self, name: str) -> bool:
        return name in self.classes

    def count(self, rate: float, seconds: float | None = None) -> int:
        count = max(1, round(rate * (self.seconds if seconds is None else seconds)))
        return count if self.max_count is None else min(count, self.max_count)

    def evening_count(self, rate: float) -> int:
        # Not capped by max_count: the mix needs its 50-flow pattern to come round.
        return max(1, round(rate * self.evening_seconds))

    @property
    def acks(self) -> int:
        """Acknowledgement presses in one measured run, warm-up included."""
        total = 0
        if self.has("writes"):
            total += 1 + sum(self.count(rate) for rate in self.write_rates)
        if self.has("guessing"):
            total += self.guess_acks
        return total

    @property
    def guess_acks(self) -> int:
        """Acknowledgements pressed while the guesses are answered."""
        return max(1, round(self.guess_write_rate * self.guess_seconds))

    @property
    def guessers(self) -> int:
        """One account per guess, warm-up included."""
        return 1 + self.guesses if self.has("guessing") else 0

    @property
    def uses_vcps(self) -> bool:
        return self.has("writes") or self.has("evening")

    @property
    def escalations(self) -> int:
        """Escalations in one bot's run, warm-up included; each needs a reporter's turn."""
        total = 0
        if self.has("escalation"):
            total += 1 + sum(
                self.count(rate, self.escalation_seconds) for rate in self.escalation_rates
            )
        if self.has("evening"):
            total += 1 + sum(
                sum(1 for i in range(self.evening_count(r)) if evening_kind(i) == "escalation")
                for r in self.evening_rates
            )
        return total

    @property
    def reporters(self) -> int:
        return math.ceil(self.escalations / CASES_PER_REPORTER)
