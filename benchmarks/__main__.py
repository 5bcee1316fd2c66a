"""``python -m benchmarks``: latency of the real bot against a bare discord.py bot.

The emulator runs in this process on 127.0.0.1; each bot runs in its own
process (``benchmarks.botproc``). Per database: the real bot is set up and
measured, then the baseline, on the same emulator and world.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from benchmarks import report
from benchmarks.botproc import TOKEN_ENV
from benchmarks.load import Act, Observer, Sample, open_loop
from benchmarks.world import ACK_ID, BenchWorld, rules_post, seed, set_up
from vcpbot.db import create_database
from vcpbot.db.migrate import upgrade
from vcpbot.emulator import Emulator
from vcpbot.emulator.driver import InteractionResult
from vcpbot.emulator.entities import User
from vcpbot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0

# (label, command, options): the read paths of issue 10.
READ_CLASSES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("/help", "help", {}),
    ("/rules", "rules", {}),
    ("/rules article:1", "rules", {"article": 1}),
    ("/rules search:alcohol", "rules", {"search": "alcohol"}),
)


WRITE_LABEL = "rules ack (button)"


@dataclass(frozen=True)
class Plan:
    rates: tuple[float, ...]
    write_rates: tuple[float, ...]
    seconds: float
    max_count: int | None

    @property
    def writes(self) -> int:
        """Acknowledgement presses in one measured run, warm-up included."""
        return 1 + sum(self.count(rate) for rate in self.write_rates)

    def count(self, rate: float) -> int:
        count = max(1, round(rate * self.seconds))
        return count if self.max_count is None else min(count, self.max_count)


# -- processes -------------------------------------------------------------------------


@dataclass
class BotProcess:
    """A bot in its own process; what it logs goes to a file, summarised after the run."""

    kind: str
    process: asyncio.subprocess.Process
    log: IO[bytes]

    def logged(self) -> list[str]:
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace").splitlines()

    def cpu_seconds(self) -> float | None:
        """User plus system CPU time the process has used so far (Linux only)."""
        try:
            stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        except OSError:
            return None
        # After the command name, utime and stime are the 12th and 13th fields, in ticks.
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def start_bot(em: Emulator, kind: str, *extra: str) -> BotProcess:
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop_bot
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.botproc",
        kind,
        "--api",
        em.api_base,
        "--gateway",
        em.gateway_url,
        *extra,
        stdout=asyncio.subprocess.PIPE,
        stderr=log,
        env={**os.environ, TOKEN_ENV: em.token},
        cwd=ROOT,
    )
    bot = BotProcess(kind, process, log)
    assert process.stdout is not None
    try:
        line = await asyncio.wait_for(process.stdout.readline(), START_TIMEOUT_S)
    except TimeoutError:
        line = b""
    if line.strip() != b"ready":
        await stop_bot(bot)
        raise RuntimeError(f"the {kind} process did not become ready:\n" + "\n".join(bot.logged()))
    return bot


async def stop_bot(bot: BotProcess) -> None:
    if bot.process.returncode is None:
        bot.process.terminate()
    try:
        await asyncio.wait_for(bot.process.wait(), STOP_TIMEOUT_S)
    except TimeoutError:
        bot.process.kill()
        await bot.process.wait()
    errors = [line for line in bot.logged() if line.startswith("ERROR:")]
    if errors:
        print(f"  the {bot.kind} process logged {len(errors)} error(s), e.g. {errors[0]}")
    bot.log.close()


# -- databases -------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def sqlite_database() -> Any:
    with tempfile.TemporaryDirectory(prefix="vcpbot-bench-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        await _migrate(url)
        yield url


@contextlib.asynccontextmanager
async def postgres_database(server_url: str) -> Any:
    """A fresh database on the server, dropped afterwards."""
    server_url = Settings.load(
        config_file=None, env_file=None, database_url=server_url
    ).database_url
    name = f"vcpbot_bench_{secrets.token_hex(4)}"
    admin = create_database(server_url, isolation_level="AUTOCOMMIT")
    async with admin.engine.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
        await _migrate(url)
        yield url
    finally:
        async with admin.engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


async def _migrate(url: str) -> None:
    db = create_database(url)
    try:
        await upgrade(db)
    finally:
        await db.dispose()


# -- measuring -------------------------------------------------------------------------


async def warm_up(em: Emulator, bench: BenchWorld) -> None:
    """Each class once, answered in time with a message, before anything is measured."""
    person = em.person(bench.students[0])
    for label, command, options in READ_CLASSES:
        result = await person.slash(bench.association.guild, command, dict(options))
        if result.response.kind not in ("message", "deferred"):
            raise RuntimeError(f"{label} answered with a {result.response.kind}")
    pressed = await em.person(bench.writers[0]).press(rules_post(em, bench), custom_id=ACK_ID)
    if pressed.response.kind != "message":
        raise RuntimeError(f"{WRITE_LABEL} answered with a {pressed.response.kind}")


def reader(em: Emulator, bench: BenchWorld, command: str, options: dict[str, Any]) -> Act:
    people = [em.person(user) for user in bench.students]

    async def act(i: int) -> InteractionResult:
        person = people[i % len(people)]
        return await person.slash(bench.association.guild, command, dict(options), wait=False)

    return act


def acknowledger(em: Emulator, bench: BenchWorld, writers: Iterator[User]) -> Act:
    post = rules_post(em, bench)

    async def act(_: int) -> InteractionResult:
        return await em.person(next(writers)).press(post, custom_id=ACK_ID, wait=False)

    return act


async def measure(
    em: Emulator,
    observer: Observer,
    bench: BenchWorld,
    plan: Plan,
    bot: BotProcess,
) -> dict[tuple[str, float], Sample]:
    await warm_up(em, bench)
    cpu_before, runner_before = bot.cpu_seconds(), time.process_time()
    samples = {}
    for label, command, options in READ_CLASSES:
        act = reader(em, bench, command, options)
        for rate in plan.rates:
            samples[label, rate] = await open_loop(observer, act, rate=rate, count=plan.count(rate))
    act = acknowledger(em, bench, iter(bench.writers[1:]))
    for rate in plan.write_rates:
        samples[WRITE_LABEL, rate] = await open_loop(
            observer, act, rate=rate, count=plan.count(rate)
        )
    sent = sum(sample.sent for sample in samples.values())
    cpu_after, runner_cpu = bot.cpu_seconds(), time.process_time() - runner_before
    if cpu_before is None or cpu_after is None:
        bot_cpu = "?"
    else:
        used = cpu_after - cpu_before
        bot_cpu = f"{used:.1f} s ({used / max(sent, 1) * 1000:.2f} ms per interaction)"
    late = sum(sample.late_sends for sample in samples.values())
    print(
        f"  {sent} interactions ({late} sent late): bot process CPU {bot_cpu}, "
        f"runner CPU {runner_cpu:.1f} s"
    )
    return samples


async def count_acknowledgements(url: str) -> int:
    db = create_database(url)
    try:
        async with db.engine.connect() as conn:
            found = await conn.execute(text("SELECT count(*) FROM rules_acknowledgements"))
            return int(found.scalar_one())
    finally:
        await db.dispose()


async def run_database(name: str, url: str, plan: Plan) -> tuple[list[report.Row], list[str]]:
    """The real bot, then the baseline, on one emulator; then the writes are counted."""
    async with Emulator() as em:
        bench = seed(em, writers=plan.writes)
        observer = Observer(em)
        try:
            hub = str(bench.network.hub.id)
            bot_process = await start_bot(em, "vcpbot", "--database", url, "--hub-guild", hub)
            try:
                await set_up(em, bench)
                print(f"{name}: vcpbot")
                measured = await measure(em, observer, bench, plan, bot_process)
            finally:
                await stop_bot(bot_process)
            # The baseline answers the same commands and the same button on the same world.
            baseline_process = await start_bot(em, "baseline")
            try:
                print(f"{name}: baseline")
                baseline = await measure(em, observer, bench, plan, baseline_process)
            finally:
                await stop_bot(baseline_process)
        finally:
            observer.close()
        failures = list(em.failures)
    stored = await count_acknowledgements(url)
    verdict = "every press stored once" if stored == plan.writes else "MISMATCH"
    print(f"{name}: {stored} acknowledgements stored for {plan.writes} presses: {verdict}")
    if stored != plan.writes:
        failures.append(f"{name}: {stored} acknowledgements stored for {plan.writes} presses")
    rows = [
        report.Row(name, label, rate, sample, baseline[label, rate])
        for (label, rate), sample in measured.items()
    ]
    return rows, failures


async def run(plan: Plan, *, sqlite: bool, postgres_url: str | None) -> int:
    print(f"machine: {report.machine()}")
    print(
        f"plan: reads at {plan.rates}/s, writes at {plan.write_rates}/s, "
        f"{plan.seconds:g} s per cell, at most {plan.max_count} sends per cell"
    )
    rows, failures = [], []
    databases = []
    if sqlite:
        databases.append(("sqlite", sqlite_database()))
    if postgres_url:
        databases.append(("postgresql", postgres_database(postgres_url)))
    for name, database in databases:
        async with database as url:
            found_rows, found_failures = await run_database(name, url, plan)
        rows += found_rows
        failures += found_failures
    print(report.table(rows))
    if failures:
        print(f"{len(failures)} failure(s): refused requests or miscounted writes:")
        for failure in failures[:10]:
            print(f"  - {failure}")
        return 1
    return 0


def _rates(text: str) -> tuple[float, ...]:
    return tuple(float(rate) for rate in text.split(",") if rate.strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--rates", default="50,200,400", help="interactions/s, comma-separated")
    parser.add_argument("--write-rates", default="50,100", help="presses/s, comma-separated")
    parser.add_argument("--seconds", type=float, default=2.0, help="sending time per cell")
    parser.add_argument("--max-count", type=int, default=None, help="at most this many per cell")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("VCPBOT_TEST_DATABASE_URL"),
        help="a PostgreSQL server URL (default: $VCPBOT_TEST_DATABASE_URL)",
    )
    parser.add_argument(
        "--no-sqlite", action="store_true", help="only PostgreSQL (needs --postgres)"
    )
    parser.add_argument("--smoke", action="store_true", help="10 per class at 20/s (for CI)")
    args = parser.parse_args(argv)
    if args.smoke:
        plan = Plan(rates=(20.0,), write_rates=(20.0,), seconds=0.5, max_count=10)
    else:
        plan = Plan(
            rates=_rates(args.rates),
            write_rates=_rates(args.write_rates),
            seconds=args.seconds,
            max_count=args.max_count,
        )
    if args.no_sqlite and not args.postgres:
        parser.error("--no-sqlite needs --postgres or VCPBOT_TEST_DATABASE_URL")
    return asyncio.run(run(plan, sqlite=not args.no_sqlite, postgres_url=args.postgres))


if __name__ == "__main__":
    sys.exit(main())
