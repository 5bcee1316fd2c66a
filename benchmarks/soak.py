"""The soak: does the real bot's memory stay flat under a steady load for an hour?

In a world of its own (the shared world's set-up: the hub, one association with
published house rules, registered VCPs, an open KMTM period and an intervisie
session they are invited to), flows start open-loop at a fixed rate for
``soak_seconds``: of every ten, seven reads (``/help``, ``/rules``, ``/rules
article:1``, ``/rules search:alcohol`` in turn, by 20 students), two KMTM logs
(``/kmtm log``, the form, submit: two interactions, by the VCPs in turn) and one
answer to the invitation (a different answer from the same person's previous one),
so twelve interactions per ten flows; ``soak_rate`` counts interactions. The
acknowledgement button is left out: every press must come from a member who has
not pressed yet, and an hour of them would need tens of thousands of members in
the world, which the bot would hold from the start.

The bot's ``VmRSS`` is read from ``/proc`` every ``SAMPLE_S``. The warm-up is the
first 10% of the run, at least 30 s (half the run when it is shorter than a
minute). Growth is the highest sample after the warm-up against the sample at its
end, so a peak that falls back again still counts. Writes are counted in the
database afterwards, as in the shared world. The bare bot soaks the same way
afterwards only when asked (``--soak-baseline``): it doubles the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from dataclasses import dataclass

from benchmarks.checks import check_writes
from benchmarks.flows import READ_CLASSES, Evening, People, Tally, rsvp_presser
from benchmarks.load import Observer, Sample, percentile
from benchmarks.plan import Plan
from benchmarks.processes import BotProcess, running, vcpbot_args
from benchmarks.report import Figure
from benchmarks.world import seed, set_up
from discord_emulator import Emulator

SAMPLE_S = 5.0
WARM_UP_SHARE = 0.1
WARM_UP_MIN_S = 30.0
GROWTH_GOAL_PCT = 5.0
# Registered VCPs: they log contacts and answer their invitation, each in turn.
SOAK_VCPS = 50
FLOWS_PER_CYCLE = 10
INTERACTIONS_PER_CYCLE = 12
LABELS = {
    "read": "reads",
    "write": "kmtm log (form, submit)",
    "rsvp": "intervisie RSVP (button)",
    "all": "every interaction",
}
# The answers still arriving after the last flow started (Discord's deadline is 3 s).
DRAIN_S = 4.0


def soak_kind(i: int) -> str:
    """Of every ten flows: seven reads, two KMTM logs and one RSVP press, spread out."""
    slot = i % FLOWS_PER_CYCLE
    if slot in (2, 7):
        return "write"
    if slot == 5:
        return "rsvp"
    return "read"


class SoakMix(Evening):
    """The evening's flows (reads, KMTM logs) and invitation answers; every step measured."""

    def __init__(
        self, observer: Observer, people: People, tally: Tally, samples: dict[str, Sample]
    ) -> None:
        super().__init__(observer, people, tally, samples)
        self._rsvp = rsvp_presser(people, tally, offset=0)
        self._presses = 0

    async def flow(self, i: int) -> None:
        kind = soak_kind(i)
        if kind == "read":
            _, command, options = READ_CLASSES[i % len(READ_CLASSES)]
            person = self.people.reader()
            self._watch(kind, await person.slash(self.guild, command, dict(options), wait=False))
        elif kind == "write":
            await self._log_contact(i)
        else:
            press, self._presses = self._presses, self._presses + 1
            self._watch(kind, await self._rsvp(press))


@dataclass(frozen=True)
class Soaked:
    """One bot's soak: what was sent and answered, and its resident memory over time."""

    samples: dict[str, Sample]
    # (seconds since the first flow, resident KiB)
    rss: list[tuple[float, int]]
    warm_up_s: float
    late: int
    cpu_s: float | None

    @property
    def after_warm_up(self) -> list[tuple[float, int]]:
        return [(t, kib) for t, kib in self.rss if t >= self.warm_up_s] or self.rss[-1:]

    @property
    def at_warm_up_kib(self) -> int:
        return self.after_warm_up[0][1]

    @property
    def end_kib(self) -> int:
        return self.rss[-1][1]

    @property
    def growth_pct(self) -> float:
        highest = max(kib for _, kib in self.after_warm_up)
        return (highest - self.at_warm_up_kib) / self.at_warm_up_kib * 100

    def by_tenth(self) -> list[int]:
        """The sample nearest each tenth of the run (the first and the last included)."""
        end = self.rss[-1][0]
        return [
            min(self.rss, key=lambda point: abs(point[0] - end * tenth / 10))[1]
            for tenth in range(11)
        ]

    @property
    def trend_kib_per_min(self) -> float:
        """The least-squares slope of resident memory after the warm-up."""
        points = self.after_warm_up
        if len(points) < 2:
            return 0.0
        slope, _ = statistics.linear_regression([t for t, _ in points], [k for _, k in points])
        return slope * 60


def warm_up_seconds(seconds: float) -> float:
    return min(max(WARM_UP_MIN_S, WARM_UP_SHARE * seconds), seconds / 2)


