"""``python -m benchmarks``: latency of the real bot against a bare discord.py bot.

The emulator runs in this process on 127.0.0.1; each bot runs in its own
process (``benchmarks.botproc``). Per database: the real bot is set up and
measured, then the baseline, on the same emulator and world; the reminder
fan-out and the memory classes each run in worlds of their own.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import statistics
import sys
import time
from pathlib import Path

from benchmarks import fanout, kmtm_reports, memory, profile, report
from benchmarks.checks import check_writes
from benchmarks.flows import EVENING_LABELS, Tally
from benchmarks.load import Observer, percentile
from benchmarks.measure import ClassCpu, cpu_figures, measure
from benchmarks.plan import CLASSES, LATENCY_CLASSES, Plan
from benchmarks.processes import fresh_database, running, vcpbot_args
from benchmarks.soak import run_soak
from benchmarks.world import SESSION_CAP, seed, set_up
from discord_emulator import Emulator
from vcpbot.crypto import ReceiptHasher, new_receipt
from vcpbot.settings import EscalationSettings


async def run_shared_world(
    name: str, url: str, plan: Plan
) -> tuple[list[report.Row], list[report.Figure], list[str]]:
    """The latency classes and the reports: the real bot, then the baseline, on one
    emulator; the writes are counted before the real bot stops."""
    figures: list[report.Figure] = []
    async with Emulator() as em:
        bench = seed(
            em,
            writers=plan.acks,
            vcps=plan.vcps if plan.uses_vcps else 0,
            reporters=plan.reporters,
            guessers=plan.guessers,
        )
        observer = Observer(em)
        hub = bench.network.hub.id
        try:
            async with running(em, "vcpbot", *vcpbot_args(url, hub)) as bot:
                await set_up(em, bench)
                print(f"{name}: vcpbot")
                tally = Tally()
                bot_cpu: ClassCpu = {}
                measured = await measure(em, observer, bench, plan, bot, tally=tally, cpu=bot_cpu)
                failures = await check_writes(name, url, tally)
                if plan.has("reports"):
                    seeded = await kmtm_reports.seed(
                        url, periods=plan.report_periods, associations=plan.report_associations
                    )
                    times = await kmtm_reports.measure_vcpbot(em, bench, url, seeded)
                    print(kmtm_reports.describe(times))
            # The baseline answers the same commands, buttons and forms on the same world.
            async with running(em, "baseline") as baseline_bot:
                print(f"{name}: baseline")
                bare_cpu: ClassCpu = {}
                baseline = await measure(
                    em, observer, bench, plan, baseline_bot, tally=Tally(), cpu=bare_cpu
                )
                if plan.has("reports"):
                    bare = await kmtm_reports.measure_baseline(em, bench, seeded)
        finally:
            observer.close()
        failures += list(em.failures)
    rows = [
        report.Row(name, label, rate, sample, baseline[label, rate])
        for (label, rate), sample in measured.items()
    ]
    figures += cpu_figures(name, bot_cpu, bare_cpu)
    if plan.has("reports"):
        size = f"{plan.report_periods} periods x {plan.report_associations} associations"
        figures += kmtm_reports.figures(name, size, times, bare)
    return rows, figures, failures


def receipt_hash_figure(name: str, repetitions: int) -> report.Figure:
    """Argon2id at the deployment's default cost, timed here (the bot runs it in a thread)."""
    policy = EscalationSettings()
    hasher = ReceiptHasher.from_settings(policy)
    spent = []
    for _ in range(repetitions):
        receipt = new_receipt()
        started = time.perf_counter()
        hasher.hash(receipt)
        spent.append(time.perf_counter() - started)
    ms = [s * 1000 for s in spent]
    print(
        f"{name}: receipt hash (Argon2id, t={policy.argon2_time_cost}, "
        f"m={policy.argon2_memory_kib} KiB, p={policy.argon2_parallelism}) x{repetitions}: "
        f"mean {statistics.fmean(ms):.1f} ms, median {statistics.median(ms):.1f} ms, "
        f"max {max(ms):.1f} ms"
    )
    return report.Figure(
        name,
        "escalation receipt hash (Argon2id), mean",
        f"{repetitions} hashes",
        statistics.fmean(ms),
        None,
        "ms",
    )


