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

from discord_emulator import Emulator
from discord_emulator.driver import InteractionResult
from discord_emulator.interactions import Interaction

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
        self._pending: dict[int, tuple[Interaction, float, tuple[Sample, ...]]] = {}
        self._drained = asyncio.Event()
        self._drained.set()
        # Flows waiting for a watched interaction's answer (cheaper than the driver's waits,
        # which each wake on every change in the world).
        self._waiters: dict[int, asyncio.Future[None]] = {}
        # Every interaction dispatched, watched or not (forms opened before a measured
        # submit too): what the bot's CPU per interaction is divided by.
        self.dispatched = 0
        world.dispatch = self._on_dispatch  # type: ignore[method-assign]
        world.notify = self._on_notify  # type: ignore[method-assign]

    def close(self) -> None:
        self._world.dispatch = self._dispatch  # type: ignore[method-assign]
        self._world.notify = self._notify  # type: ignore[method-assign]

    def watch(self, interaction: Interaction, *samples: Sample) -> None:
        """Count the interaction as sent in each sample, and its latency once answered."""
        dispatched = self._dispatched.pop(str(interaction.id), interaction.created)
        self._pending[interaction.id] = (interaction, dispatched, samples)
        for sample in samples:
            sample.sent += 1
        self._drained.clear()

    def answered(self, interaction: Interaction) -> asyncio.Future[None]:
        """Done once the watched ``interaction`` is answered, or its answer refused."""
        waiter = asyncio.get_running_loop().create_future()
        if interaction.response is not None or interaction.rejections:
            waiter.set_result(None)
        else:
            self._waiters[interaction.id] = waiter
        return waiter

    async def drained(self, within: float) -> None:
        """Until every watched interaction is answered, or ``within`` seconds; then forget them."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._drained.wait(), within)
        self._pending.clear()
        self._waiters.clear()
        self._drained.set()

    def _on_dispatch(self, event: str, data: dict[str, Any], guild_id: int | None = None) -> None:
        if event == "INTERACTION_CREATE":
            self._dispatched[str(data["id"])] = time.monotonic()
            self.dispatched += 1
        self._dispatch(event, data, guild_id)

    def _on_notify(self) -> None:
        now = time.monotonic()
        answered = [
            key
            for key, (interaction, _, _) in self._pending.items()
            if interaction.response is not None or interaction.rejections
        ]
        for key in answered:
            interaction, dispatched, samples = self._pending.pop(key)
            for sample in samples:
                if interaction.response is not None:
                    sample.latencies.append(now - dispatched)
                else:
                    sample.rejected += 1
            waiter = self._waiters.pop(key, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
        if not self._pending:
            self._drained.set()
        self._notify()


Act = Callable[[int], Awaitable[InteractionResult]]
# One person's steps (a command, then a form...), each watched by the flow itself.
Flow = Callable[[int], Awaitable[None]]


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
    await observer.drained(DRAIN_S)
    return sample


async def open_loop_flows(observer: Observer, flow: Flow, *, rate: float, count: int) -> int:
    """Start ``flow(i)`` ``count`` times at ``rate``/s on a fixed schedule, never awaiting one
    before starting the next; then wait for every flow and answer. Returns the late starts.

    A flow's steps follow each other as a person's do (the form only after it opened);
    each flow watches its own interactions with ``observer.watch``.
    """
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.02
    late = 0
    running: list[asyncio.Task[None]] = []
    for i in range(count):
        delay = start + i / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -1 / rate:
            late += 1
        running.append(asyncio.create_task(flow(i)))
    for outcome in await asyncio.gather(*running, return_exceptions=True):
        if isinstance(outcome, BaseException):
            raise outcome
    await observer.drained(DRAIN_S)
    return late


async def open_loops(observer: Observer, *loops: tuple[Act, float, int]) -> list[Sample]:
    """Several ``open_loop`` schedules at once, each ``(act, rate, count)``; one sample each.

    They share the observer, so they are drained together once all have sent.
    """

    async def schedule(act: Act, rate: float, count: int, sample: Sample) -> None:
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

    samples = [Sample() for _ in loops]
    await asyncio.gather(
        *(
            schedule(act, rate, count, s)
            for (act, rate, count), s in zip(loops, samples, strict=True)
        )
    )
    await observer.drained(DRAIN_S)
    return samples


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]
