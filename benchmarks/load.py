"""Open-loop load through the emulator, and the latency each interaction saw.

Latency runs from the moment the emulator dispatches INTERACTION_CREATE to the
moment it accepts the bot's first callback. Both are observed in this process
by wrapping the emulator world's ``dispatch`` and ``notify`` (the interaction
callback route calls ``notify`` right after recording the response); no emulator
file is changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from vcpbot.emulator import Emulator
from vcpbot.emulator.driver import InteractionResult
from vcpbot.emulator.interactions import Interaction

# After the last send, how long answers may still arrive (Discord's deadline is 3 s).
DRAIN_S = 4.0


@dataclass
class Sample:
    """What one cell (one class at one rate against one bot) measured."""

    sent: int = 0
    latencies: list[float] = field(default_factory=list)
    rejected: int = 0
    late_sends: int = 0

    @property
    def lost(self) -> int:
        return self.sent - len(self.latencies)


class Observer:
    """Records dispatch and first-response times for the interactions it is told to watch."""

    def __init__(self, emulator: Emulator) -> None:
        world = emulator.world
        self._world = world
        self._dispatch = world.dispatch
        self._notify = world.notify
        self._dispatched: dict[str, float] = {}
        self._pending: dict[int, tuple[Interaction, float, Sample]] = {}
        self._drained = asyncio.Event()
        self._drained.set()
        world.dispatch = self._on_dispatch  # type: ignore[method-assign]
        world.notify = self._on_notify  # type: ignore[method-assign]

    def close(self) -> None:
        self._world.dispatch = self._dispatch  # type: ignore[method-assign]
        self._world.notify = self._notify  # type: ignore[method-assign]

    def watch(self, interaction: Interaction, sample: Sample) -> None:
        dispatched = self._dispatched.pop(str(interaction.id), interaction.created)
        self._pending[interaction.id] = (interaction, dispatched, sample)
        self._drained.clear()

    async def drained(self, within: float) -> None:
        """Until every watched interaction is answered, or ``within`` seconds; then forget them."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._drained.wait(), within)
        self._pending.clear()
        self._drained.set()

    def _on_dispatch(self, event: str, data: dict[str, Any], guild_id: int | None = None) -> None:
        if event == "INTERACTION_CREATE":
            self._dispatched[str(data["id"])] = time.monotonic()
        self._dispatch(event, data, guild_id)

    def _on_notify(self) -> None:
        now = time.monotonic()
        answered = [
            key
            for key, (interaction, _, _) in self._pending.items()
            if interaction.response is not None or interaction.rejections
        ]
        for key in answered:
            interaction, dispatched, sample = self._pending.pop(key)
            if interaction.response is not None:
                sample.latencies.append(now - dispatched)
            else:
                sample.rejected += 1
        if not self._pending:
            self._drained.set()
        self._notify()


Act = Callable[[int], Awaitable[InteractionResult]]


async def open_loop(
    observer: Observer,
    act: Act,
    *,
    rate: float,
    count: int,
) -> Sample:
    """Call ``act(i)`` ``count`` times at ``rate``/s on a fixed schedule, never awaiting answers.

    ``act`` must start the interaction without waiting for the bot (``wait=False``).
    """
    sample = Sample()
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.02
    for i in range(count):
        delay = start + i / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -1 / rate:
            sample.late_sends += 1
        result = await act(i)
        observer.watch(result.interaction, sample)
        sample.sent += 1
    await observer.drained(DRAIN_S)
    return sample


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]