async def run_database(
    name: str, plan: Plan, postgres_url: str | None
) -> tuple[list[report.Row], list[report.Figure], list[str]]:
    rows: list[report.Row] = []
    figures: list[report.Figure] = []
    failures: list[str] = []
    if any(plan.has(c) for c in (*LATENCY_CLASSES, "reports")):
        async with fresh_database(name, postgres_url) as url:
            rows, figures, failures = await run_shared_world(name, url, plan)
    if plan.has("escalation"):
        figures.append(receipt_hash_figure(name, plan.hash_repetitions))
    if plan.has("fanout"):
        print(f"{name}: reminder fan-out to {plan.fanout_invitees} invitees")
        async with fresh_database(name, postgres_url) as url:
            fan, fan_failures = await fanout.run_fanout(name, url, plan.fanout_invitees)
        print(
            f"  {fan.delivered}/{fan.invitees} delivered, {fan.duplicates} duplicates, "
            f"{fan.seconds:.1f} s from due to last (minimum the limits allow: "
            f"{fan.minimum:.1f} s), {fan.rate_limited} answers 429"
        )
        figures += fanout.figures(name, fan)
        failures += fan_failures
    if plan.has("memory"):
        print(f"{name}: memory and start-up")
        figures += await memory.measure(
            name,
            name,
            postgres_url,
            plan.memory_guilds,
            members=plan.memory_members,
            views=plan.memory_views,
        )
    if plan.has("soak"):
        async with fresh_database(name, postgres_url) as url:
            soaked, soak_failures = await run_soak(name, url, plan)
        figures += soaked
        failures += soak_failures
    return rows, figures, failures


async def run(plan: Plan, *, sqlite: bool, postgres_url: str | None) -> int:
    print(f"machine: {report.machine()}")
    print(
        f"plan: {', '.join(sorted(plan.classes))}; reads at {plan.rates}/s, writes at "
        f"{plan.write_rates}/s, {plan.seconds:g} s per cell; escalations at "
        f"{plan.escalation_rates}/s for {plan.escalation_seconds:g} s; {plan.guesses} wrong "
        f"receipts at {plan.guess_rate:g}/s beside acknowledgements at "
        f"{plan.guess_write_rate:g}/s for {plan.guess_seconds:g} s; evening at "
        f"{plan.evening_rates}/s for {plan.evening_seconds:g} s; at most {plan.max_count} "
        "sends per cell"
    )
    rows, figures, failures = [], [], []
    databases = (["sqlite"] if sqlite else []) + (["postgresql"] if postgres_url else [])
    for name in databases:
        found_rows, found_figures, found_failures = await run_database(name, plan, postgres_url)
        rows += found_rows
        figures += found_figures
        failures += found_failures
    if rows:
        print(report.table(rows))
        for line in evening_summary(rows):
            print(line)
    if figures:
        print()
        print(report.figures_table(figures))
    if failures:
        print(f"{len(failures)} failure(s): refused requests, miscounted writes or reminders:")
        for failure in failures[:10]:
            print(f"  - {failure}")
        return 1
    return 0


def evening_summary(rows: list[report.Row]) -> list[str]:
    """Per database: the lowest evening rate at which some interaction took over a second,
    and where the p99 crossed a second (the evening's goal is no interaction over 1 s)."""
    lines = []
    for name in dict.fromkeys(row.database for row in rows):
        cells = sorted(
            (row.rate, row.sample)
            for row in rows
            if row.database == name and row.label == EVENING_LABELS["all"]
        )
        if not cells:
            continue
        # A lost interaction went unanswered for 3 s: over a second too.
        over_max = next(
            (f"{rate:g}/s" for rate, s in cells if s.lost or max(s.latencies, default=0) > 1),
            None,
        )
        over_p99 = next(
            (
                f"{rate:g}/s"
                for rate, s in cells
                if s.lost > s.sent / 100 or percentile(s.latencies, 99) > 1
            ),
            None,
        )
        highest = f"{cells[-1][0]:g}/s"
        lines.append(
            f"{name}: evening: first interaction over 1 s at "
            f"{over_max or 'none up to ' + highest}; p99 over 1 s from "
            f"{over_p99 or 'none up to ' + highest}"
        )
    return lines


def _rates(text: str) -> tuple[float, ...]:
    return tuple(float(rate) for rate in text.split(",") if rate.strip())


def _sizes(text: str) -> tuple[int, ...]:
    return tuple(int(size) for size in text.split(",") if size.strip())


def _classes(text: str) -> frozenset[str]:
    chosen = frozenset(c.strip() for c in text.split(",") if c.strip())
    unknown = chosen - set(CLASSES)
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown class(es) {', '.join(sorted(unknown))}; choose from {', '.join(CLASSES)}"
        )
    return chosen


# Run when no class is named: all but the soak, which takes an hour and is run on purpose.
DEFAULT_CLASSES = frozenset(CLASSES) - {"soak"}

# The smoke run: every class, small (CI; about four minutes, two of them the soak).
SMOKE = Plan(
    classes=frozenset(CLASSES),
    rates=(20.0,),
    write_rates=(20.0,),
    escalation_rates=(2.0,),
    evening_rates=(25.0,),
    seconds=0.5,
    escalation_seconds=1.5,
    evening_seconds=2.0,
    max_count=10,
    vcps=10,
    fanout_invitees=10,
    report_periods=2,
    report_associations=10,
    memory_guilds=(10, 20),
    memory_members=(10, 20),
    memory_views=(0, 10, 20),
    hash_repetitions=3,
    guesses=10,
    guess_rate=20.0,
    guess_write_rate=10.0,
    guess_seconds=1.0,
    # The issue asks for a 2-minute soak in CI's smoke run.
    soak_seconds=120.0,
)


