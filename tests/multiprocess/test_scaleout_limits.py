"""Two processes on one machine count one person's cases and wrong receipts together:
they share the runtime key through the runtime directory, so the limits are per
person per day, whichever process serves the server (or the DM) someone uses."""

from __future__ import annotations

import pytest

from discord_emulator.entities import User
from discord_emulator.guild import Guild
from tests.multiprocess.steps import Deployment, approved_association, set_up_hub, shard_of

pytestmark = [
    pytest.mark.parametrize("databases", ["postgres"], indirect=True),
    pytest.mark.postgres,
    pytest.mark.slow,
]


def association_on(deployment: Deployment, process: str) -> Guild:
    return next(
        guild
        for shard, guild in sorted(deployment.guilds.items())
        if deployment.owner_of(guild).name == process and shard != shard_of(deployment.world.hub)
    )


async def report(deployment: Deployment, user: User, guild: Guild, text: str) -> str:
    """/report, Continue, the form: what the VCP is told at the end."""
    person = deployment.emulator.person(user)
    intro = (await (await person.slash(guild, "report")).wait()).message
    assert intro is not None
    modal = (await person.press(intro, label="Continue")).response.modal
    assert modal is not None
    values = {"category": "advice", "urgency": "routine", "text": text, "shown": "no"}
    submitted = await person.submit(modal, values)
    await submitted.wait()
    answer = await deployment.wait(
        lambda: (
            submitted.followups[0]
            if submitted.followups
            else (submitted.interaction.original if submitted.interaction.original_edits else None)
        ),
        "the answer to the form",
    )
    return answer.text


async def case(deployment: Deployment, user: User, guild: Guild | None, receipt: str) -> str:
    result = await deployment.emulator.person(user).slash(guild, "my-case", {"receipt": receipt})
    return (await result.final()).text


async def test_limits_count_across_the_processes_of_one_machine(deployment: Deployment) -> None:
    deployment.add("a", [0, 1])
    deployment.add("b", [2, 3])
    await deployment.start()
    await deployment.sync_commands()
    await set_up_hub(deployment)
    emulator = deployment.emulator
    here, there = association_on(deployment, "a"), association_on(deployment, "b")
    sanne = emulator.create_user("sanne")
    guesser = emulator.create_user("guesser")
    for guild in (here, there):
        registered = await approved_association(deployment, guild, [sanne, guesser])
        role = guild.roles[registered.vcp_role_id]
        emulator.add_member(guild, sanne, roles=[role])
        emulator.add_member(guild, guesser, roles=[role])

    # Sanne is a VCP of two associations, served by two processes: three cases in all.
    first = await report(deployment, sanne, here, "One.")
    receipt = first.split("```\n")[1].split("\n")[0]
    assert "receipt" in await report(deployment, sanne, there, "Two.")
    assert "receipt" in await report(deployment, sanne, here, "Three.")
    assert "You have started 3 cases today" in await report(deployment, sanne, there, "Four.")

    # Wrong receipts in a DM (process a, shard 0) and in a server of process b add up.
    for n in range(10):
        where = None if n % 2 else there
        wrong = f"{n:04d}" + receipt.replace("-", "")[4:]
        assert "No case was found" in await case(deployment, guesser, where, wrong)
    assert "Too many receipts" in await case(deployment, guesser, None, receipt)
    assert "Too many receipts" in await case(deployment, guesser, there, receipt)
    assert "One." in await case(deployment, sanne, there, receipt)
