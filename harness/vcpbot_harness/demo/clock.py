"""The demo's clock: real time, so Discord accepts the events it plans, plus the jumps
the tour makes to show what happens later (a reminder the day before)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class DemoClock:
    """Real time, plus however far the tour has jumped ahead (to show a reminder arrive)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def jump_to(self, moment: datetime) -> None:
        self.offset += max(moment - self(), timedelta(0))
