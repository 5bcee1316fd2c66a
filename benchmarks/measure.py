"""The latency classes against one bot: reads, writes, escalation submits, the evening mix.

The same sequence runs against the real bot and then the baseline, on the same
world; each class is warmed up once first.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.flows import (
    ACK_LABEL,
    BESIDE_GUESSES_LABEL,
    ESCALATION_LABEL,
    EVENING_LABELS,
    GUESS_ANSWER_LABEL,
    GUESS_LABEL,
    KMTM_LABEL,
    READ_CLASSES,
    RECEIPT_LABEL,
    RSVP_LABEL,
    EscalationSubmitter,
    Evening,
    Guesser,
    People,
    Tally,
    acknowledger,
    kmtm_submitter,
    open_escalation_forms,
    open_kmtm_forms,
    reader,
    rsvp_presser,
)
from benchmarks.load import Observer, Sample, open_loop, open_loop_flows, open_loops
from benchmarks.plan import Plan
from benchmarks.processes import BotProcess
from benchmarks.profile import py_spy, recording, summarize
from benchmarks.report import Figure
from benchmarks.world import BenchWorld
from discord_emulator import Emulator

Samples = dict[tuple[str, float], Sample]
# Per class: the bot process's CPU seconds while it was measured, and the interactions
# dispatched to it meanwhile (the unmeasured ones that open forms included).
ClassCpu = dict[str, tuple[float, int]]
# The goals of issue 21 for CPU per interaction, as a ratio to the bare bot's.
CPU_GOALS = {"reads": 1.5, "writes": 2.5}


@dataclass
class Session:
    """One bot's run over the shared world: who acts, what it was asked to store, the results."""

    em: Emulator
    observer: Observer
    plan: Plan
    people: People
    tally: Tally
    samples: Samples
    # Flows of the evening mix started more than one interval late.
    late_flows: int = 0


async def measure(
    em: Emulator,
    observer: Observer,
    bench: BenchWorld,
    plan: Plan,
    bot: BotProcess,
    *,
    tally: Tally,
    cpu: ClassCpu | None = None,
) -> Samples:
    """Every latency class of ``plan`` against ``bot``; fills ``cpu`` per class if given."""
    run = Session(em, observer, plan, People(em, bench), tally, {})
    await _warm_up(run)
    cpu_before, runner_before = bot.cpu_seconds(), time.process_time()
    classes: tuple[tuple[str, Callable[[Session], Awaitable[None]]], ...] = (
        ("reads", _reads),
        ("writes", _writes),
        ("escalation", _escalations),
        ("guessing", _guessing),
        ("evening", _evening),
    )
    for name, measure_class in classes:
        if plan.has(name):
            before, dispatched = bot.cpu_seconds(), observer.dispatched
            async with _profiled(plan.profile_dir, bot, name):
                await measure_class(run)
            after = bot.cpu_seconds()
            if cpu is not None and before is not None and after is not None:
                cpu[name] = (after - before, observer.dispatched - dispatched)
    # The same interactions again.
    uncounted = (EVENING_LABELS["all"], RECEIPT_LABEL, GUESS_ANSWER_LABEL)
    sent = sum(s.sent for (label, _), s in run.samples.items() if label not in uncounted)
    late = run.late_flows + sum(s.late_sends for s in run.samples.values())
    cpu_after, runner_cpu = bot.cpu_seconds(), time.process_time() - runner_before
    if cpu_before is None or cpu_after is None:
        bot_cpu = "?"
    else:
        used = cpu_after - cpu_before
        bot_cpu = f"{used:.1f} s ({used / max(sent, 1) * 1000:.2f} ms per interaction)"
    print(
        f"  {sent} interactions ({late} sent late): bot process CPU {bot_cpu}, "
        f"runner CPU {runner_cpu:.1f} s"
    )
    return run.samples


def cpu_figures(database: str, bot: ClassCpu, baseline: ClassCpu) -> list[Figure]:
    """CPU per interaction per class, the real bot against the bare one."""
    figures = []
    for name, (seconds, count) in bot.items():
        bare_seconds, bare_count = baseline.get(name, (math.nan, 0))
        goal = CPU_GOALS.get(name)
        mine = seconds / max(count, 1) * 1000
        bare = bare_seconds / bare_count * 1000 if bare_count else None
        figures.append(
            Figure(
                database,
                f"bot CPU per interaction: {name}",
                f"{count} interactions",
                mine,
                bare,
                "ms",
                goal=f"≤ {goal}x" if goal else "-",
                met=None if goal is None or not bare else mine / bare <= goal,
            )
        )
    return figures


