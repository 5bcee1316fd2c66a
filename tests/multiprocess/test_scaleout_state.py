"""What one process changes, the others see at once: the hub's decisions reach an
association's server served by another process, and work committed in a process that
does not lead reaches the leader without waiting for its periodic look."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from discord_emulator.guild import Guild
from tests.multiprocess.steps import (
    Deployment,
    dms_mentioning,
    members,
    session_with_reminders_in,
    shard_of,
)
from vcpbot.services import intervisie

pytestmark = [
    pytest.mark.parametrize("databases", ["postgres"], indirect=True),
    pytest.mark.postgres,
    pytest.mark.slow,
]


def association_elsewhere(deployment: Deployment, *not_these: str) -> Guild:
    """An association's server on a shard of a process other than those named."""
    return next(
        guild
        for shard, guild in sorted(deployment.guilds.items())
        if guild is not deployment.world.hub
        and deployment.owner_of(guild).name not in not_these
        and shard != shard_of(deployment.world.hub)
    )


async def test_what_one_process_commits_the_others_see_at_once(
    deployment: Deployment,
) -> None:
    deployment.add("a", [0, 1])
    deployment.add("b", [2])
    deployment.add("c", [3])
    await deployment.start()
    await deployment.sync_commands()
    leader = await deployment.leader()
    emulator, world = deployment.emulator, deployment.world
    hub_process = deployment.owner_of(world.hub)
    guild = association_elsewhere(deployment, hub_process.name, leader.name)
    assert deployment.owner_of(guild) not in (hub_process, leader)
    board = emulator.person(deployment.boards[guild.id])
    coordinator = emulator.person(world.coordinator)
    hub_admin = emulator.person(world.hub_admin)
    await (
        await hub_admin.slash(
            world.hub,
            "hub",
            {
                "escalations": world.escalations,
                "team_role": world.team_role,
                "coordinator_role": world.coordinator_role,
                "log_channel": world.network_log,
            },
            subcommand="setup",
        )
    ).final()

    # The board asks to join in its server; the coordinator approves in the hub.
    vcp_role = guild.create_role("VCP")
    asked = await board.slash(
        guild,
        "setup",
        {"name": guild.name, "short_name": "Vereniging", "language": "nl", "vcp_role": vcp_role},
    )
    await asked.final()
    card = await coordinator.wait_for_message(world.network_log, contains=guild.name)
    await (await coordinator.press(card, label="Goedkeuren")).wait()

    # At once, in the association's server (another process): the network knows it.
    [sanne, student] = members(deployment, guild, 2, "lid")
    added = await board.slash(guild, "vcp", {"member": sanne}, subcommand="add")
    assert "VCP" in (await added.final()).text
    listing = {"listed": True}
    await (await emulator.person(sanne).slash(guild, "vcp", listing, subcommand="listing")).final()
    shown = await (await emulator.person(student).slash(guild, "help")).final()
    assert f"<@{sanne.id}>" in shown.text

    # Work for the leader committed elsewhere: the VCP turns reminders on in the
    # association's server, served by a process that does not lead. The leader learns
    # of the new reminder row at once, not at its next periodic look (a minute).
    policy = intervisie.Policy.from_settings(deployment.settings())
    async with deployment.db.sessions.begin() as session:
        await intervisie.set_reminders_enabled(
            session, user_id=sanne.id, enabled=False, now=datetime.now(UTC), policy=policy
        )
    title = "Intervisie op korte termijn"
    await session_with_reminders_in(deployment, guild.name, 5.0, title)
    turned_on = await emulator.person(sanne).slash(
        guild, "intervisie", {"enabled": "on"}, subcommand="reminders"
    )
    await turned_on.final()
    await deployment.wait(lambda: dms_mentioning(deployment, sanne, title) == 1, "the reminder")
    assert deployment.settings().leadership.refresh_seconds >= 60

    # Its process keeps who is a VCP there (the KMTM checks read a kept copy): asked
    # once, the copy is made; no period is open, so nothing can be logged yet.
    logging_in = emulator.person(sanne)
    asked_once = await logging_in.slash(guild, "kmtm", subcommand="log")
    assert "geen KMTM-periode open" in (await asked_once.final()).text

    # The coordinator pauses the association in the hub: its /help says so at once.
    paused = await coordinator.slash(
        world.hub, "network", {"association": guild.name}, subcommand="suspend"
    )
    await paused.final()
    after = await (await emulator.person(student).slash(guild, "help")).final()
    assert "geen onderdeel van het VCP-netwerk" in after.text
    assert f"<@{sanne.id}>" not in after.text
    # And the kept copy of who may log there is stale at once, in that other process.
    refused = await (await logging_in.slash(guild, "kmtm", subcommand="log")).final()
    assert "gepauzeerd" in refused.text
