"""Steps of the invitation fan-out stories: hundreds of VCPs registered at once, the
coordinator's confirmation watched while it is edited, and who got how many DMs."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from discord_emulator import Emulator
from discord_emulator.entities import Message, User
from tests.e2e.intervisie.steps import join
from tests.e2e.network.steps import set_up_hub
from vcpbot.services import languages, network
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld, add_student

# "Uitnodigingen: 120 van 600 verstuurd." / "Invitations: 120 of 600 sent."
PROGRESS = re.compile(r"(?:Uitnodigingen|Invitations): (\d+) (?:van|of) (\d+) (?:verstuurd|sent)\.")
# "Uitnodigingen: 597 verstuurd · 3 niet bereikbaar" / "Invitations: 597 sent · 3 could not"
FINAL = re.compile(r"(?:Uitnodigingen|Invitations): (\d+) (?:verstuurd|sent) · (\d+) ")


async def many_vcps(
    emulator: Emulator,
    world: NetworkWorld,
    harness: BotHarness,
    clock: ManualClock,
    count: int,
) -> list[User]:
    """The hub with Tragos and Saurus in the network and ``count`` VCPs between them,
    registered by their boards; every third reads Discord in English (and the bot knows)."""
    await set_up_hub(emulator, world)
    for key in ("tragos", "saurus"):
        await join(emulator, world, key)
    assert harness.bot is not None
    people: list[User] = []
    async with harness.bot.db.sessions.begin() as session:
        for n in range(count):
            key = "tragos" if n % 2 else "saurus"
            english = n % 3 == 0
            user = add_student(
                emulator, world, key, f"vcp{n:03d}", locale="en-US" if english else "nl"
            )
            association = world.association(key)
            await network.add_vcp(
                session,
                guild_id=association.guild.id,
                user_id=user.id,
                display_name=user.username,
                actor_id=association.admin.id,
                now=clock.now,
            )
            await languages.remember(session, user_id=user.id, locale="en" if english else "nl")
            people.append(user)
    return people


def invitations_each(emulator: Emulator, people: list[User], title: str) -> Counter[int]:
    """How many invitation DMs to ``title`` each person has: a Counter of those counts."""
    return Counter(
        sum(
            ("Uitnodiging: " + title in m.text) or ("Invitation: " + title in m.text)
            for m in emulator.person(user).dms()
        )
        for user in people
    )


async def watch(emulator: Emulator, reply: Message, *, within: float) -> list[str]:
    """Every text the coordinator's confirmation showed until it says how it ended."""
    seen: list[str] = [reply.text]

    def probe() -> Any:
        if reply.text != seen[-1]:
            seen.append(reply.text)
        return FINAL.search(reply.text)

    await emulator.world.wait_for(probe, within=within, what="the fan-out's final count")
    return seen


def progress_counts(texts: list[str]) -> list[tuple[int, int]]:
    return [(int(m[1]), int(m[2])) for text in texts if (m := PROGRESS.search(text))]
