"""Several real bot processes on one PostgreSQL database and one emulated Discord.

Each process is ``vcpbot run --shard-ids ... --shard-count 4`` in an operating
system process of its own (``bot_process.py``), so SIGKILL is real: its sockets
close, its advisory lock goes, nothing of it runs on. The test process holds the
emulator and the people in it, and reads each process's log as it is written, to
know which process leads and when it took over.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from discord_emulator import Emulator
from discord_emulator.entities import User
from discord_emulator.guild import Guild
from vcpbot.bot import create_bot
from vcpbot.db import Database
from vcpbot.discord_endpoints import discord_endpoints
from vcpbot.leadership import Leadership, PostgresLeadership
from vcpbot.services import escalation, intervisie, network
from vcpbot.settings import Settings
from vcpbot_harness import NetworkWorld, runtime_dir_for, settings_for
from vcpbot_harness.steps.escalation import CODE

SCRIPT = Path(__file__).with_name("bot_process.py")
ROOT = Path(__file__).parents[2]
SHARDS = 4
START_TIMEOUT_S = 60.0
# Short, so that a hand-over takes about a second in the tests (5 s by default).
RETRY_S = 0.5
REMINDER_LEASE_S = 3.0

NOW_LEADS = "this process now leads"
REBUILT = "leader's timed work rebuilt"
LOST = "lost leadership"


def shard_of(guild: Guild) -> int:
    return (guild.id >> 22) % SHARDS


@dataclass
class LogLine:
    at: float  # time.monotonic() when the test read it
    text: str


@dataclass
class BotProcess:
    """One ``vcpbot run`` for some of the shards."""

    name: str
    shard_ids: list[int]
    env: dict[str, str]
    process: asyncio.subprocess.Process | None = None
    lines: list[LogLine] = field(default_factory=list)
    killed_at: float | None = None
    started_at: float = 0.0
    _readers: list[asyncio.Task[None]] = field(default_factory=list)
    _ready: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        self._ready = asyncio.Event()
        self.killed_at = None
        self.started_at = time.monotonic()
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(SCRIPT),
            "run",
            "--shard-ids",
            ",".join(str(i) for i in self.shard_ids),
            "--shard-count",
            str(SHARDS),
            env=self.env,
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        assert self.process.stdout is not None and self.process.stderr is not None
        self._readers = [
            asyncio.create_task(self._read(self.process.stdout)),
            asyncio.create_task(self._read(self.process.stderr)),
        ]

    async def ready(self) -> None:
        try:
            await asyncio.wait_for(self._ready.wait(), START_TIMEOUT_S)
        except TimeoutError:
            raise AssertionError(f"process {self.name} did not start:\n{self.log()}") from None

    async def _read(self, stream: asyncio.StreamReader) -> None:
        while line := await stream.readline():
            text = line.decode("utf-8", "replace").rstrip()
            self.lines.append(LogLine(time.monotonic(), text))
            if text == "ready":
                self._ready.set()

    def log(self, last: int = 40) -> str:
        return "\n".join(line.text for line in self.lines[-last:])

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    @property
    def leads(self) -> bool:
        """What this process last said about leading (a killed one leads nothing)."""
        if not self.running:
            return False
        for line in reversed(self.lines):
            if line.at < self.started_at:
                return False  # said by an earlier run of this process
            if NOW_LEADS in line.text:
                return True
            if LOST in line.text or "stopped leading" in line.text:
                return False
        return False

    def said(self, text: str, *, since: float = 0.0) -> LogLine | None:
        return next((ln for ln in self.lines if ln.at >= since and text in ln.text), None)

    def errors(self) -> list[str]:
        return [ln.text for ln in self.lines if " ERROR " in ln.text or "Traceback" in ln.text]

    async def kill(self) -> None:
        """SIGKILL, as the kernel's OOM killer or a power cut would end it."""
        if self.running:
            assert self.process is not None
            self.killed_at = time.monotonic()
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()
        await self._drain()

    async def stop(self) -> None:
        if self.running:
            assert self.process is not None
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        await self._drain()

    async def _drain(self) -> None:
        readers, self._readers = self._readers, []
        await asyncio.gather(*readers, return_exceptions=True)


