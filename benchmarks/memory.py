"""Memory and start-up: the real bot and the bare bot in the same worlds of 10, 100 and
1,000 guilds.

Each world is an emulator of its own with that many guilds (each with three
channels, two roles and ten members, drawn from one pool of people). Each bot's
process is started in it and timed from being spawned to printing ``ready``
(connected, every guild received, commands synced); a second later its resident
memory (``VmRSS``, and the peak ``VmHWM``) is read from ``/proc``. The real bot
runs on a fresh, migrated database of the kind under test.
"""

from __future__ import annotations

import asyncio

from benchmarks.processes import BotProcess, fresh_database, running, vcpbot_args
from benchmarks.report import Figure
from discord_emulator import Emulator

GOAL_RATIO = 1.3
MEMBERS_PER_GUILD = 10
PEOPLE = 100
SETTLE_S = 1.0


def build_guilds(em: Emulator, count: int) -> None:
    people = [em.create_user(f"person-{i}", locale="nl") for i in range(PEOPLE)]
    for g in range(count):
        owner = people[g % PEOPLE]
        guild = em.create_guild(f"Vereniging {g}", owner=owner, locale="nl")
        guild.create_text_channel("rules")
        guild.create_text_channel("vcp")
        guild.create_role("VCP")
        guild.create_role("Board")
        for m in range(1, MEMBERS_PER_GUILD):
            em.add_member(guild, people[(g + m * 7) % PEOPLE])


async def _sample(bot: BotProcess) -> tuple[float, float, float]:
    """Seconds to ready, resident MiB a moment later, and the peak resident MiB."""
    await asyncio.sleep(SETTLE_S)
    rss, peak = bot.memory_kib("VmRSS"), bot.memory_kib("VmHWM")
    if rss is None or peak is None:
        raise RuntimeError("no /proc/<pid>/status to read memory from (Linux only)")
    return bot.start_seconds, rss / 1024, peak / 1024


async def measure(
    name: str, kind: str, postgres_url: str | None, sizes: tuple[int, ...]
) -> list[Figure]:
    rows: list[Figure] = []
    for count in sizes:
        async with Emulator() as em:
            build_guilds(em, count)
            async with (
                fresh_database(kind, postgres_url) as url,
                running(em, "vcpbot", *vcpbot_args(url, None)) as bot,
            ):
                ours = await _sample(bot)
            async with running(em, "baseline") as bot:
                bare = await _sample(bot)
        size = f"{count} guilds"
        ratio = ours[1] / bare[1]
        print(
            f"  {name}: {size}: ready in {ours[0]:.1f} s (bare {bare[0]:.1f} s), "
            f"{ours[1]:.0f} MiB resident, peak {ours[2]:.0f} MiB "
            f"(bare {bare[1]:.0f} MiB, peak {bare[2]:.0f} MiB)"
        )
        rows += [
            Figure(
                name,
                "resident memory after ready (VmRSS)",
                size,
                ours[1],
                bare[1],
                "MiB",
                goal=f"≤ {GOAL_RATIO:g}x",
                met=ratio <= GOAL_RATIO,
            ),
            Figure(name, "start-up: spawn → ready", size, ours[0], bare[0], "s"),
        ]
    return rows
