"""``python -m benchmarks.national``: the national-scale world, or the largest part that fits.

The national world (issue 21) is 2,000 association servers, 200,000 members and 5,000
VCPs on 4 bot processes sharing one PostgreSQL database. Each size measured is a
fraction of it (``--sizes 0.01,0.02``): servers, members and VCPs scaled together. Per
size, in an emulator and a fresh database of its own:

- the world: the hub, and per association a server with its members (emulator only),
  its VCPs registered and the association approved (``vcpbot.services.network``, in bulk
  transactions, not through commands), one intervisie reminder per VCP due at one instant
  (``intervisie.plan_session``, sessions of at most 1,000 VCPs), and two closed KMTM
  periods in which every association logged (counter rows inserted in bulk, as
  ``benchmarks.kmtm_reports`` does);
- start-up: 4 processes (``benchmarks.shardproc``, one shard each) spawned at once, until
  every one prints ``ready``; then each one's resident memory (``VmRSS``);
- the KMTM report by association over every association: the service and the chart in
  this process, and the coordinator's ``/kmtm report`` until posted;
- leader hand-over under load: members run ``/help`` (closed loop) in the servers of the
  processes that stay up; the leader is killed (SIGKILL); the time until another process
  says it leads and has rebuilt its timed work (its log, as tests/multiprocess reads it),
  and the rebuild's own time as that log line gives it;
- reminder fan-out: the 4 processes are started again with their clock moved to just
  before the reminders' due time (``BENCH_CLOCK_OFFSET``, the method of
  ``benchmarks.fanout``), so the leader's scheduler fires every reminder at once; the
  time from due to the last reminder DM against the least the rate limits allow (marked
  "late" when the processes were ready only after the due time).

Then a table of sizes, and per figure a least-squares line over the sizes and its value
at the national size: an extrapolation, with the sizes it rests on named.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import re
import signal
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from benchmarks import fanout, kmtm_reports
from benchmarks.flows import until_shown
from benchmarks.processes import postgres_database
from benchmarks.scaleout import Place, Result, closed_loop, environment, sync_commands
from benchmarks.shardproc import CLOCK_OFFSET_ENV
from benchmarks.world import SESSION_CAP, ZONE
from discord_emulator import Emulator
from discord_emulator import permissions as perm
from discord_emulator.entities import User
from vcpbot.crypto import generate_index_key, generate_master_key
from vcpbot.db import Database, create_database
from vcpbot.db.kmtm import Dimension
from vcpbot.services import intervisie, kmtm, network
from vcpbot.services.intervisie import Policy
from vcpbot.services.when import Lead
from vcpbot_harness import NetworkWorld, seed_network_world

ROOT = Path(__file__).resolve().parent.parent
NATIONAL = {"guilds": 2000, "members": 200_000, "vcps": 5000}
DEFAULT_SIZES = "0.02,0.05,0.1,0.25"
SMOKE_SIZE = 0.005
SHARDS = 4
START_TIMEOUT_S = 300.0
SETTLE_S = 1.0
# The restarted processes' clocks start this long plus twice the first start-up before the
# reminders' due time (a start that ends later anyway is marked "late" in the table).
START_MARGIN_S = 3.0
LOAD_CONCURRENCY = 8
LOAD_BEFORE_KILL_S = 2.0
LOAD_AFTER_S = 2.0
HAND_OVER_WITHIN_S = 60.0
REPORT_WITHIN_S = 60.0
NOW_LEADS = "this process now leads"
REBUILT = "leader's timed work rebuilt"
BATCH = 100  # associations per transaction while seeding
REMINDER_LEAD = "PT1H"
# Each report is released once per period and breakdown: a period per timing, the median kept.
REPORT_REPEATS = 3
REPORT_HERE = tuple(f"KMTM national (here {i + 1})" for i in range(REPORT_REPEATS))
REPORT_BOT = tuple(f"KMTM national (bot {i + 1})" for i in range(REPORT_REPEATS))


@dataclass(frozen=True)
class Size:
    fraction: float

    def of(self, what: str) -> int:
        return max(1, round(NATIONAL[what] * self.fraction))

    @property
    def label(self) -> str:
        return f"{self.of('guilds')} servers, {self.of('members')} members, {self.of('vcps')} VCPs"


@dataclass
class Measured:
    size: Size
    start_s: float = math.nan
    rss_mib: list[float] = field(default_factory=list)
    report_service_ms: float = math.nan
    report_chart_ms: float = math.nan
    report_bot_ms: float = math.nan
    hand_over_s: float = math.nan
    rebuild_s: float = math.nan  # the new leader's own figure for rebuilding its timed work
    help_answered: int = 0
    help_seconds: float = math.nan  # how long the /help load ran
    help_failed: int = 0
    fan_s: float = math.nan
    fan_minimum_s: float = math.nan
    fan_late: bool = False  # the restarted processes were ready only after the due time
    national_minimum_s: float = math.nan  # what the same limits allow for 5,000 VCPs
    delivered: int = 0
    duplicates: int = 0
    refused: int = 0  # requests the emulator (Discord) would refuse


# -- the world --------------------------------------------------------------------------


@dataclass
class World:
    network: NetworkWorld
    places: list[Place]
    vcps: list[User]


def build_servers(em: Emulator, size: Size) -> World:
    """The hub and the association servers with their members; the first members of each
    server (``vcps`` spread evenly) are its VCPs."""
    world = seed_network_world(em, associations=())
    guilds, members, vcps = size.of("guilds"), size.of("members"), size.of("vcps")
    places, chosen = [], []
    for g in range(guilds):
        board = em.create_user(f"board-{g}", locale="nl")
        guild = em.create_guild(f"Vereniging {g:04d}", owner=board, locale="nl")
        em.add_member(guild, board, permissions=perm.MANAGE_GUILD)
        people = [em.create_user(f"lid-{g}-{n}") for n in range(members // guilds - 1 or 1)]
        for person in people:
            em.add_member(guild, person)
        places.append(Place(guild, people))
        chosen += people[: vcps // guilds + (1 if g < vcps % guilds else 0)]
    return World(world, places, chosen)


async def seed_database(db: Database, world: World) -> None:
    """Associations joined and approved with their VCPs, the hub configured."""
    net, now = world.network, datetime.now(UTC)
    vcps = {v.id for v in world.vcps}
    async with db.sessions.begin() as session:
        await network.configure_hub(
            session,
            guild_id=net.hub.id,
            escalations_channel_id=net.escalations.id,
            team_role_id=net.team_role.id,
            coordinator_role_id=net.coordinator_role.id,
            log_channel_id=net.network_log.id,
            actor_id=net.hub_admin.id,
            now=now,
        )
    for start in range(0, len(world.places), BATCH):
        batch = world.places[start : start + BATCH]
        tokens = []
        async with db.sessions.begin() as session:
            for place in batch:
                tokens.append(
                    await _join(session, place, [m for m in place.members if m.id in vcps])
                )
        async with db.sessions.begin() as session:
            for token in tokens:
                await network.decide_request(
                    session,
                    request_token=token,
                    approve=True,
                    decided_by=net.coordinator.id,
                    now=now,
                    zone=ZONE,
                )


async def _join(session: AsyncSession, place: Place, vcps: list[User]) -> str:
    guild, now = place.guild, datetime.now(UTC)
    asked = await network.request_join(
        session,
        guild_id=guild.id,
        name=guild.name,
        short_name=guild.name[:20],
        locale="nl",
        vcp_role_id=guild.create_role("VCP").id,
        rules_channel_id=None,
        requested_by=guild.owner_id,
        now=now,
    )
    for vcp in vcps:
        await network.add_vcp(
            session,
            guild_id=guild.id,
            user_id=vcp.id,
            display_name=vcp.username,
            actor_id=guild.owner_id,
            now=now,
        )
    return str(asked.association.request_token)


def reminder_policy() -> Policy:
    """One reminder per invitee, ``REMINDER_LEAD`` before the start (the processes' setting)."""
    return Policy(leads=(Lead.parse(REMINDER_LEAD),), optional=(), attending_only=frozenset())


async def seed_sessions(db: Database, vcps: Sequence[User]) -> None:
    """Sessions of at most ``SESSION_CAP`` VCPs, all at one time two hours from now."""
    now = datetime.now(UTC)
    starts = (now + timedelta(hours=2)).replace(second=0, microsecond=0)
    for start in range(0, len(vcps), SESSION_CAP):
        async with db.sessions.begin() as session:
            await intervisie.plan_session(
                session,
                title=fanout.TITLE,
                starts_at=starts,
                duration_minutes=60,
                location=intervisie.Location.room("Zaal 1"),
                agenda=None,
                invitees=intervisie.Invitees.people(
                    *(v.id for v in vcps[start : start + SESSION_CAP])
                ),
                now=now,
                policy=reminder_policy(),
            )


async def seed_kmtm(db: Database, guild_ids: list[int]) -> None:
    """Closed periods, one a year, in which every association logged (timed here, and in
    the bot)."""
    rng = random.Random(2026)
    year = datetime.now(UTC).year - 2
    for back, name in enumerate(REPORT_HERE + REPORT_BOT):
        in_year = year - back
        start, end = kmtm_reports.period_dates(in_year)
        async with db.sessions.begin() as session:
            period = await kmtm.create_period(session, name=name, start_date=start, end_date=end)
            ids = await kmtm_reports.association_ids(session, guild_ids)
            await kmtm_reports.counters(session, period.id, ids, rng)
            await kmtm.close_period(
                session, name=name, now=datetime(in_year, 9, 1, 12, tzinfo=ZONE), zone=ZONE
            )


# -- the processes ----------------------------------------------------------------------


@dataclass
class Line:
    at: float
    text: str


@dataclass
class Process:
    """One ``vcpbot run`` for one shard; its output read as it is written."""

    shard: int
    process: asyncio.subprocess.Process
    lines: list[Line] = field(default_factory=list)
    readers: list[asyncio.Task[None]] = field(default_factory=list)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    killed_at: float | None = None

    async def read(self, stream: asyncio.StreamReader) -> None:
        while line := await stream.readline():
            text = line.decode("utf-8", "replace").rstrip()
            self.lines.append(Line(time.monotonic(), text))
            if text == "ready":
                self.ready.set()

    def said(self, text: str, since: float = 0.0) -> Line | None:
        return next((ln for ln in self.lines if ln.at >= since and text in ln.text), None)

    def rss_mib(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        kib = next(ln.split()[1] for ln in status.splitlines() if ln.startswith("VmRSS:"))
        return int(kib) / 1024

    def tail(self) -> str:
        return "\n".join(ln.text for ln in self.lines[-30:])

    async def kill(self) -> None:
        self.killed_at = time.monotonic()
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 15)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        await asyncio.gather(*self.readers, return_exceptions=True)


async def spawn(env: dict[str, str], shard: int) -> Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.shardproc",
        "run",
        "--shard-ids",
        str(shard),
        "--shard-count",
        str(SHARDS),
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    found = Process(shard, process)
    assert process.stdout is not None and process.stderr is not None
    found.readers = [
        asyncio.create_task(found.read(process.stdout)),
        asyncio.create_task(found.read(process.stderr)),
    ]
    return found


async def start_all(env: dict[str, str]) -> tuple[list[Process], float]:
    """The 4 processes, spawned together; seconds until the last is ready."""
    started = time.monotonic()
    procs = [await spawn(env, shard) for shard in range(SHARDS)]
    try:
        async with asyncio.timeout(START_TIMEOUT_S):
            await asyncio.gather(*(p.ready.wait() for p in procs))
    except TimeoutError:
        await stop_all(procs)
        tails = "\n\n".join(p.tail() for p in procs)
        raise RuntimeError(f"not every process became ready:\n{tails}") from None
    return procs, time.monotonic() - started


async def stop_all(procs: list[Process]) -> None:
    await asyncio.gather(*(p.stop() for p in procs))
    errors = [ln.text for p in procs for ln in p.lines if " ERROR " in ln.text]
    if errors:
        print(f"  the processes logged {len(errors)} error(s), e.g. {errors[0]}")


async def leader_of(procs: list[Process], within: float = HAND_OVER_WITHIN_S) -> Process:
    """The running process that said it leads (at start-up it leads before its cogs load, so
    there is no rebuild to wait for)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        leading = [p for p in procs if p.process.returncode is None and p.said(NOW_LEADS)]
        if len(leading) > 1:
            raise RuntimeError(f"{len(leading)} processes say they lead")
        if leading:
            return leading[0]
        await asyncio.sleep(0.05)
    raise RuntimeError("no process leads:\n" + "\n\n".join(p.tail() for p in procs))


def process_env(em: Emulator, url: str, hub: int, keys: tuple[str, str]) -> dict[str, str]:
    """What ``benchmarks.scaleout`` gives its processes; at INFO, so leadership shows."""
    return environment(em, url, hub, keys) | {
        "VCPBOT_LOG_LEVEL": "INFO",
        "VCPBOT_INTERVISIE__REMINDER_LEADS": f'["{REMINDER_LEAD}"]',
        "VCPBOT_INTERVISIE__OPTIONAL_LEADS": "[]",
        "VCPBOT_INTERVISIE__ATTENDING_ONLY_LEADS": "[]",
    }


# -- measuring --------------------------------------------------------------------------


async def time_report_here(url: str) -> tuple[float, float]:
    """Milliseconds for the report by association over every association, and its chart:
    the medians over ``REPORT_REPEATS`` periods (a first chart by category draws the cold
    import first)."""
    await kmtm_reports.time_service(url, REPORT_HERE[0], Dimension.CATEGORY)
    timed = [
        await kmtm_reports.time_service(url, period, Dimension.ASSOCIATION)
        for period in REPORT_HERE
    ]
    return (
        statistics.median(t[0] for t in timed) * 1000,
        statistics.median(t[1] for t in timed) * 1000,
    )


async def time_report_bot(em: Emulator, net: NetworkWorld) -> float:
    """Milliseconds from the coordinator's ``/kmtm report`` by association until posted,
    the median over ``REPORT_REPEATS`` periods (after one by category, so the hub's
    process has drawn its first chart)."""
    asked = [(REPORT_BOT[0], Dimension.CATEGORY)]
    asked += [(period, Dimension.ASSOCIATION) for period in REPORT_BOT]
    shown = []
    for period, dimension in asked:
        result = await em.person(net.coordinator).slash(
            net.hub,
            "kmtm",
            {"period": period, "by": dimension.value},
            subcommand="report",
            channel=net.hub_general,
            wait=False,
        )
        found = await until_shown(em, result.interaction, REPORT_WITHIN_S)
        shown.append(math.nan if found is None else found * 1000)
    return statistics.median(shown[1:])


async def hand_over(em: Emulator, world: World, procs: list[Process], out: Measured) -> None:
    """Kill the leader while members run /help where the other processes answer."""
    leader = await leader_of(procs)
    places = [p for p in world.places if (p.guild.id >> 22) % SHARDS != leader.shard]
    load, stop = Result(len(procs) - 1, 0.0), asyncio.Event()
    loaded = time.monotonic()
    task = asyncio.create_task(
        closed_loop(em, places, concurrency=LOAD_CONCURRENCY, result=load, stop=stop)
    )
    await asyncio.sleep(LOAD_BEFORE_KILL_S)
    await leader.kill()
    assert leader.killed_at is not None
    deadline = time.monotonic() + HAND_OVER_WITHIN_S
    while time.monotonic() < deadline and math.isnan(out.hand_over_s):
        for p in procs:
            if p is not leader and (line := p.said(REBUILT, since=leader.killed_at)):
                out.hand_over_s = line.at - leader.killed_at
                out.rebuild_s = _rebuild_seconds(line.text)
        await asyncio.sleep(0.01)
    await asyncio.sleep(LOAD_AFTER_S)
    stop.set()
    await task
    out.help_answered, out.help_failed = len(load.latencies), load.failed
    out.help_seconds = time.monotonic() - loaded


def _rebuild_seconds(logged: str) -> float:
    """The seconds in "leader's timed work rebuilt in 0.07 s"."""
    found = re.search(r"rebuilt in (\d+(?:\.\d+)?) s", logged)
    return float(found.group(1)) if found else math.nan


async def fan_out(
    em: Emulator, url: str, env: dict[str, str], world: World, *, lead: float, out: Measured
) -> None:
    """Restart the processes just before the reminders are due; time the last DM."""
    due = await fanout.due_times(url)
    if len(due) != len(world.vcps) or len(set(due)) != 1:
        raise RuntimeError(f"expected {len(world.vcps)} reminders due at once, found {len(due)}")
    channels = {em.world.dm_channel(v).id for v in world.vcps}
    clock = fanout.DmClock(em, channels, fanout.TITLE)
    offset = due[0].timestamp() - (time.time() + lead)
    fire = time.monotonic() + lead
    out.fan_minimum_s = fanout.minimum_seconds(em, len(world.vcps))
    out.national_minimum_s = fanout.minimum_seconds(em, NATIONAL["vcps"])
    procs, _ = await start_all(env | {CLOCK_OFFSET_ENV: f"{offset}"})
    try:
        if time.monotonic() > fire:
            out.fan_late = True
            print("  the restarted processes became ready after the reminders fell due")
        await em.world.wait_for(
            lambda: len(clock.arrivals) >= len(world.vcps) or None,
            within=lead + 3 * out.fan_minimum_s + 60,
            what="every reminder DM",
        )
        await asyncio.sleep(fanout.DUPLICATE_GRACE_S)
    except AssertionError:
        print("  not every reminder arrived in time")
    finally:
        clock.close()
        await stop_all(procs)
    counts = [len(fanout.reminders_in(em, v)) for v in world.vcps]
    out.delivered = sum(1 for c in counts if c)
    out.duplicates = sum(c - 1 for c in counts if c > 1)
    out.fan_s = max(clock.arrivals, default=math.nan) - fire


async def measure_size(server_url: str, size: Size) -> Measured:
    out = Measured(size)
    async with postgres_database(server_url) as url, Emulator() as em:
        built = time.monotonic()
        world = build_servers(em, size)
        db = create_database(url)
        try:
            await seed_database(db, world)
            await seed_sessions(db, world.vcps)
            await seed_kmtm(db, [p.guild.id for p in world.places])
            keys = (generate_master_key(1), generate_index_key())
            env = process_env(em, url, world.network.hub.id, keys)
            await sync_commands(em, db, world.network.hub.id, env)
        finally:
            await db.dispose()
        print(f"  {size.label}: world built and seeded in {time.monotonic() - built:.1f} s")
        procs, out.start_s = await start_all(env)
        try:
            await asyncio.sleep(SETTLE_S)
            out.rss_mib = [p.rss_mib() for p in procs]
            print(f"  ready in {out.start_s:.1f} s; resident MiB {_mib(out.rss_mib)}")
            out.report_service_ms, out.report_chart_ms = await time_report_here(url)
            out.report_bot_ms = await time_report_bot(em, world.network)
            print(
                f"  report by association: service {out.report_service_ms:.0f} ms + chart "
                f"{out.report_chart_ms:.0f} ms; /kmtm report {out.report_bot_ms:.0f} ms"
            )
            await hand_over(em, world, procs, out)
            print(
                f"  hand-over {out.hand_over_s:.2f} s (rebuild {out.rebuild_s:.2f} s); /help "
                f"during it: {_help(out)}"
            )
        finally:
            await stop_all(procs)
        await fan_out(em, url, env, world, lead=2 * out.start_s + START_MARGIN_S, out=out)
        out.refused = len(em.failures)
    print(
        f"  fan-out: {out.delivered} delivered, {out.duplicates} duplicates, {out.fan_s:.1f} s "
        f"from due to last (the limits' minimum {out.fan_minimum_s:.1f} s)"
    )
    return out


def _help(m: Measured) -> str:
    rate = m.help_answered / m.help_seconds if m.help_seconds > 0 else math.nan
    return f"{m.help_answered} ({_number(rate)}/s) / {m.help_failed}"


def _mib(values: list[float]) -> str:
    return ", ".join(f"{v:.0f}" for v in values) or "-"


# -- the tables -------------------------------------------------------------------------

FIGURES = (
    ("start-up: spawn → all 4 ready", "s", lambda m: m.start_s),
    ("resident memory, largest process", "MiB", lambda m: max(m.rss_mib, default=math.nan)),
    ("resident memory, all 4 processes", "MiB", lambda m: sum(m.rss_mib) or math.nan),
    ("KMTM report by association: service + chart", "ms",
     lambda m: m.report_service_ms + m.report_chart_ms),
    ("/kmtm report by association: until posted", "ms", lambda m: m.report_bot_ms),
    ("leader hand-over under /help load", "s", lambda m: m.hand_over_s),
    ("the new leader's rebuild of its timed work", "s", lambda m: m.rebuild_s),
)  # fmt: skip


def _number(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.2f}" if abs(value) < 10 else f"{value:.0f}"


def sizes_table(results: list[Measured]) -> str:
    header = [
        "size",
        "servers",
        "members",
        "VCPs",
        "start-up s",
        "RSS per process MiB",
        "fan-out s",
        "minimum s",
        "fan-out / minimum",
        "delivered",
        "duplicates",
        "report ms (service + chart)",
        "/kmtm report ms",
        "hand-over s",
        "rebuild s",
        "/help during hand-over: answered (per s) / unanswered",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---:|" * len(header)]
    for m in results:
        s = m.size
        ratio = m.fan_s / m.fan_minimum_s if m.fan_minimum_s > 0 else math.nan
        cells = [
            f"{s.fraction:g}",
            str(s.of("guilds")),
            str(s.of("members")),
            str(s.of("vcps")),
            _number(m.start_s),
            _mib(m.rss_mib),
            _number(m.fan_s) + (" (late)" if m.fan_late else ""),
            _number(m.fan_minimum_s),
            "-" if math.isnan(ratio) else f"{ratio:.2f}x",
            f"{m.delivered}/{s.of('vcps')}",
            str(m.duplicates),
            f"{_number(m.report_service_ms)} + {_number(m.report_chart_ms)}",
            _number(m.report_bot_ms),
            _number(m.hand_over_s),
            _number(m.rebuild_s),
            _help(m),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def growth_lines(results: list[Measured]) -> list[str]:
    """Per figure: a least-squares line over the sizes, and its value at the national size."""
    lines = []
    for label, unit, value in FIGURES:
        points = [(m.size.fraction, value(m)) for m in results if not math.isnan(value(m))]
        lines.append(f"{label}: {growth(points, unit)}")
    # The fan-out cannot beat the limits: what grows is the time beyond their minimum.
    excess = [
        (m.size.fraction, m.fan_s - m.fan_minimum_s) for m in results if not math.isnan(m.fan_s)
    ]
    minimum = results[-1].national_minimum_s if results else math.nan
    lines.append(
        f"reminder fan-out, beyond the limits' minimum: {growth(excess, 's')}; the national "
        f"minimum for {NATIONAL['vcps']} VCPs is {minimum:.0f} s (exact, from the limits)"
    )
    return lines


def growth(points: list[tuple[float, float]], unit: str) -> str:
    """The line through ``points`` (fraction, value) and where it reaches the national size;
    a line that falls is noise, not growth: then the largest value measured stands."""
    basis = ", ".join(f"{x:g}" for x, _ in points) or "none"
    if len({x for x, _ in points}) < 2:
        return f"no line (measured at {len(points)} size(s): {basis})"
    fit = statistics.linear_regression([x for x, _ in points], [y for _, y in points])
    if fit.slope <= 0:
        largest = max(y for _, y in points)
        return (
            f"no growth seen over the sizes {basis} (the line does not rise: the noise is "
            f"larger than any growth); national taken as the largest measured, "
            f"{_number(largest)} {unit}"
        )
    return (
        f"{_number(fit.intercept)} {unit} + {_number(fit.slope / 100)} {unit} per 1% of the "
        f"national world; national (extrapolated, linear over the sizes {basis}): "
        f"{_number(fit.intercept + fit.slope)} {unit}"
    )


async def run(args: argparse.Namespace) -> int:
    sizes = [Size(SMOKE_SIZE)] if args.smoke else [Size(float(s)) for s in args.sizes.split(",")]
    print(f"machine: {os.cpu_count()} cores; sizes (fractions of the national world): "
          f"{', '.join(f'{s.fraction:g}' for s in sizes)}")  # fmt: skip
    results, failures = [], []
    for size in sizes:
        print(f"size {size.fraction:g}: {size.label}")
        measured = await measure_size(args.postgres, size)
        results.append(measured)
        failures += _failures(measured)
    print(sizes_table(results))
    for line in growth_lines(results):
        print(line)
    for failure in failures:
        print(f"failure: {failure}")
    return 1 if failures else 0


def _failures(m: Measured) -> list[str]:
    found = []
    if m.delivered != m.size.of("vcps"):
        found.append(f"{m.size.fraction:g}: {m.delivered} of {m.size.of('vcps')} reminders")
    if m.duplicates:
        found.append(f"{m.size.fraction:g}: {m.duplicates} duplicate reminder(s)")
    if math.isnan(m.hand_over_s):
        found.append(f"{m.size.fraction:g}: no process took over from the killed leader")
    if m.refused:
        found.append(f"{m.size.fraction:g}: {m.refused} request(s) Discord would refuse")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.national", description=__doc__)
    parser.add_argument(
        "--sizes",
        default=DEFAULT_SIZES,
        help="fractions of the national world, comma-separated (1 = 2,000 servers)",
    )
    parser.add_argument("--smoke", action="store_true", help=f"one size, {SMOKE_SIZE:g} (for CI)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("VCPBOT_TEST_DATABASE_URL"),
        help="a PostgreSQL server URL (default: $VCPBOT_TEST_DATABASE_URL)",
    )
    args = parser.parse_args(argv)
    if not args.postgres:
        parser.error("4 processes share PostgreSQL: --postgres or VCPBOT_TEST_DATABASE_URL")
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
