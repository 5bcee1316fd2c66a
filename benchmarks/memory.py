"""Memory and start-up: the real bot and the bare bot in the same worlds, and what memory
costs at the margin (per guild, per member, per open form) against the bare bot's.

Each world is an emulator of its own with that many guilds (each with three
channels, two roles and a number of members, drawn from one pool of people). Each
bot's process is started in it and timed from being spawned to printing ``ready``
(connected, every guild received, commands synced); a second later its resident
memory (``VmRSS``, and the peak ``VmHWM``) is read from ``/proc``. The real bot
runs on a fresh, migrated database of the kind under test.

The marginal costs are slopes of a least-squares line through resident memory
against size, one bot at a time: per guild over the guild counts (ten members
each), per member over the members per guild (in the smallest of those worlds),
and per open view in a world of its own, where one process at a time gets more
and more ``/kmtm log`` forms opened and left open (the bot keeps each form, and
its 30-minute timer, until it is submitted or expires; the bare bot keeps its
form too, without a timer), after a few forms that warm up the code paths. The
intercept of the guild line is the constant: the imports and everything a bot
holds before its first guild.
"""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from benchmarks.flows import open_kmtm_form
from benchmarks.processes import BotProcess, fresh_database, running, vcpbot_args
from benchmarks.report import Figure
from benchmarks.world import (
    gather_limited,
    open_kmtm_period,
    register_vcps,
    set_up_network,
)
from discord_emulator import Emulator
from discord_emulator.driver import Person
from discord_emulator.entities import User
from discord_emulator.guild import Guild
from vcpbot_harness import add_student, seed_network_world

GOAL_RATIO = 1.3
# The goal for the marginal costs, as a ratio to the bare bot's slope.
MARGINAL_GOAL = 1.2
MEMBERS_PER_GUILD = 10
PEOPLE = 100
SETTLE_S = 1.0
# Two processes of the same bot in the same world differ by a few hundred KiB: a slope
# smaller than this much over the whole range of sizes cannot be told from zero.
RESOLUTION_KIB = 512.0
# Registered VCPs who open the forms in the open-view world, each in turn.
FORM_OPENERS = 10
# Forms opened (and left open) before the first reading: the first ones also pay for the
# code paths and caches the form uses once, which is not a cost per form.
FORMS_TO_WARM_UP = 5
OPEN_CONCURRENCY = 5


def build_guilds(em: Emulator, count: int, members: int = MEMBERS_PER_GUILD) -> None:
    pool = max(PEOPLE, members)
    people = [em.create_user(f"person-{i}", locale="nl") for i in range(pool)]
    # A step coprime to the pool size, so a guild's members are all different people.
    step = next(s for s in range(7, pool) if _coprime(s, pool))
    for g in range(count):
        owner = people[g % pool]
        guild = em.create_guild(f"Vereniging {g}", owner=owner, locale="nl")
        guild.create_text_channel("rules")
        guild.create_text_channel("vcp")
        guild.create_role("VCP")
        guild.create_role("Board")
        for m in range(1, members):
            em.add_member(guild, people[(g + m * step) % pool])


def _coprime(a: int, b: int) -> bool:
    while b:
        a, b = b, a % b
    return a == 1


@dataclass(frozen=True)
class Reading:
    """One bot after ready: seconds to ready, resident KiB a moment later, and the peak."""

    start_s: float
    rss_kib: int
    peak_kib: int


async def _sample(bot: BotProcess) -> Reading:
    await asyncio.sleep(SETTLE_S)
    return Reading(bot.start_seconds, _rss(bot), _peak(bot))


def _rss(bot: BotProcess) -> int:
    rss = bot.memory_kib("VmRSS")
    if rss is None:
        raise RuntimeError("no /proc/<pid>/status to read memory from (Linux only)")
    return rss


def _peak(bot: BotProcess) -> int:
    return bot.memory_kib("VmHWM") or 0


async def _world(
    kind: str, postgres_url: str | None, guilds: int, members: int
) -> tuple[Reading, Reading]:
    """The real bot, then the bare bot, in one world of ``guilds`` x ``members``."""
    async with Emulator() as em:
        build_guilds(em, guilds, members)
        async with (
            fresh_database(kind, postgres_url) as url,
            running(em, "vcpbot", *vcpbot_args(url, None)) as bot,
        ):
            ours = await _sample(bot)
        async with running(em, "baseline") as bot:
            bare = await _sample(bot)
    return ours, bare


