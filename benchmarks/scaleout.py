"""``python -m benchmarks.scaleout``: interactions per second with 1, 2 and 4 bot processes.

Each process is ``vcpbot run --shard-ids ... --shard-count 4`` (``benchmarks.shardproc``)
on one fresh PostgreSQL database; together they run the four shards, and one of
them leads. The emulator and the people run in this process. Associations are
spread over the shards; each is in the network with a listed VCP.

Closed loop: ``--concurrency`` members at a time each run ``/help`` in their own
association's server and wait for the answer, then the next one goes, for
``--seconds``. Reported per number of processes: answered interactions per second,
latency (dispatch to first answer), CPU the bot processes used per interaction, and
how busy the whole machine was. On a machine with few cores the emulator (this
process) and PostgreSQL compete with the bots for the same cores: read the machine's
CPU column before reading the throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import random
import secrets
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.engine import make_url

from benchmarks.load import percentile
from discord_emulator import Emulator
from discord_emulator.entities import User
from discord_emulator.guild import Guild
from vcpbot.bot import create_bot
from vcpbot.crypto import generate_index_key, generate_master_key
from vcpbot.db import Database, create_database
from vcpbot.db.migrate import upgrade
from vcpbot.discord_endpoints import discord_endpoints
from vcpbot.leadership import Leadership
from vcpbot.services import network
from vcpbot.settings import Settings
from vcpbot_harness import runtime_dir_for, seed_network_world, settings_for

ROOT = Path(__file__).resolve().parent.parent
SHARDS = 4
GUILDS_PER_SHARD = 2
MEMBERS_PER_GUILD = 10
START_TIMEOUT_S = 90.0
ANSWER_WITHIN_S = 10.0


def shard_of(guild: Guild) -> int:
    return (guild.id >> 22) % SHARDS


def shards_for(processes: int) -> list[list[int]]:
    """The four shards dealt over the processes: 1 -> [0,1,2,3]; 2 -> [0,2], [1,3]; ..."""
    return [list(range(i, SHARDS, processes)) for i in range(processes)]


# -- the world --------------------------------------------------------------------------


@dataclass
class Place:
    guild: Guild
    members: list[User]


async def build_world(em: Emulator, db: Database) -> tuple[int, list[Place]]:
    """The hub, and associations in the network, ``GUILDS_PER_SHARD`` on each shard."""
    world = seed_network_world(em, associations=())
    per_shard: dict[int, int] = dict.fromkeys(range(SHARDS), 0)
    places: list[Place] = []
    now = datetime.now(UTC)
    while min(per_shard.values()) < GUILDS_PER_SHARD:
        board = em.create_user(f"board-{len(places)}", locale="nl")
        guild = em.create_guild(f"Vereniging {len(places)}", owner=board, locale="nl")
        if per_shard[shard_of(guild)] >= GUILDS_PER_SHARD:
            continue  # the bot stays in it, but nobody asks anything there
        per_shard[shard_of(guild)] += 1
        members = [em.create_user(f"lid-{len(places)}-{n}") for n in range(MEMBERS_PER_GUILD)]
        for member in [board, *members]:
            em.add_member(guild, member)
        places.append(Place(guild, members))
        async with db.sessions.begin() as session:
            asked = await network.request_join(
                session,
                guild_id=guild.id,
                name=guild.name,
                short_name=guild.name[:20],
                locale="nl",
                vcp_role_id=guild.create_role("VCP").id,
                rules_channel_id=None,
                requested_by=board.id,
                now=now,
            )
            await network.add_vcp(
                session,
                guild_id=guild.id,
                user_id=members[0].id,
                display_name=members[0].username,
                actor_id=board.id,
                now=now,
            )
            await network.set_listed(
                session,
                guild_id=guild.id,
                user_id=members[0].id,
                listed=True,
                display_name=members[0].username,
                now=now,
            )
        async with db.sessions.begin() as session:
            await network.decide_request(
                session,
                request_token=asked.association.request_token,
                approve=True,
                decided_by=world.coordinator.id,
                now=now,
                zone=ZoneInfo("Europe/Amsterdam"),
            )
    return world.hub.id, places


# -- processes --------------------------------------------------------------------------


@dataclass
class ShardProcess:
    process: asyncio.subprocess.Process
    log: IO[bytes]

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def logged(self) -> str:
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")


def environment(em: Emulator, url: str, hub_guild_id: int, keys: tuple[str, str]) -> dict:
    keep = {k: v for k, v in os.environ.items() if not k.upper().startswith("VCPBOT_")}
    return keep | {
        "VCPBOT_DISCORD_TOKEN": em.token,
        "VCPBOT_DISCORD_API_BASE": em.api_base,
        "VCPBOT_DISCORD_GATEWAY_URL": em.gateway_url,
        "VCPBOT_DATABASE_URL": url,
        "VCPBOT_HUB_GUILD_ID": str(hub_guild_id),
        "VCPBOT_LOG_LEVEL": "WARNING",
        "VCPBOT_MASTER_KEYS": keys[0],
        "VCPBOT_INDEX_KEY": keys[1],
        # The processes of one machine share its runtime key (rate limits, blocks).
        "VCPBOT_RUNTIME_DIR": str(runtime_dir_for(em)),
    }


async def start(env: dict, shard_ids: list[int]) -> ShardProcess:
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.shardproc",
        "run",
        "--shard-ids",
        ",".join(map(str, shard_ids)),
        "--shard-count",
        str(SHARDS),
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=log,
    )
    return ShardProcess(process, log)


async def ready(proc: ShardProcess) -> None:
    assert proc.process.stdout is not None
    try:
        line = await asyncio.wait_for(proc.process.stdout.readline(), START_TIMEOUT_S)
    except TimeoutError:
        line = b""
    if line.strip() != b"ready":
        raise RuntimeError("a bot process did not start:\n" + proc.logged()[-3000:])


async def stop(proc: ShardProcess) -> None:
    if proc.process.returncode is None:
        proc.process.terminate()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(proc.process.wait(), 10)
    if proc.process.returncode is None:
        proc.process.kill()
        await proc.process.wait()
    proc.log.close()


@contextlib.asynccontextmanager
async def processes(env: dict, count: int) -> AsyncIterator[list[ShardProcess]]:
    started = [await start(env, ids) for ids in shards_for(count)]
    try:
        await asyncio.gather(*(ready(p) for p in started))
        yield started
    finally:
        await asyncio.gather(*(stop(p) for p in started))


# -- measuring --------------------------------------------------------------------------


@dataclass
class Result:
    processes: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    failed: int = 0
    bot_cpu: float = 0.0
    per_process_cpu: list[float] = field(default_factory=list)
    runner_cpu: float = 0.0  # the emulator and the people
    machine_busy: float = 0.0  # share of all cores' time, 0..1

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far."""
    numbers = [int(n) for n in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = numbers[3] + numbers[4]
    return sum(numbers) - idle, sum(numbers)


async def closed_loop(
    em: Emulator,
    places: list[Place],
    *,
    concurrency: int,
    result: Result,
    seconds: float = math.inf,
    stop: asyncio.Event | None = None,
) -> None:
    """``concurrency`` members at a time run /help, each waiting for its answer, for
    ``seconds`` or until ``stop`` is set."""
    people = [(p.guild, em.person(m)) for p in places for m in p.members]
    end = time.monotonic() + seconds
    stop = stop or asyncio.Event()

    async def member() -> None:
        while time.monotonic() < end and not stop.is_set():
            guild, person = random.choice(people)
            started = time.monotonic()
            answer = await person.slash(guild, "help", wait=False)
            try:
                await answer.wait(within=ANSWER_WITHIN_S)
            except AssertionError:
                result.failed += 1
                continue
            result.latencies.append(time.monotonic() - started)

    await asyncio.gather(*(member() for _ in range(concurrency)))


async def measure(
    em: Emulator, places: list[Place], procs: list[ShardProcess], args: argparse.Namespace
) -> Result:
    # Warm up: every server once, then a short burst, so every process has its caches.
    for place in places:
        await (await em.person(place.members[1]).slash(place.guild, "help")).wait()
    warm = Result(len(procs), 1.0)
    await closed_loop(em, places, seconds=1.0, concurrency=args.concurrency, result=warm)
    result = Result(len(procs), args.seconds)
    cpu_before = [p.cpu_seconds() for p in procs]
    runner_before = time.process_time()
    busy_before, total_before = _machine_ticks()
    await closed_loop(em, places, seconds=args.seconds, concurrency=args.concurrency, result=result)
    busy_after, total_after = _machine_ticks()
    result.per_process_cpu = [p.cpu_seconds() - b for p, b in zip(procs, cpu_before, strict=True)]
    result.bot_cpu = sum(result.per_process_cpu)
    result.runner_cpu = time.process_time() - runner_before
    result.machine_busy = (busy_after - busy_before) / max(1, total_after - total_before)
    return result


# -- the run ----------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def fresh_postgres(server_url: str) -> AsyncIterator[str]:
    server_url = Settings.load(
        config_file=None, env_file=None, database_url=server_url
    ).database_url
    name = f"vcpbot_scaleout_{secrets.token_hex(4)}"
    admin = create_database(server_url, isolation_level="AUTOCOMMIT")
    async with admin.engine.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
        db = create_database(url)
        try:
            await upgrade(db)
        finally:
            await db.dispose()
        yield url
    finally:
        async with admin.engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


async def sync_commands(em: Emulator, db: Database, hub_guild_id: int, env: dict) -> None:
    settings = settings_for(
        em,
        hub_guild_id=hub_guild_id,
        master_keys=env["VCPBOT_MASTER_KEYS"],
        index_key=env["VCPBOT_INDEX_KEY"],
        runtime_dir=env["VCPBOT_RUNTIME_DIR"],
    )
    with discord_endpoints(em.api_base, em.gateway_url):
        bot = create_bot(settings, db, leadership=Leadership())
        try:
            await bot.login(em.token)
            await bot.tree.sync()
        finally:
            await bot.close()


def table(results: list[Result]) -> str:
    rows = [
        "| processes | interactions/s | p50 ms | p95 ms | failed | bots' CPU ms/interaction "
        "| emulator's CPU ms/interaction | machine busy |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        answered = max(1, len(r.latencies))
        rows.append(
            f"| {r.processes} | {r.per_second:.0f} | {percentile(r.latencies, 50) * 1000:.0f} "
            f"| {percentile(r.latencies, 95) * 1000:.0f} | {r.failed} "
            f"| {r.bot_cpu / answered * 1000:.1f} | {r.runner_cpu / answered * 1000:.1f} "
            f"| {r.machine_busy:.0%} |"
        )
    return "\n".join(rows)


async def run(args: argparse.Namespace) -> int:
    counts = [int(n) for n in args.processes.split(",")]
    print(
        f"machine: {os.cpu_count()} cores; {args.seconds:g} s per run, {args.concurrency} at once"
    )
    results = []
    async with fresh_postgres(args.postgres) as url, Emulator() as em:
        db = create_database(url)
        try:
            hub_guild_id, places = await build_world(em, db)
            env = environment(em, url, hub_guild_id, (generate_master_key(1), generate_index_key()))
            await sync_commands(em, db, hub_guild_id, env)
            for count in counts:
                async with processes(env, count) as procs:
                    result = await measure(em, places, procs, args)
                results.append(result)
                shares = ", ".join(f"{cpu:.1f}" for cpu in result.per_process_cpu)
                print(
                    f"{count} process(es): {result.per_second:.0f} interactions/s, "
                    f"{result.failed} failed, machine {result.machine_busy:.0%} busy, "
                    f"CPU seconds per process {shares}, emulator {result.runner_cpu:.1f}"
                )
        finally:
            await db.dispose()
        failures = list(em.failures)
    print(table(results))
    if failures:
        print(f"{len(failures)} request(s) Discord would refuse, e.g. {failures[0]}")
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scaleout", description=__doc__)
    parser.add_argument("--processes", default="1,2,4", help="process counts, comma-separated")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per count")
    parser.add_argument("--concurrency", type=int, default=16, help="members asking at once")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("VCPBOT_TEST_DATABASE_URL"),
        help="a PostgreSQL server URL (default: $VCPBOT_TEST_DATABASE_URL)",
    )
    args = parser.parse_args(argv)
    if not args.postgres:
        parser.error("several processes need PostgreSQL: --postgres or VCPBOT_TEST_DATABASE_URL")
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