def _add_memory_and_soak_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--memory-members", default="10,100,1000", help="members per guild")
    parser.add_argument("--memory-views", default="0,250,500,1000", help="open /kmtm log forms")
    parser.add_argument("--soak-seconds", type=float, default=3600.0, help="the soak's length")
    parser.add_argument("--soak-rate", type=float, default=50.0, help="soak interactions/s")
    parser.add_argument(
        "--soak-baseline", action="store_true", help="soak the bare bot too (doubles the time)"
    )


def _with_memory_and_soak(plan: Plan, args: argparse.Namespace) -> Plan:
    return dataclasses.replace(
        plan,
        memory_members=_sizes(args.memory_members),
        memory_views=_sizes(args.memory_views),
        soak_seconds=args.soak_seconds,
        soak_rate=args.soak_rate,
        soak_baseline=args.soak_baseline,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--only",
        type=_classes,
        default=None,
        help=f"comma-separated classes (default all but soak; --smoke: all): {','.join(CLASSES)}",
    )
    parser.add_argument("--rates", default="50,200,400", help="reads/s, comma-separated")
    parser.add_argument("--write-rates", default="50,100", help="writes/s, comma-separated")
    parser.add_argument("--escalation-rates", default="1,5", help="escalation submits/s")
    parser.add_argument("--evening-rates", default="100,200,300,400", help="evening flows/s")
    parser.add_argument(
        "--seconds", type=float, default=2.0, help="sending time per read/write cell"
    )
    parser.add_argument(
        "--escalation-seconds", type=float, default=10.0, help="per escalation cell"
    )
    parser.add_argument("--evening-seconds", type=float, default=60.0, help="per evening rate")
    parser.add_argument("--max-count", type=int, default=None, help="at most this many per cell")
    parser.add_argument("--vcps", type=int, default=200, help="registered VCPs in the shared world")
    parser.add_argument("--fanout-invitees", type=int, default=1000)
    parser.add_argument("--report-periods", type=int, default=10)
    parser.add_argument("--report-associations", type=int, default=200)
    parser.add_argument(
        "--memory-guilds", default="10,100,1000", help="guild counts, comma-separated"
    )
    _add_memory_and_soak_options(parser)
    parser.add_argument("--hash-repetitions", type=int, default=20)
    parser.add_argument("--guesses", type=int, default=150, help="wrong /my-case receipts, at once")
    parser.add_argument("--guess-rate", type=float, default=150.0, help="wrong receipts/s")
    parser.add_argument(
        "--guess-write-rate", type=float, default=20.0, help="acknowledgements/s beside them"
    )
    parser.add_argument(
        "--guess-seconds", type=float, default=8.0, help="how long acknowledgements go on"
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("VCPBOT_TEST_DATABASE_URL"),
        help="a PostgreSQL server URL (default: $VCPBOT_TEST_DATABASE_URL)",
    )
    parser.add_argument(
        "--no-sqlite", action="store_true", help="only PostgreSQL (needs --postgres)"
    )
    parser.add_argument(
        "--smoke", action="store_true", help="every class, small (for CI; --only still applies)"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="record each bot with py-spy during each latency class into DIR, and summarise",
    )
    args = parser.parse_args(argv)
    plan = _plan(args)
    if plan.uses_vcps and plan.vcps >= SESSION_CAP:
        parser.error(f"--vcps must stay below {SESSION_CAP}, the most one intervisie session takes")
    if args.no_sqlite and not args.postgres:
        parser.error("--no-sqlite needs --postgres or VCPBOT_TEST_DATABASE_URL")
    if args.profile is not None:
        if profile.py_spy() is None:
            parser.error("--profile needs py-spy on PATH (pip install py-spy)")
        args.profile.mkdir(parents=True, exist_ok=True)
        plan = dataclasses.replace(plan, profile_dir=args.profile)
    return asyncio.run(run(plan, sqlite=not args.no_sqlite, postgres_url=args.postgres))


def _plan(args: argparse.Namespace) -> Plan:
    if args.smoke:
        return Plan(**{**SMOKE.__dict__, "classes": args.only or frozenset(CLASSES)})
    plan = Plan(
        classes=args.only or DEFAULT_CLASSES,
        rates=_rates(args.rates),
        write_rates=_rates(args.write_rates),
        escalation_rates=_rates(args.escalation_rates),
        evening_rates=_rates(args.evening_rates),
        seconds=args.seconds,
        escalation_seconds=args.escalation_seconds,
        evening_seconds=args.evening_seconds,
        max_count=args.max_count,
        vcps=args.vcps,
        fanout_invitees=args.fanout_invitees,
        report_periods=args.report_periods,
        report_associations=args.report_associations,
        memory_guilds=_sizes(args.memory_guilds),
        hash_repetitions=args.hash_repetitions,
        guesses=args.guesses,
        guess_rate=args.guess_rate,
        guess_write_rate=args.guess_write_rate,
        guess_seconds=args.guess_seconds,
    )
    return _with_memory_and_soak(plan, args)


if __name__ == "__main__":
    sys.exit(main())