async def measure(
    name: str,
    kind: str,
    postgres_url: str | None,
    sizes: tuple[int, ...],
    *,
    members: tuple[int, ...] = (),
    views: tuple[int, ...] = (),
) -> list[Figure]:
    rows: list[Figure] = []
    by_guilds: dict[int, tuple[Reading, Reading]] = {}
    for count in sizes:
        ours, bare = by_guilds[count] = await _world(kind, postgres_url, count, MEMBERS_PER_GUILD)
        rows += _size_rows(name, f"{count} guilds", ours, bare)
    if len(by_guilds) >= 2:
        rows += _marginal_rows(name, "guild", by_guilds, f"{_sizes(sizes)} guilds")
        rows.append(_constant_row(name, by_guilds))
    if len(set(members)) >= 2 and sizes:
        guilds = min(sizes)
        by_members: dict[int, tuple[Reading, Reading]] = {}
        for per_guild in members:
            found = by_guilds.get(guilds) if per_guild == MEMBERS_PER_GUILD else None
            by_members[guilds * per_guild] = found or await _world(
                kind, postgres_url, guilds, per_guild
            )
        size = f"{guilds} guilds x {_sizes(members)} members"
        rows += _marginal_rows(name, "member", by_members, size)
    if len(set(views)) >= 2:
        rows += await _open_views(name, kind, postgres_url, views)
    return rows


def _size_rows(name: str, size: str, ours: Reading, bare: Reading) -> list[Figure]:
    ratio = ours.rss_kib / bare.rss_kib
    print(
        f"  {name}: {size}: ready in {ours.start_s:.1f} s (bare {bare.start_s:.1f} s), "
        f"{ours.rss_kib / 1024:.0f} MiB resident, peak {ours.peak_kib / 1024:.0f} MiB "
        f"(bare {bare.rss_kib / 1024:.0f} MiB, peak {bare.peak_kib / 1024:.0f} MiB)"
    )
    return [
        Figure(
            name,
            "resident memory after ready (VmRSS)",
            size,
            ours.rss_kib / 1024,
            bare.rss_kib / 1024,
            "MiB",
            goal=f"≤ {GOAL_RATIO:g}x",
            met=ratio <= GOAL_RATIO,
        ),
        Figure(name, "start-up: spawn → ready", size, ours.start_s, bare.start_s, "s"),
    ]


def _sizes(sizes: Sequence[int]) -> str:
    return "/".join(str(s) for s in sorted(set(sizes)))


@dataclass(frozen=True)
class Slope:
    """A least-squares line through (size, resident KiB)."""

    kib_per_unit: float
    intercept_kib: float
    # The smallest slope these sizes can show: RESOLUTION_KIB over their range.
    resolution: float

    @classmethod
    def fit(cls, points: dict[int, int]) -> Slope:
        sizes = sorted(points)
        slope, intercept = statistics.linear_regression(sizes, [points[s] for s in sizes])
        return cls(slope, intercept, RESOLUTION_KIB / (sizes[-1] - sizes[0]))


def marginal_verdict(ours: Slope, bare: Slope) -> bool:
    """Ours at most MARGINAL_GOAL times the bare bot's slope; where the bare bot's slope is
    too small to measure, ours must be too (a ratio of two noises says nothing)."""
    if bare.kib_per_unit < bare.resolution:
        return ours.kib_per_unit < ours.resolution
    return ours.kib_per_unit <= MARGINAL_GOAL * bare.kib_per_unit


def _marginal_rows(
    name: str, unit: str, readings: dict[int, tuple[Reading, Reading]], size: str
) -> list[Figure]:
    ours = Slope.fit({n: r[0].rss_kib for n, r in readings.items()})
    bare = Slope.fit({n: r[1].rss_kib for n, r in readings.items()})
    return [_marginal_row(name, unit, ours, bare, size)]