async def soak(
    observer: Observer, people: People, tally: Tally, bot: BotProcess, plan: Plan
) -> Soaked:
    samples = {kind: Sample() for kind in LABELS}
    mix = SoakMix(observer, people, tally, samples)
    flow_rate = plan.soak_rate * FLOWS_PER_CYCLE / INTERACTIONS_PER_CYCLE
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.02
    rss: list[tuple[float, int]] = []
    sampler = asyncio.create_task(_sample_rss(bot, start, rss))
    cpu_before = bot.cpu_seconds()
    late = 0
    # Finished flows are forgotten at once: an hour of them would fill the runner.
    flows: set[asyncio.Task[None]] = set()
    failed: list[BaseException] = []

    def done(task: asyncio.Task[None]) -> None:
        flows.discard(task)
        if not task.cancelled() and task.exception() is not None:
            failed.append(task.exception())  # type: ignore[arg-type]

    for i in range(max(1, round(flow_rate * plan.soak_seconds))):
        delay = start + i / flow_rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -1 / flow_rate:
            late += 1
        if failed:
            break
        task = asyncio.create_task(mix.flow(i))
        flows.add(task)
        task.add_done_callback(done)
    await asyncio.gather(*flows, return_exceptions=True)
    await observer.drained(DRAIN_S)
    sampler.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await sampler
    rss.append((loop.time() - start, _rss(bot)))
    cpu_after = bot.cpu_seconds()
    if failed:
        raise failed[0]
    cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    return Soaked(samples, rss, warm_up_seconds(plan.soak_seconds), late, cpu)


async def _sample_rss(bot: BotProcess, start: float, into: list[tuple[float, int]]) -> None:
    loop = asyncio.get_running_loop()
    await asyncio.sleep(max(0.0, start - loop.time()))
    while True:
        into.append((loop.time() - start, _rss(bot)))
        await asyncio.sleep(SAMPLE_S)


def _rss(bot: BotProcess) -> int:
    rss = bot.memory_kib("VmRSS")
    if rss is None:
        raise RuntimeError("no /proc/<pid>/status to read memory from (Linux only)")
    return rss


async def run_soak(name: str, url: str, plan: Plan) -> tuple[list[Figure], list[str]]:
    """The real bot soaks (its writes counted afterwards), then the bare bot if asked."""
    async with Emulator() as em:
        bench = seed(em, writers=0, vcps=SOAK_VCPS)
        observer = Observer(em)
        try:
            async with running(em, "vcpbot", *vcpbot_args(url, bench.network.hub.id)) as bot:
                await set_up(em, bench)
                print(f"{name}: soak, vcpbot: {describe_plan(plan)}")
                tally = Tally()
                started = time.monotonic()
                ours = await soak(observer, People(em, bench), tally, bot, plan)
                print(describe(name, "vcpbot", ours, time.monotonic() - started))
                failures = await check_writes(name, url, tally)
            bare = None
            if plan.soak_baseline:
                async with running(em, "baseline") as bot:
                    print(f"{name}: soak, baseline")
                    started = time.monotonic()
                    bare = await soak(observer, People(em, bench), Tally(), bot, plan)
                    print(describe(name, "baseline", bare, time.monotonic() - started))
        finally:
            observer.close()
        failures += list(em.failures)
    return figures(name, plan, ours, bare), failures


def describe_plan(plan: Plan) -> str:
    return (
        f"{plan.soak_rate:g} interactions/s for {plan.soak_seconds:g} s, warm-up "
        f"{warm_up_seconds(plan.soak_seconds):g} s, memory read every {SAMPLE_S:g} s"
    )


def describe(name: str, bot: str, soaked: Soaked, wall_s: float) -> str:
    parts = []
    for kind, label in LABELS.items():
        s = soaked.samples[kind]
        parts.append(
            f"{label}: {s.sent} sent, {s.lost} lost, p50 {percentile(s.latencies, 50) * 1000:.1f}"
            f" ms, p99 {percentile(s.latencies, 99) * 1000:.1f} ms"
        )
    cpu = "?" if soaked.cpu_s is None else f"{soaked.cpu_s:.1f} s"
    tenths = ", ".join(f"{kib / 1024:.0f}" for kib in soaked.by_tenth())
    return (
        f"  {name}: {bot}: {'; '.join(parts)}\n"
        f"  {name}: {bot}: {len(soaked.rss)} memory samples in {wall_s:.0f} s; resident "
        f"{soaked.at_warm_up_kib / 1024:.1f} MiB after warm-up, {soaked.end_kib / 1024:.1f} MiB "
        f"at the end, growth {soaked.growth_pct:+.1f}% (highest sample), trend "
        f"{soaked.trend_kib_per_min:+.1f} KiB/min; {soaked.late} flows started late; "
        f"bot CPU {cpu}\n"
        f"  {name}: {bot}: resident MiB at each tenth of the run: {tenths}"
    )


def figures(name: str, plan: Plan, ours: Soaked, bare: Soaked | None) -> list[Figure]:
    size = f"{plan.soak_rate:g}/s for {plan.soak_seconds:g} s"
    every, bare_every = ours.samples["all"], bare.samples["all"] if bare else None
    return [
        Figure(
            name,
            "soak: resident memory after warm-up (VmRSS)",
            size,
            ours.at_warm_up_kib / 1024,
            bare.at_warm_up_kib / 1024 if bare else None,
            "MiB",
        ),
        Figure(
            name,
            "soak: resident memory at the end (VmRSS)",
            size,
            ours.end_kib / 1024,
            bare.end_kib / 1024 if bare else None,
            "MiB",
        ),
        Figure(
            name,
            "soak: RSS growth after warm-up (highest sample)",
            size,
            round(ours.growth_pct, 1),
            round(bare.growth_pct, 1) if bare else None,
            "%",
            goal=f"≤ {GROWTH_GOAL_PCT:g}%",
            met=ours.growth_pct <= GROWTH_GOAL_PCT,
        ),
        Figure(
            name,
            "soak: interactions answered",
            size,
            len(every.latencies),
            len(bare_every.latencies) if bare_every else None,
            "",
        ),
        Figure(
            name,
            "soak: interactions lost",
            size,
            every.lost,
            bare_every.lost if bare_every else None,
            "",
        ),
    ]