@dataclass
class Deployment:
    """Processes, their shards, the emulated Discord and the shared database."""

    emulator: Emulator
    world: NetworkWorld
    url: str
    db: Database  # the test's own connection to the shared database
    env: dict[str, str]
    processes: list[BotProcess] = field(default_factory=list)
    guilds: dict[int, Guild] = field(default_factory=dict)  # an association server per shard
    boards: dict[int, User] = field(default_factory=dict)  # each server's board member

    def add(self, name: str, shard_ids: list[int]) -> BotProcess:
        process = BotProcess(name, shard_ids, dict(self.env))
        self.processes.append(process)
        return process

    async def start(self, *processes: BotProcess) -> None:
        """Start them at the same moment; wait until each has all its shards."""
        chosen = processes or tuple(self.processes)
        for process in chosen:
            await process.start()
        await asyncio.gather(*(process.ready() for process in chosen))

    async def stop(self) -> None:
        await asyncio.gather(*(process.stop() for process in self.processes))

    def owner_of(self, guild: Guild | None) -> BotProcess:
        """The process that runs a server's shard (shard 0 for a DM)."""
        shard = 0 if guild is None else shard_of(guild)
        return next(p for p in self.processes if shard in p.shard_ids)

    async def leader(self, within: float = 10.0) -> BotProcess:
        """The one process that leads; fails if two ever say they do."""
        deadline = time.monotonic() + within
        while True:
            leading = [p for p in self.processes if p.leads]
            assert len(leading) <= 1, [p.name for p in leading]
            if leading:
                return leading[0]
            if time.monotonic() > deadline:
                logs = "\n\n".join(f"{p.name}:\n{p.log()}" for p in self.processes)
                raise AssertionError(f"no process leads within {within} s:\n{logs}")
            await asyncio.sleep(0.02)

    async def hand_over(self, killed: BotProcess, within: float = 15.0) -> tuple[BotProcess, float]:
        """After the leader was killed: the next leader, and the seconds from the kill until
        it led and had rebuilt its jobs from the database."""
        assert killed.killed_at is not None
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            for process in self.processes:
                rebuilt = process.said(REBUILT, since=killed.killed_at)
                if process is not killed and rebuilt is not None:
                    return process, rebuilt.at - killed.killed_at
            await asyncio.sleep(0.01)
        logs = "\n\n".join(f"{p.name}:\n{p.log()}" for p in self.processes)
        raise AssertionError(f"no process took over within {within} s:\n{logs}")

    def settings(self, **values: Any) -> Settings:
        """The deployment's settings, for what the test does beside the processes."""
        return settings_for(
            self.emulator,
            hub_guild_id=self.world.hub.id,
            database_url=self.url,
            master_keys=self.env["VCPBOT_MASTER_KEYS"],
            index_key=self.env["VCPBOT_INDEX_KEY"],
            runtime_dir=self.env["VCPBOT_RUNTIME_DIR"],
            intervisie={
                "reminder_leads": ["PT1M"],
                "optional_leads": ["PT2M"],
                "attending_only_leads": [],
            },
            **values,
        )

    async def sync_commands(self) -> None:
        """What an operator does once with ``vcpbot sync``."""
        with discord_endpoints(self.emulator.api_base, self.emulator.gateway_url):
            bot = create_bot(self.settings(), self.db, leadership=Leadership())
            try:
                await bot.login(self.emulator.token)
                await bot.tree.sync()
            finally:
                await bot.close()

    async def wake_leader(self, topic: str) -> None:
        """What a process does after committing work for the leader."""
        waker = PostgresLeadership(self.db.engine, self.settings().leadership, candidate=False)
        await waker.wake(topic)

    async def wait(self, probe: Callable[[], Any], what: str, within: float = 20.0) -> Any:
        return await self.emulator.world.wait_for(probe, within=within, what=what)


def process_env(emulator: Emulator, world: NetworkWorld, url: str, keys: tuple[str, str]) -> dict:
    """A deployment's settings as the environment variables of a systemd unit."""
    keep = {k: v for k, v in os.environ.items() if not k.upper().startswith("VCPBOT_")}
    return keep | {
        "PYTHONPATH": str(ROOT),
        "VCPBOT_DISCORD_TOKEN": emulator.token,
        "VCPBOT_DISCORD_API_BASE": emulator.api_base,
        "VCPBOT_DISCORD_GATEWAY_URL": emulator.gateway_url,
        "VCPBOT_DATABASE_URL": url,
        "VCPBOT_HUB_GUILD_ID": str(world.hub.id),
        # At DEBUG, as an operator investigating would run it: the log must name no one then
        # either (checked after every test, tests/helpers/log_privacy.py).
        "VCPBOT_LOG_LEVEL": "DEBUG",
        "VCPBOT_MASTER_KEYS": keys[0],
        "VCPBOT_INDEX_KEY": keys[1],
        # One machine: its processes share the runtime key through this directory.
        "VCPBOT_RUNTIME_DIR": str(runtime_dir_for(emulator)),
        "VCPBOT_ESCALATION__ARGON2_TIME_COST": "1",
        "VCPBOT_ESCALATION__ARGON2_MEMORY_KIB": "8",
        "VCPBOT_ESCALATION__OUTBOX_POLL_SECONDS": "0.2",
        "VCPBOT_ESCALATION__BATCH_MIN_MINUTES": "0",
        "VCPBOT_ESCALATION__BATCH_MAX_MINUTES": "0",
        "VCPBOT_LEADERSHIP__RETRY_SECONDS": str(RETRY_S),
        "VCPBOT_LEADERSHIP__LOST_AFTER_SECONDS": "3",
        # A reminder one minute before the start: a session planned a minute and a few
        # seconds ahead has its reminders due within the test.
        "VCPBOT_INTERVISIE__REMINDER_LEADS": '["PT1M"]',
        # A VCP may choose two minutes before instead (tests of personal lead times).
        "VCPBOT_INTERVISIE__OPTIONAL_LEADS": '["PT2M"]',
        "VCPBOT_INTERVISIE__ATTENDING_ONLY_LEADS": "[]",
        "VCPBOT_TEST_REMINDER_LEASE_S": str(REMINDER_LEASE_S),
    }