def _marginal_row(name: str, unit: str, ours: Slope, bare: Slope, size: str) -> Figure:
    print(
        f"  {name}: marginal memory per {unit}: {ours.kib_per_unit:.2f} KiB "
        f"(bare {bare.kib_per_unit:.2f} KiB; resolution {ours.resolution:.2f} KiB) over {size}"
    )
    return Figure(
        name,
        f"marginal memory per {unit} (least-squares slope)",
        size,
        # + 0.0: a slope of -0.01 shows as 0, not -0.
        round(ours.kib_per_unit, 1) + 0.0,
        round(bare.kib_per_unit, 1) + 0.0,
        "KiB",
        goal=f"≤ {MARGINAL_GOAL:g}x",
        met=marginal_verdict(ours, bare),
    )


def _constant_row(name: str, by_guilds: dict[int, tuple[Reading, Reading]]) -> Figure:
    ours = Slope.fit({n: r[0].rss_kib for n, r in by_guilds.items()})
    bare = Slope.fit({n: r[1].rss_kib for n, r in by_guilds.items()})
    print(
        f"  {name}: constant (intercept at no guild: imports and start-up): "
        f"{ours.intercept_kib / 1024:.1f} MiB (bare {bare.intercept_kib / 1024:.1f} MiB)"
    )
    return Figure(
        name,
        "constant memory: intercept at 0 guilds (imports)",
        f"{_sizes(list(by_guilds))} guilds",
        ours.intercept_kib / 1024,
        bare.intercept_kib / 1024,
        "MiB",
    )


# -- open views: /kmtm log forms left open -------------------------------------------------


async def _open_views(
    name: str, kind: str, postgres_url: str | None, views: tuple[int, ...]
) -> list[Figure]:
    """Both bots in one world (the hub, one association, registered VCPs, an open KMTM
    period); each gets the same numbers of forms opened and left open."""
    steps = sorted(set(views))
    async with Emulator() as em:
        world = seed_network_world(em)
        openers = [
            add_student(em, world, "tragos", f"opener-{i}", locale="nl")
            for i in range(FORM_OPENERS)
        ]
        guild = world.association("tragos").guild
        hub = world.hub.id
        async with fresh_database(kind, postgres_url) as url:
            async with running(em, "vcpbot", *vcpbot_args(url, hub)) as bot:
                await set_up_network(em, world, "tragos")
                await register_vcps(em, world, "tragos", openers)
                await open_kmtm_period(em, world)
                ours = await _forms_left_open(em, bot, openers, guild, steps)
            async with running(em, "baseline") as bot:
                bare = await _forms_left_open(em, bot, openers, guild, steps)
    size = f"{_sizes(steps)} open /kmtm log forms"
    unit = "open view (/kmtm log form)"
    return [_marginal_row(name, unit, Slope.fit(ours), Slope.fit(bare), size)]


async def _forms_left_open(
    em: Emulator, bot: BotProcess, openers: list[User], guild: Guild, steps: list[int]
) -> dict[int, int]:
    """Resident KiB by the number of forms open (opened and never submitted), counted after
    the forms that warm up. A form the bot showed too late for Discord is not open (the
    bot keeps a form only once Discord has accepted it), so only those shown count."""
    people = [em.person(user) for user in openers]
    readings: dict[int, int] = {}
    tried, shown = -FORMS_TO_WARM_UP, -FORMS_TO_WARM_UP
    for target in steps:
        outcomes = await _open_forms(guild, [people[i % len(people)] for i in range(tried, target)])
        tried, shown = target, shown + sum(outcomes)
        if not all(outcomes):
            print(f"  {outcomes.count(False)} of {len(outcomes)} forms were not shown in time")
        await asyncio.sleep(SETTLE_S)
        readings[max(shown, 0)] = _rss(bot)
    return readings


async def _open_forms(guild: Guild, turns: list[Person]) -> list[bool]:
    """Each person in turn runs ``/kmtm log``; whether each form was shown in time."""
    outcomes: list[bool] = []

    async def open_one(person: Person) -> None:
        try:
            await open_kmtm_form(person, guild)
        except AssertionError:  # not answered within Discord's 3 s
            outcomes.append(False)
        else:
            outcomes.append(True)

    await gather_limited(open_one, turns, limit=OPEN_CONCURRENCY)
    return outcomes
