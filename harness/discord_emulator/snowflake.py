"""Real-looking Discord snowflakes.

discord.py derives ``created_at`` from an id, so ids carry the time they were
made: milliseconds since Discord's epoch (2015-01-01) in the upper bits and a
counter in the lower 22 bits (worker and process bits are left at zero).
"""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime

DISCORD_EPOCH_MS = 1_420_070_400_000
_COUNTER_BITS = 22


class SnowflakeFactory:
    """Hands out increasing snowflakes; ids made in the same millisecond differ by counter."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self._last = 0

    def next(self) -> int:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        candidate = (ms << _COUNTER_BITS) | (next(self._counter) % (1 << _COUNTER_BITS))
        # Never go backwards, even if the wall clock does or the counter wraps.
        self._last = max(candidate, self._last + 1)
        return self._last


def snowflake_time(snowflake: int) -> datetime:
    """The aware UTC time encoded in a snowflake."""
    ms = (snowflake >> _COUNTER_BITS) + DISCORD_EPOCH_MS
    return datetime.fromtimestamp(ms / 1000, UTC)