# --- what the network holds, written as the bot's services write it ---------------------


async def set_up_hub(deployment: Deployment) -> None:
    world = deployment.world
    async with deployment.db.sessions.begin() as session:
        await network.configure_hub(
            session,
            guild_id=world.hub.id,
            escalations_channel_id=world.escalations.id,
            team_role_id=world.team_role.id,
            coordinator_role_id=world.coordinator_role.id,
            log_channel_id=world.network_log.id,
            actor_id=world.hub_admin.id,
            now=datetime.now(UTC),
        )


async def approved_association(
    deployment: Deployment, guild: Guild, vcps: Sequence[User] = ()
) -> network.AssociationView:
    """A server in the network, with these VCPs registered."""
    now = datetime.now(UTC)
    async with deployment.db.sessions.begin() as session:
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
    async with deployment.db.sessions.begin() as session:
        return await network.decide_request(
            session,
            request_token=asked.association.request_token,
            approve=True,
            decided_by=deployment.world.coordinator.id,
            now=now,
            zone=ZoneInfo("Europe/Amsterdam"),
        )


def members(deployment: Deployment, guild: Guild, count: int, prefix: str) -> list[User]:
    emulator = deployment.emulator
    people = [emulator.create_user(f"{prefix}-{n}", locale="nl") for n in range(count)]
    for person in people:
        emulator.add_member(guild, person)
    return people


async def session_with_reminders_in(
    deployment: Deployment,
    association: str,
    seconds: float,
    title: str,
    *,
    lead: timedelta = timedelta(minutes=1),
) -> None:
    """An intervisie session for every VCP of an association, its reminders (``lead``
    before the start: one minute, as everyone gets them) due in ``seconds``."""
    now = datetime.now(UTC)
    policy = intervisie.Policy.from_settings(deployment.settings())
    async with deployment.db.sessions.begin() as session:
        await intervisie.plan_session(
            session,
            title=title,
            starts_at=now + lead + timedelta(seconds=seconds),
            duration_minutes=60,
            location=intervisie.Location.room("Zaal 1"),
            agenda=None,
            invitees=intervisie.Invitees(associations=(association,)),
            now=now,
            policy=policy,
        )


def dms_mentioning(deployment: Deployment, person: User, text: str) -> int:
    bot = deployment.emulator.bot_user
    return sum(1 for m in deployment.emulator.dms(person) if m.author is bot and text in m.text)


async def cases_submitted(deployment: Deployment, association_id: int, count: int) -> list[str]:
    """``count`` VCPs each escalate a case to the UM team; their codes."""
    settings = deployment.settings(
        escalation={
            "argon2_time_cost": 1,
            "argon2_memory_kib": 8,
            "argon2_parallelism": 1,
            "batch_min_minutes": 0,
            "batch_max_minutes": 0,
        }
    )
    config = escalation.EscalationConfig.from_settings(settings)
    codes = []
    for n in range(count):
        receipt = await escalation.prepare_receipt(config)
        async with deployment.db.sessions.begin() as session:
            submitted = await escalation.submit_case(
                session,
                config=config,
                route=escalation.Route.VCP,
                user_id=10_000 + n,
                association_id=association_id,
                category="advice",
                urgency="soon",
                text=f"Melding {n}.",
                association_shown=False,
                receipt=receipt,
                now=datetime.now(UTC),
            )
        codes.append(submitted.code)
    return codes


def hub_cards(deployment: Deployment) -> Counter[str]:
    """How often each case code is on a card in the hub's escalations channel."""
    emulator = deployment.emulator
    return Counter(
        found.group(0)
        for m in emulator.channel_messages(deployment.world.escalations, viewer=emulator.bot_user)
        if m.author is emulator.bot_user and m.buttons and (found := CODE.search(m.text))
    )