@contextlib.asynccontextmanager
async def _profiled(where: Path | None, bot: BotProcess, name: str) -> AsyncIterator[None]:
    """With ``--profile``, py-spy records the bot while this class is measured."""
    tool = py_spy()
    if where is None or tool is None:
        yield
        return
    path = where / f"{bot.kind}-{bot.process.pid}-{name}.txt"
    async with recording(bot.process.pid, path, tool):
        yield
    if path.exists():
        print("\n".join(summarize(path).lines(f"of {bot.kind} during {name}")))


async def _warm_up(run: Session) -> None:
    """Each class once, answered in time, before anything is measured."""
    bench, observer, people, tally = run.people.bench, run.observer, run.people, run.tally
    person = run.em.person(bench.students[0])
    for label, command, options in READ_CLASSES:
        result = await person.slash(bench.association.guild, command, dict(options))
        if result.response.kind not in ("message", "deferred"):
            raise RuntimeError(f"{label} answered with a {result.response.kind}")
    if run.plan.has("writes"):
        await open_loop(observer, acknowledger(people, tally), rate=1, count=1)
        await open_loop(observer, rsvp_presser(people, tally, offset=0), rate=1, count=1)
    if run.plan.uses_vcps:
        forms = await open_kmtm_forms(people, 1)
        await open_loop(observer, kmtm_submitter(forms, tally), rate=1, count=1)
    if run.plan.has("escalation") or run.plan.has("evening"):
        receipt = Sample()
        submitter = EscalationSubmitter(
            run.em, await open_escalation_forms(people, 1), tally, receipt
        )
        await open_loop(observer, submitter.act, rate=1, count=1)
        await submitter.finished()
        if not receipt.latencies:
            raise RuntimeError("the warm-up escalation showed no receipt")
    if run.plan.has("guessing"):
        guesser = Guesser(run.em, people, Sample())
        await open_loop(observer, guesser.act, rate=1, count=1)
        await guesser.finished()


async def _reads(run: Session) -> None:
    for label, command, options in READ_CLASSES:
        act = reader(run.people, command, options)
        for rate in run.plan.rates:
            run.samples[label, rate] = await open_loop(
                run.observer, act, rate=rate, count=run.plan.count(rate)
            )


async def _writes(run: Session) -> None:
    plan, observer, people, tally = run.plan, run.observer, run.people, run.tally
    act = acknowledger(people, tally)
    for rate in plan.write_rates:
        run.samples[ACK_LABEL, rate] = await open_loop(
            observer, act, rate=rate, count=plan.count(rate)
        )
    for rate in plan.write_rates:
        # The forms open first (not measured); the submits are the writes.
        forms = await open_kmtm_forms(people, plan.count(rate))
        run.samples[KMTM_LABEL, rate] = await open_loop(
            observer, kmtm_submitter(forms, tally), rate=rate, count=len(forms)
        )
    offset = 1  # the warm-up pressed once
    for rate in plan.write_rates:
        count = plan.count(rate)
        act = rsvp_presser(people, tally, offset=offset)
        run.samples[RSVP_LABEL, rate] = await open_loop(observer, act, rate=rate, count=count)
        offset += count


async def _escalations(run: Session) -> None:
    for rate in run.plan.escalation_rates:
        count = run.plan.count(rate, run.plan.escalation_seconds)
        # /report and Continue first (not measured); the submits are measured.
        forms = await open_escalation_forms(run.people, count)
        receipts = Sample()
        submitter = EscalationSubmitter(run.em, forms, run.tally, receipts)
        run.samples[ESCALATION_LABEL, rate] = await open_loop(
            run.observer, submitter.act, rate=rate, count=len(forms)
        )
        await submitter.finished()
        run.samples[RECEIPT_LABEL, rate] = receipts


async def _guessing(run: Session) -> None:
    """Wrong receipts from many accounts at once, and unrelated writes (acknowledgements,
    each by another member) beside them for as long as the guesses may take."""
    plan = run.plan
    answers = Sample()
    guesser = Guesser(run.em, run.people, answers)
    guesses, writes = await open_loops(
        run.observer,
        (guesser.act, plan.guess_rate, plan.guesses),
        (acknowledger(run.people, run.tally), plan.guess_write_rate, plan.guess_acks),
    )
    await guesser.finished()
    run.samples[GUESS_LABEL, plan.guess_rate] = guesses
    run.samples[GUESS_ANSWER_LABEL, plan.guess_rate] = answers
    run.samples[BESIDE_GUESSES_LABEL, plan.guess_write_rate] = writes


async def _evening(run: Session) -> None:
    for rate in run.plan.evening_rates:
        cell = {kind: Sample() for kind in EVENING_LABELS}
        evening = Evening(run.observer, run.people, run.tally, cell)
        run.late_flows += await open_loop_flows(
            run.observer, evening.flow, rate=rate, count=run.plan.evening_count(rate)
        )
        for kind, label in EVENING_LABELS.items():
            run.samples[label, rate] = cell[kind]
